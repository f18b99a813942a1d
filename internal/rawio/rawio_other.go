//go:build !linux

package rawio

import "syscall"

const supported = false

func read(fd uintptr, p []byte) (int, error)  { return syscall.Read(int(fd), p) }
func write(fd uintptr, p []byte) (int, error) { return syscall.Write(int(fd), p) }

func isNonblocking(fd uintptr) bool { return false }
