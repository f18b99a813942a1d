package kernel

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// ConnectionInfo is the content of a Jupyter connection file: where the
// five sockets live and how messages are signed.
type ConnectionInfo struct {
	// Transport is "tcp" (the default when empty) or "ipc".
	Transport string `json:"transport"`
	// IP is the address to bind for tcp (any, including 0.0.0.0 and *),
	// or the path prefix of the sockets for ipc.
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	HBPort          int    `json:"hb_port"`
	SignatureScheme string `json:"signature_scheme"`
	Key             string `json:"key"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and checks the connection file at path.
func ReadConnectionFile(path string) (ConnectionInfo, error) {
	var ci ConnectionInfo
	data, err := os.ReadFile(path)
	if err != nil {
		return ci, fmt.Errorf("kernel: read connection file: %w", err)
	}
	if err := json.Unmarshal(data, &ci); err != nil {
		return ci, fmt.Errorf("kernel: connection file %s: %w", path, err)
	}
	if err := ci.Validate(); err != nil {
		return ci, fmt.Errorf("kernel: connection file %s: %w", path, err)
	}
	return ci, nil
}

// Validate checks the transport, address, ports and signature scheme, and
// fills in defaults (tcp, hmac-sha256).
func (ci *ConnectionInfo) Validate() error {
	switch ci.Transport {
	case "":
		ci.Transport = "tcp"
	case "tcp", "ipc":
	default:
		return fmt.Errorf("unsupported transport %q (want tcp or ipc)", ci.Transport)
	}
	if ci.IP == "" {
		if ci.Transport == "ipc" {
			return fmt.Errorf("ipc transport needs ip (the socket path prefix)")
		}
		ci.IP = "127.0.0.1"
	}
	if ci.SignatureScheme == "" {
		ci.SignatureScheme = "hmac-sha256"
	}
	if _, err := NewCodec(ci.SignatureScheme, nil); err != nil {
		return err
	}
	for _, p := range ci.ports() {
		// tcp port 0 asks for any free port (see Kernel.Connection).
		if p.port < 0 || p.port > 65535 || (ci.Transport == "ipc" && p.port == 0) {
			return fmt.Errorf("bad %s %d", p.name, p.port)
		}
	}
	return nil
}

type namedPort struct {
	name string
	port int
}

func (ci *ConnectionInfo) ports() []namedPort {
	return []namedPort{
		{"shell_port", ci.ShellPort}, {"control_port", ci.ControlPort},
		{"iopub_port", ci.IOPubPort}, {"stdin_port", ci.StdinPort}, {"hb_port", ci.HBPort},
	}
}

// Endpoint returns the ZeroMQ address of port: tcp://IP:PORT, or
// ipc://IP-PORT as jupyter_client names ipc sockets.
func (ci ConnectionInfo) Endpoint(port int) string {
	transport := ci.Transport
	if transport == "" {
		transport = "tcp"
	}
	if transport == "ipc" {
		return "ipc://" + ci.IP + "-" + strconv.Itoa(port)
	}
	ip := ci.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	if len(ip) > 0 && ip[0] != '[' && containsColon(ip) {
		ip = "[" + ip + "]" // IPv6
	}
	return transport + "://" + ip + ":" + strconv.Itoa(port)
}

func containsColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}
