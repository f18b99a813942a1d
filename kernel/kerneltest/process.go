package kerneltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Process is a kernel started as a separate process (the real `godl
// kernel`, say) with a client connected to it.
type Process struct {
	*Client
	// Cmd is the running kernel process.
	Cmd *exec.Cmd
	// ConnectionFile is the file the kernel was given.
	ConnectionFile string

	waited chan struct{}
	err    error
}

// Start writes a connection file with free loopback ports in dir, starts
// argv (each "{connection_file}" in it is replaced by the file's path, as
// in a kernelspec), connects a client and waits until the kernel answers
// kernel_info with its iopub in place. stderr receives the kernel's
// standard error (nil: discarded). Stop or Kill the process when done.
func Start(ctx context.Context, dir string, argv []string, env []string, stderr io.Writer) (*Process, error) {
	if len(argv) == 0 {
		return nil, errors.New("kerneltest: Start: empty argv")
	}
	info, err := NewConnectionInfo()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "kernel-"+newID()[:8]+".json")
	if err := WriteConnectionFile(path, info); err != nil {
		return nil, err
	}
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = strings.ReplaceAll(a, "{connection_file}", path)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("kerneltest: start %q: %w", args, err)
	}
	p := &Process{Cmd: cmd, ConnectionFile: path, waited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.waited)
	}()
	fail := func(err error) (*Process, error) {
		p.Kill()
		return nil, err
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.waited:
			cancel() // the kernel died: stop waiting for it
		case <-dctx.Done():
		}
	}()
	c, err := Dial(dctx, info)
	if err != nil {
		return fail(p.explain(err))
	}
	p.Client = c
	if _, err := c.WaitReady(dctx); err != nil {
		return fail(p.explain(err))
	}
	return p, nil
}

// explain adds the kernel's exit status to err when it has exited.
func (p *Process) explain(err error) error {
	select {
	case <-p.waited:
		return fmt.Errorf("%w (the kernel exited: %v)", err, p.err)
	default:
		return err
	}
}

// Wait waits for the kernel process to exit, for at most d, and returns
// its exit error.
func (p *Process) Wait(d time.Duration) error {
	select {
	case <-p.waited:
		return p.err
	case <-time.After(d):
		return fmt.Errorf("kerneltest: kernel process %d still running after %v", p.Cmd.Process.Pid, d)
	}
}

// Stop asks the kernel to shut down (shutdown_request on control), waits
// up to 10s for the process to exit and closes the client. It returns the
// process's exit error.
func (p *Process) Stop(ctx context.Context) error {
	_, err := p.Request(ctx, Control, "shutdown_request", map[string]any{"restart": false})
	if err == nil {
		err = p.Wait(10 * time.Second)
	}
	if err != nil {
		p.Kill()
	}
	p.Client.Close()
	return err
}

// Kill ends the kernel process at once and closes the client.
func (p *Process) Kill() {
	_ = p.Cmd.Process.Kill()
	<-p.waited
	if p.Client != nil {
		p.Client.Close()
	}
}
