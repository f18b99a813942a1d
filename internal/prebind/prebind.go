// Package prebind binds the TCP ports of a Jupyter connection file while
// the Go runtime is still initialising packages, before main runs.
//
// jupyter_client connects to a kernel's ports a few milliseconds after it
// starts the process, and libzmq retries a refused connection only after
// its reconnect interval (100–200 ms). A Go program on a virtual machine
// with slow page faults reaches main 5–15 ms after exec, so binding in
// main often loses that race and the client waits for the retry. This
// package's init runs right after package syscall's (it imports nothing
// else that needs initialising), reads the command line and the
// connection file of `godl kernel -f FILE`, and binds and listens on its
// TCP ports. The kernel then takes these listening sockets (Take) instead
// of binding again; connections that arrive in between wait in the
// listen backlog.
//
// For any other command line, or when anything is unexpected (another
// transport, a host name, a port already in use), init does nothing and
// the kernel binds as usual, reporting errors then.
package prebind

import "sync"

// This package imports nothing but sync and syscall (and their
// dependencies): Go initialises packages in import-path order as soon as
// their imports are, so any other import (strings needs unicode's tables)
// would delay init until most of the program's packages are initialised.

// listeners holds the sockets bound by init, by port. It is process-wide
// state by nature: file descriptors this process opened before main.
var listeners struct {
	sync.Mutex
	byPort map[int]bound
}

type bound struct {
	ip string // as bound: a dotted IPv4 address
	fd int
}

// Take returns the listening socket bound before main for the TCP address
// addr ("ip:port", ip "*" or empty meaning 0.0.0.0), and removes it: the
// caller owns the file descriptor. ok is false if no socket was bound for
// that port. A socket bound for the port but another address is closed,
// so that the caller can bind the port itself.
func Take(addr string) (fd int, ok bool) {
	i := len(addr) - 1
	for i >= 0 && addr[i] != ':' {
		i--
	}
	if i < 0 {
		return -1, false
	}
	port, ok := atoi(addr[i+1:])
	if !ok {
		return -1, false
	}
	ip := normalizeIP(addr[:i])
	listeners.Lock()
	defer listeners.Unlock()
	b, found := listeners.byPort[port]
	if !found {
		return -1, false
	}
	delete(listeners.byPort, port)
	if b.ip != ip {
		closeFD(b.fd)
		return -1, false
	}
	return b.fd, true
}

// Bound returns how many sockets are bound and not yet taken.
func Bound() int {
	listeners.Lock()
	defer listeners.Unlock()
	return len(listeners.byPort)
}

// CloseAll closes the sockets not taken.
func CloseAll() {
	listeners.Lock()
	defer listeners.Unlock()
	for p, b := range listeners.byPort {
		closeFD(b.fd)
		delete(listeners.byPort, p)
	}
}

// BindFile binds the TCP ports of connection file contents data (the JSON
// Jupyter writes) and returns how many it bound. init calls it for the
// kernel command; tests call it directly.
func BindFile(data []byte) int {
	c, ok := parseConnection(data)
	if !ok || (c.transport != "" && c.transport != "tcp") {
		return 0
	}
	ip := normalizeIP(c.ip)
	addr, ok := parseIPv4(ip)
	if !ok {
		return 0
	}
	n := 0
	listeners.Lock()
	defer listeners.Unlock()
	if listeners.byPort == nil {
		listeners.byPort = map[int]bound{}
	}
	for _, p := range c.ports {
		if p <= 0 || p > 65535 {
			continue
		}
		if _, dup := listeners.byPort[p]; dup {
			continue
		}
		fd, ok := listenTCP4(addr, p)
		if !ok {
			continue
		}
		listeners.byPort[p] = bound{ip: ip, fd: fd}
		n++
	}
	return n
}

// normalizeIP maps the any-address spellings of connection files to
// 0.0.0.0 and the empty address to 127.0.0.1, as the kernel does.
func normalizeIP(ip string) string {
	switch ip {
	case "*", "0.0.0.0":
		return "0.0.0.0"
	case "":
		return "127.0.0.1"
	}
	return ip
}

// parseIPv4 parses a dotted IPv4 address.
func parseIPv4(s string) ([4]byte, bool) {
	var a [4]byte
	k, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			continue
		}
		n, ok := atoi(s[start:i])
		if !ok || k == 4 || i-start > 3 || n > 255 {
			return a, false
		}
		a[k] = byte(n)
		k++
		start = i + 1
	}
	return a, k == 4
}

// atoi parses a decimal number of at most 6 digits.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// kernelConnFile returns the connection file of a command line
// `PROG kernel ... -f FILE ...` (also --f, -f=FILE), or "".
func kernelConnFile(args []string) string {
	if len(args) < 2 || args[1] != "kernel" {
		return ""
	}
	for i := 2; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, f := range []string{"-f", "--f"} {
			if a == f && i+1 < len(args) {
				return args[i+1]
			}
			if len(a) > len(f) && a[:len(f)+1] == f+"=" {
				return a[len(f)+1:]
			}
		}
	}
	return ""
}

// connection is what prebind needs of a connection file.
type connection struct {
	transport, ip string
	ports         []int
}

// parseConnection reads the top-level members transport, ip and *_port
// of a JSON object. It is a small scanner rather than encoding/json,
// whose package initialisation would have to run first.
func parseConnection(data []byte) (connection, bool) {
	var c connection
	s := &scanner{b: data}
	s.space()
	if !s.eat('{') {
		return c, false
	}
	s.space()
	if s.eat('}') {
		return c, true
	}
	for {
		s.space()
		key, ok := s.str()
		if !ok {
			return c, false
		}
		s.space()
		if !s.eat(':') {
			return c, false
		}
		s.space()
		switch {
		case key == "transport" || key == "ip":
			v, ok := s.str()
			if !ok {
				return c, false
			}
			if key == "ip" {
				c.ip = v
			} else {
				c.transport = v
			}
		case key == "shell_port" || key == "control_port" || key == "stdin_port" ||
			key == "hb_port" || key == "iopub_port":
			n, ok := s.int()
			if !ok {
				return c, false
			}
			c.ports = append(c.ports, n)
		default:
			if !s.skipValue(0) {
				return c, false
			}
		}
		s.space()
		if s.eat('}') {
			return c, true
		}
		if !s.eat(',') {
			return c, false
		}
	}
}

// scanner walks JSON text.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string, keeping escapes verbatim: the values prebind uses
// never need them (an escaped key just does not match).
func (s *scanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		s.i++
		switch c {
		case '"':
			return string(s.b[start : s.i-1]), true
		case '\\':
			s.i++
		}
	}
	return "", false
}

func (s *scanner) int() (int, bool) {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == start || s.i-start > 6 {
		return 0, false
	}
	return atoi(string(s.b[start:s.i]))
}

// skipValue skips any JSON value, nested at most 32 deep.
func (s *scanner) skipValue(depth int) bool {
	if depth > 32 || s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		s.space()
		if s.eat(end) {
			return true
		}
		for {
			s.space()
			if c == '{' {
				if _, ok := s.str(); !ok {
					return false
				}
				s.space()
				if !s.eat(':') {
					return false
				}
				s.space()
			}
			if !s.skipValue(depth + 1) {
				return false
			}
			s.space()
			if s.eat(end) {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	default: // number, true, false, null
		start := s.i
		for s.i < len(s.b) && literalByte(s.b[s.i]) {
			s.i++
		}
		return s.i > start
	}
}

// literalByte reports whether c may appear in a JSON number, true, false
// or null.
func literalByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '+' || c == '-' || c == '.' || c == 'E'
}
