package prebind

import "syscall"

func init() {
	args := cmdline()
	if f := kernelConnFile(args); f != "" {
		if data, ok := readFile(f); ok {
			BindFile(data)
		}
	}
}

// cmdline reads the process's arguments from /proc: os.Args is set by
// package os, which is initialised after this package.
func cmdline() []string {
	data, ok := readFile("/proc/self/cmdline")
	if !ok {
		return nil
	}
	var args []string
	start := 0
	for i, c := range data {
		if c == 0 {
			args = append(args, string(data[start:i]))
			start = i + 1
		}
	}
	return args
}

// readFile reads up to 1 MiB of a file.
func readFile(name string) ([]byte, bool) {
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 4096)
	for len(buf) < 1<<20 {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, false
		}
		if n == 0 {
			return buf, true
		}
		buf = buf[:len(buf)+n]
	}
	return nil, false
}

// listenTCP4 binds and listens as net.Listen("tcp4", …) does: close on
// exec, SO_REUSEADDR, the system's maximal backlog.
func listenTCP4(ip [4]byte, port int) (int, bool) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, syscall.IPPROTO_TCP)
	if err != nil {
		return -1, false
	}
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) != nil ||
		syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: ip}) != nil ||
		syscall.Listen(fd, syscall.SOMAXCONN) != nil {
		syscall.Close(fd)
		return -1, false
	}
	return fd, true
}

func closeFD(fd int) { syscall.Close(fd) }
