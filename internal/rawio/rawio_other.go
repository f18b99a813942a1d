//go:build !linux

package rawio

const supported = false

func read(fd uintptr, p []byte) (int, error)  { panic("rawio: unsupported") }
func write(fd uintptr, p []byte) (int, error) { panic("rawio: unsupported") }

func isNonblocking(fd uintptr) bool { return false }
