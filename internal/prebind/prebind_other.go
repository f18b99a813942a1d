//go:build !linux

package prebind

// Elsewhere the kernel binds in main.

func listenTCP4(ip [4]byte, port int) (int, bool) { return -1, false }

func closeFD(fd int) {}
