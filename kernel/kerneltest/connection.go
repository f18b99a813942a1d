// Package kerneltest is a small Jupyter client for tests: it connects to a
// kernel's five sockets (in-process, or the real `godl kernel` binary
// through a connection file), sends signed requests and collects replies
// and iopub messages.
//
// A typical test:
//
//	info, _ := kerneltest.NewConnectionInfo()
//	kerneltest.WriteConnectionFile(path, info) // for a kernel process
//	c, _ := kerneltest.Dial(ctx, info)
//	defer c.Close()
//	c.WaitReady(ctx)
//	reply, iopub, _ := c.Execute(ctx, `fmt.Println("hi")`)
package kerneltest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/godl-kernel/godl/kernel"
)

// NewConnectionInfo returns tcp connection information on 127.0.0.1 with
// five free ports and a random hmac-sha256 key. The ports are free when
// chosen; another process could take one before the kernel binds it.
func NewConnectionInfo() (kernel.ConnectionInfo, error) {
	ports := make([]int, 5)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return kernel.ConnectionInfo{}, fmt.Errorf("kerneltest: find a free port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return kernel.ConnectionInfo{}, fmt.Errorf("kerneltest: make a key: %w", err)
	}
	return kernel.ConnectionInfo{
		Transport:       "tcp",
		IP:              "127.0.0.1",
		ShellPort:       ports[0],
		ControlPort:     ports[1],
		IOPubPort:       ports[2],
		StdinPort:       ports[3],
		HBPort:          ports[4],
		SignatureScheme: "hmac-sha256",
		Key:             hex.EncodeToString(key[:]),
		KernelName:      "godl",
	}, nil
}

// WriteConnectionFile writes info as a Jupyter connection file at path
// (atomically, mode 0600 as jupyter_client does).
func WriteConnectionFile(path string, info kernel.ConnectionInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("kerneltest: encode connection file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".conn-*.json")
	if err != nil {
		return fmt.Errorf("kerneltest: write connection file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("kerneltest: write connection file %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("kerneltest: write connection file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("kerneltest: write connection file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("kerneltest: write connection file %s: %w", path, err)
	}
	return nil
}
