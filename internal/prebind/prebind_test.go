package prebind

import (
	"fmt"
	"net"
	"os"
	"reflect"
	"runtime"
	"testing"
)

func TestKernelConnFile(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"godl", "kernel", "-f", "/tmp/k.json"}, "/tmp/k.json"},
		{[]string{"godl-kernel", "kernel", "--worker", "/x/godl", "-f", "/tmp/k.json"}, "/tmp/k.json"},
		{[]string{"godl", "kernel", "--f=/tmp/k.json"}, "/tmp/k.json"},
		{[]string{"godl", "kernel", "-f=/tmp/k.json"}, "/tmp/k.json"},
		{[]string{"godl", "kernel", "-f"}, ""},
		{[]string{"godl", "kernel", "--", "-f", "x"}, ""},
		{[]string{"godl", "run", "-f", "/tmp/k.json"}, ""},
		{[]string{"godl.test", "-test.run", "X"}, ""},
		{[]string{"godl"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := kernelConnFile(tt.args); got != tt.want {
			t.Errorf("kernelConnFile(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestParseConnection(t *testing.T) {
	tests := []struct {
		name, json string
		want       connection
		ok         bool
	}{
		{"jupyter_client", `{
  "shell_port": 40001, "iopub_port": 40002, "stdin_port": 40003, "control_port": 40004, "hb_port": 40005,
  "ip": "127.0.0.1", "key": "a-b\"c", "transport": "tcp", "signature_scheme": "hmac-sha256",
  "kernel_name": "godl", "jupyter_session": "", "extra": {"ip": "9.9.9.9", "list": [1, -2.5e3, true, null, "x"]}
}`, connection{transport: "tcp", ip: "127.0.0.1", ports: []int{40001, 40002, 40003, 40004, 40005}}, true},
		{"empty object", `{}`, connection{}, true},
		{"any address", `{"ip":"*","shell_port":1}`, connection{ip: "*", ports: []int{1}}, true},
		{"not an object", `[1]`, connection{}, false},
		{"truncated", `{"shell_port": 4000`, connection{}, false},
		{"string port", `{"shell_port": "4000"}`, connection{}, false},
		{"huge port", `{"shell_port": 12345678}`, connection{}, false},
		{"garbage", "\x00\xff", connection{}, false},
		{"deep nesting", `{"x":` + deep(40) + `}`, connection{}, false},
	}
	for _, tt := range tests {
		got, ok := parseConnection([]byte(tt.json))
		if ok != tt.ok || (ok && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("%s: parseConnection = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func deep(n int) string {
	s := "1"
	for i := 0; i < n; i++ {
		s = "[" + s + "]"
	}
	return s
}

func TestParseIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want [4]byte
		ok   bool
	}{
		{"127.0.0.1", [4]byte{127, 0, 0, 1}, true},
		{"0.0.0.0", [4]byte{}, true},
		{"10.1.255.3", [4]byte{10, 1, 255, 3}, true},
		{"256.0.0.1", [4]byte{}, false},
		{"1.2.3", [4]byte{}, false},
		{"1.2.3.4.5", [4]byte{}, false},
		{"localhost", [4]byte{}, false},
		{"::1", [4]byte{}, false},
		{"1..2.3", [4]byte{}, false},
	}
	for _, tt := range tests {
		got, ok := parseIPv4(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseIPv4(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// freePorts returns n TCP ports free on 127.0.0.1 a moment ago.
func freePorts(t *testing.T, n int) []int {
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func TestBindAndTake(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("prebinding is implemented on Linux only")
	}
	t.Cleanup(CloseAll)
	p := freePorts(t, 3)
	busy, err := net.Listen("tcp4", "127.0.0.1:0") // a port in use is skipped
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	bp := busy.Addr().(*net.TCPAddr).Port
	conf := fmt.Sprintf(`{"transport": "tcp", "ip": "127.0.0.1", "shell_port": %d, "control_port": %d, "hb_port": %d, "stdin_port": %d, "iopub_port": 0}`, p[0], p[1], p[2], bp)
	if n := BindFile([]byte(conf)); n != 3 {
		t.Fatalf("BindFile bound %d ports, want 3 (%s)", n, conf)
	}
	if Bound() != 3 {
		t.Fatalf("Bound() = %d, want 3", Bound())
	}

	// A client connecting before the kernel takes the socket waits in the
	// backlog and is accepted afterwards.
	early, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", p[0]))
	if err != nil {
		t.Fatalf("connecting to a prebound port: %v", err)
	}
	defer early.Close()
	if _, err := early.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	fd, ok := Take(fmt.Sprintf("127.0.0.1:%d", p[0]))
	if !ok {
		t.Fatal("Take of the shell port failed")
	}
	f := os.NewFile(uintptr(fd), "prebound")
	l, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := c.Read(buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v from the early connection", buf, err)
	}
	c.Close()
	if _, ok := Take(fmt.Sprintf("127.0.0.1:%d", p[0])); ok {
		t.Error("Take returned the same socket twice")
	}

	// Another address for the port: the socket is closed, the port free.
	if _, ok := Take(fmt.Sprintf("0.0.0.0:%d", p[1])); ok {
		t.Error("Take returned a socket bound to another address")
	}
	l2, err := net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", p[1]))
	if err != nil {
		t.Errorf("port of a refused Take is still in use: %v", err)
	} else {
		l2.Close()
	}
	if _, ok := Take("no port"); ok {
		t.Error("Take of a bad address succeeded")
	}
	CloseAll()
	if Bound() != 0 {
		t.Errorf("Bound() after CloseAll = %d", Bound())
	}
	l3, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p[2]))
	if err != nil {
		t.Errorf("port still in use after CloseAll: %v", err)
	} else {
		l3.Close()
	}
}

func TestBindFileRefuses(t *testing.T) {
	t.Cleanup(CloseAll)
	for _, conf := range []string{
		`{"transport": "ipc", "ip": "kernel", "shell_port": 1}`,
		`{"ip": "localhost", "shell_port": 40000}`,
		`{"ip": "::1", "shell_port": 40000}`,
		`not json`,
	} {
		if n := BindFile([]byte(conf)); n != 0 {
			t.Errorf("BindFile(%s) bound %d ports", conf, n)
		}
	}
}
