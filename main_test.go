package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	pngpkg "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godl-kernel/godl/install"
	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// godlBin is the godl binary built once for the tests of the commands.
var godlBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		// Fuzzing workers run only the fuzz target: no binary needed.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "godl-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	godlBin = filepath.Join(dir, "godl")
	goTool := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	} else {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", godlBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building godl: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// godlResult is what one run of the binary did.
type godlResult struct {
	code           int
	stdout, stderr string
}

// runGodl runs the built binary with args in dir (the repository when "").
func runGodl(t *testing.T, dir string, env []string, args ...string) godlResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, godlBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := godlResult{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("godl %s: %v", strings.Join(args, " "), err)
	}
	return res
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"version"}, 0, "godl " + Version},
		{[]string{"help"}, 0, "godl run NOTEBOOK.ipynb"},
		{[]string{"-h"}, 0, "godl install"},
		{[]string{"help", "run"}, 0, "--allow-errors"},
		{[]string{}, 2, "Usage"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run"}, 2, "Usage: godl run"},
		{[]string{"run", "--timeout", "soon", "x.ipynb"}, 2, "invalid value"},
		{[]string{"run", "does-not-exist.ipynb"}, 2, "no such file"},
		{[]string{"kernel"}, 2, "-f CONNECTION_FILE is required"},
		{[]string{"kernel", "-f", "missing.json"}, 2, "missing.json"},
		{[]string{"install", "--user", "--system"}, 2, "choose one"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			r := runGodl(t, t.TempDir(), nil, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.contains) {
				t.Errorf("godl %v: status %d, output:\n%s%s\nwant status %d and %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.contains)
			}
		})
	}
}

func TestInstallCommand(t *testing.T) {
	prefix := t.TempDir()
	r := runGodl(t, "", nil, "install", "--prefix", prefix)
	dir := filepath.Join(prefix, "share", "jupyter", "kernels", "godl")
	if r.code != 0 || !strings.Contains(r.stdout, "Installed kernelspec godl in "+dir) {
		t.Fatalf("install: status %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	spec, err := install.ReadSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The test binary lives in a temporary directory, as under `go run`:
	// install must have copied it somewhere stable.
	// kernel.json runs the kernel front install built, which runs cells
	// in the copied binary.
	wantBin := filepath.Join(dir, "bin", "godl")
	wantFront := filepath.Join(dir, "bin", "godl-kernel")
	if want := []string{wantFront, "kernel", "--worker", wantBin, "-f", "{connection_file}"}; !slices.Equal(spec.Argv, want) {
		t.Errorf("argv = %q, want %q", spec.Argv, want)
	}
	// The front links neither the interpreter nor the preloaded libraries
	// (that is what makes it start fast and small), and refuses to serve
	// as a worker.
	bi, err := buildinfo.ReadFile(wantFront)
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range bi.Deps {
		for _, heavy := range []string{"github.com/traefik/yaegi", "gorgonia.org/", "gonum.org/"} {
			if strings.HasPrefix(dep.Path, heavy) {
				t.Errorf("the kernel front links %s", dep.Path)
			}
		}
	}
	if fi, err := os.Stat(wantFront); err != nil || fi.Size() > 16<<20 {
		t.Errorf("kernel front: %v, %d bytes", err, fi.Size())
	}
	if out, err := exec.Command(wantFront, "__worker").CombinedOutput(); err == nil || !strings.Contains(string(out), "kernel front") {
		t.Errorf("front as a worker: %v %s", err, out)
	}
	if spec.DisplayName != "Go (godl)" || spec.Language != "go" || spec.InterruptMode != "message" {
		t.Errorf("kernel.json = %+v", spec)
	}
	out, err := exec.Command(wantBin, "version").Output()
	if err != nil || !strings.Contains(string(out), Version) {
		t.Errorf("installed binary: %v %s", err, out)
	}
	for _, logo := range []string{"logo-32x32.png", "logo-64x64.png"} {
		b, err := os.ReadFile(filepath.Join(dir, logo))
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s: %v", logo, err)
		}
	}
	again := runGodl(t, "", nil, "install", "--prefix", prefix)
	if again.code != 0 || !strings.Contains(again.stdout, "unchanged") {
		t.Errorf("second install: status %d\n%s%s", again.code, again.stdout, again.stderr)
	}
	// --front=false installs the single binary for both roles and
	// removes the front of the earlier install.
	single := runGodl(t, "", nil, "install", "--prefix", prefix, "--front=false")
	spec, err = install.ReadSpec(dir)
	if single.code != 0 || err != nil || !slices.Equal(spec.Argv, []string{wantBin, "kernel", "-f", "{connection_file}"}) {
		t.Errorf("install --front=false: %v %q\n%s%s", err, spec.Argv, single.stdout, single.stderr)
	}
	if _, err := os.Stat(wantFront); !os.IsNotExist(err) {
		t.Errorf("front left after --front=false: %v", err)
	}
	// --user honours JUPYTER_DATA_DIR, as jupyter does.
	data := t.TempDir()
	user := runGodl(t, "", []string{"JUPYTER_DATA_DIR=" + data}, "install", "--user", "--name", "godl-x")
	if user.code != 0 {
		t.Fatalf("install --user: %s%s", user.stdout, user.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "kernels", "godl-x", "kernel.json")); err != nil {
		t.Error(err)
	}
}

// runNotebook runs `godl run` on a copy of the notebook data in a
// temporary directory and returns the result and the written notebook.
func runNotebook(t *testing.T, data []byte, args ...string) (godlResult, map[string]any, string) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "nb.ipynb")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runGodl(t, dir, nil, append([]string{"run", in}, args...)...)
	after, _ := os.ReadFile(in)
	if !bytes.Equal(after, data) {
		t.Errorf("godl run changed its input")
	}
	outPath := filepath.Join(dir, "nb.out.ipynb")
	b, err := os.ReadFile(outPath)
	if err != nil {
		return r, nil, outPath
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("written notebook is not JSON: %v", err)
	}
	return r, doc, outPath
}

func TestRunTutorial(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("notebooks", "tour.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	r, doc, outPath := runNotebook(t, src)
	if r.code != 0 || doc == nil {
		t.Fatalf("godl run tour.ipynb: status %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, " ok "); n != 5 {
		t.Errorf("want 5 progress lines with ok:\n%s", r.stderr)
	}
	byID := map[string]map[string]any{}
	count := 0
	for _, c := range doc["cells"].([]any) {
		cell := c.(map[string]any)
		byID[cell["id"].(string)] = cell
		if cell["cell_type"] == "code" {
			count++
			if cell["execution_count"] != float64(count) {
				t.Errorf("cell %s execution_count %v, want %d", cell["id"], cell["execution_count"], count)
			}
		}
	}
	printed := ""
	for _, o := range byID["print"]["outputs"].([]any) {
		printed += joined(o.(map[string]any)["text"])
	}
	if !strings.Contains(printed, "hello, gopher!") || !strings.Contains(printed, "step 3 of 3") {
		t.Errorf("print cell output %q", printed)
	}
	res := byID["sum"]["outputs"].([]any)
	if len(res) != 1 || res[0].(map[string]any)["output_type"] != "execute_result" ||
		joined(res[0].(map[string]any)["data"].(map[string]any)["text/plain"]) != "385" {
		t.Errorf("sum cell outputs %v", res)
	}
	validateNotebook(t, outPath)
}

// validateNotebook checks the file with the nbformat package when
// Debian's Python has it.
func validateNotebook(t *testing.T, path string) {
	t.Helper()
	if !pythonHas("nbformat") {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but /usr/bin/python3 has no nbformat (apt-get install python3-nbformat)")
		}
		t.Log("nbformat validation skipped: /usr/bin/python3 has no nbformat")
		return
	}
	out, err := exec.Command(python, "-c", "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT); nbformat.validate(nb); assert nb.nbformat == 4 and nb.nbformat_minor == 5, nb.nbformat_minor", path).CombinedOutput()
	if err != nil {
		t.Errorf("nbformat rejects %s: %v\n%s", path, err, out)
	}
}

func TestRunCorruptNotebook(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"truncated", `{"cells": [{"cell_type": "code", "sou`, "not a notebook"},
		{"not json", "hello", "invalid JSON"},
		{"python", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "cells": []}`, "not a Go notebook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, doc, _ := runNotebook(t, []byte(tc.data))
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("status %d, stderr:\n%s\nwant status 2 and %q", r.code, r.stderr, tc.want)
			}
			if doc != nil {
				t.Errorf("an output notebook was written for a corrupt input")
			}
		})
	}
}

func goNotebook(t *testing.T, cells ...string) []byte {
	var args []string
	for _, c := range cells {
		args = append(args, "code", c)
	}
	return nbJSON(t, args...)
}

func TestRunFailingCell(t *testing.T) {
	data := goNotebook(t, `import "fmt"`, "x := 41", "x = notDefinedAnywhere", `fmt.Println("after", x+1)`)
	r, doc, _ := runNotebook(t, data)
	if r.code != 1 || doc == nil {
		t.Fatalf("status %d, want 1 and a written notebook\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "cell 3 failed") || !strings.Contains(r.stderr, "notDefinedAnywhere") {
		t.Errorf("stderr does not show the failing cell:\n%s", r.stderr)
	}
	cells := doc["cells"].([]any)
	errOut := cells[2].(map[string]any)["outputs"].([]any)
	if len(errOut) == 0 || errOut[len(errOut)-1].(map[string]any)["output_type"] != "error" {
		t.Errorf("failing cell outputs %v", errOut)
	}
	if cells[3].(map[string]any)["execution_count"] != nil {
		t.Errorf("the cell after the failure ran")
	}

	r, doc, _ = runNotebook(t, data, "--allow-errors")
	if r.code != 0 || doc == nil {
		t.Fatalf("--allow-errors: status %d\n%s", r.code, r.stderr)
	}
	last := doc["cells"].([]any)[3].(map[string]any)["outputs"].([]any)
	if len(last) != 1 || joined(last[0].(map[string]any)["text"]) != "after 42\n" {
		t.Errorf("--allow-errors: last cell outputs %v", last)
	}
}

func TestRunTimeoutKeepsState(t *testing.T) {
	data := goNotebook(t, "n := 5", "for {\n\tn = n + 0\n}", "n * 2")
	start := time.Now()
	r, doc, _ := runNotebook(t, data, "--timeout", "1s", "--allow-errors")
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("run took %v", d)
	}
	if r.code != 0 || doc == nil {
		t.Fatalf("status %d\n%s", r.code, r.stderr)
	}
	cells := doc["cells"].([]any)
	outs := cells[1].(map[string]any)["outputs"].([]any)
	if len(outs) == 0 || outs[len(outs)-1].(map[string]any)["ename"] != "CellTimeoutError" {
		t.Errorf("timed-out cell outputs %v", outs)
	}
	res := cells[2].(map[string]any)["outputs"].([]any)
	if len(res) != 1 || joined(res[0].(map[string]any)["data"].(map[string]any)["text/plain"]) != "10" {
		t.Errorf("state after the timeout: %v", res)
	}
	r, _, _ = runNotebook(t, data, "--timeout", "1s")
	if r.code != 1 || !strings.Contains(r.stderr, "CellTimeoutError") {
		t.Errorf("timeout without --allow-errors: status %d\n%s", r.code, r.stderr)
	}
}

// startKernel runs `godl kernel -f` on a fresh connection file and
// returns the process and a client connected to it.
func startKernel(t *testing.T) (*exec.Cmd, *kerneltest.Client, *bytes.Buffer) {
	t.Helper()
	info, err := kerneltest.NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	connFile := filepath.Join(t.TempDir(), "kernel-test.json")
	if err := kerneltest.WriteConnectionFile(connFile, info); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(godlBin, "kernel", "-f", connFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("kernel stderr:\n%s", stderr.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := kerneltest.Dial(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return cmd, c, &stderr
}

// waitExit waits for the kernel process to end and returns its status.
func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		t.Fatalf("the kernel did not exit within %v", within)
	}
	return -1
}

func streamText(msgs []*kernel.Message) string { return kerneltest.Stream(msgs, "stdout") }

func TestKernelCommand(t *testing.T) {
	cmd, c, _ := startKernel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reply, err := c.WaitReady(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ki := kerneltest.Content(reply)
	li, _ := ki["language_info"].(map[string]any)
	if ki["implementation"] != "godl" || ki["implementation_version"] != Version || li["name"] != "go" ||
		li["version"] != strings.TrimPrefix(runtime.Version(), "go") || li["file_extension"] != ".go" ||
		li["mimetype"] != "text/x-go" || li["codemirror_mode"] != "go" || li["pygments_lexer"] != "go" {
		t.Errorf("kernel_info_reply %v", ki)
	}

	rep, pubs, err := c.Execute(ctx, "import \"fmt\"\ncounter := 1\nfmt.Println(\"hello from\", counter)")
	if err != nil {
		t.Fatal(err)
	}
	if kerneltest.Content(rep)["status"] != "ok" || streamText(pubs) != "hello from 1\n" {
		t.Errorf("execute: %v, stdout %q", kerneltest.Content(rep), streamText(pubs))
	}

	// SIGINT interrupts the running cell, and the state stays.
	id, err := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("for {\n\tcounter = counter + 0\n}"))
	if err != nil {
		t.Fatal(err)
	}
	// Signal until the reply comes: a SIGINT that arrives before the cell
	// starts has nothing to stop.
	for rep = nil; rep == nil; {
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
		rep, err = c.Reply(wctx, id)
		wcancel()
		if err != nil && ctx.Err() != nil {
			t.Fatal(err)
		}
	}
	if kerneltest.Content(rep)["status"] != "error" {
		t.Errorf("interrupted cell: %v", kerneltest.Content(rep))
	}
	c.IOPubUntilIdle(ctx, id)
	rep, pubs, err = c.Execute(ctx, "counter + 1")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := kerneltest.Find(pubs, "execute_result"); err != nil || kerneltest.Content(res)["data"].(map[string]any)["text/plain"] != "2" {
		t.Errorf("state after SIGINT: %v %v", kerneltest.Content(rep), err)
	}

	// shutdown_request on control: the reply, then a clean exit.
	rep, err = c.Request(ctx, kerneltest.Control, "shutdown_request", map[string]any{"restart": false})
	if err != nil {
		t.Fatal(err)
	}
	if kerneltest.Content(rep)["restart"] != false {
		t.Errorf("shutdown_reply %v", kerneltest.Content(rep))
	}
	if code := waitExit(t, cmd, 20*time.Second); code != 0 {
		t.Errorf("exit status %d after shutdown_request", code)
	}
}

func TestKernelSIGTERM(t *testing.T) {
	cmd, c, _ := startKernel(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 20*time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
}

const python = "/usr/bin/python3"

// pythonHas reports whether Debian's Python imports all the modules.
func pythonHas(modules ...string) bool {
	if _, err := os.Stat(python); err != nil {
		return false
	}
	return exec.Command(python, "-c", "import "+strings.Join(modules, ", ")).Run() == nil
}

// TestJupyterConformance runs the Python tests in tests/ (the
// jupyter_kernel_test suite and nbclient) against the godl kernel,
// installed into a temporary prefix found through JUPYTER_PATH.
func TestJupyterConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if !pythonHas("jupyter_client", "jupyter_kernel_test", "nbclient", "nbformat") {
		msg := "/usr/bin/python3 lacks jupyter_client, jupyter_kernel_test, nbclient or nbformat " +
			"(apt-get install python3-jupyter-client python3-jupyter-kernel-test python3-nbclient python3-nbformat)"
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set: " + msg)
		}
		t.Skip(msg)
	}
	prefix := t.TempDir()
	if r := runGodl(t, "", nil, "install", "--prefix", prefix); r.code != 0 {
		t.Fatalf("install: %s%s", r.stdout, r.stderr)
	}
	jupyterPath := filepath.Join(prefix, "share", "jupyter")
	t.Run("kernelspec", func(t *testing.T) {
		// jupyter_client's KernelSpecManager (what `jupyter kernelspec
		// list` and every front end use) finds and loads the spec.
		cmd := exec.Command(python, "-c", `
import json
from jupyter_client.kernelspec import KernelSpecManager
spec = KernelSpecManager().get_kernel_spec("godl")
print(json.dumps({"argv": spec.argv, "display_name": spec.display_name, "language": spec.language,
                  "interrupt_mode": spec.interrupt_mode, "resource_dir": spec.resource_dir}))`)
		cmd.Env = append(os.Environ(), "JUPYTER_PATH="+jupyterPath)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("KernelSpecManager: %v\n%s", err, out)
		}
		var got struct {
			Argv          []string `json:"argv"`
			DisplayName   string   `json:"display_name"`
			Language      string   `json:"language"`
			InterruptMode string   `json:"interrupt_mode"`
			ResourceDir   string   `json:"resource_dir"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if got.DisplayName != "Go (godl)" || got.Language != "go" || got.InterruptMode != "message" ||
			got.ResourceDir != filepath.Join(jupyterPath, "kernels", "godl") || len(got.Argv) != 6 ||
			filepath.Base(got.Argv[0]) != "godl-kernel" || got.Argv[2] != "--worker" {
			t.Errorf("spec as Jupyter sees it: %+v", got)
		}
	})
	t.Run("console", func(t *testing.T) {
		console, err := exec.LookPath("jupyter-console")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("CI is set but jupyter-console is missing (apt-get install jupyter-console)")
			}
			t.Skip("jupyter-console is not installed")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, console, "--simple-prompt", "--kernel", "godl")
		cmd.Env = append(os.Environ(), "JUPYTER_PATH="+jupyterPath, "JUPYTER_RUNTIME_DIR="+t.TempDir())
		cmd.Stdin = strings.NewReader("import \"fmt\"\nfmt.Println(6 * 7)\nanswer := 40\nanswer + 2\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("jupyter console: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "godl "+Version) || !strings.Contains(string(out), "Out[4]: 42") ||
			!strings.Contains(string(out), "In [2]: 42") {
			t.Errorf("jupyter console session:\n%s", out)
		}
	})
	for _, file := range []string{"test_kernel.py", "test_nbclient.py"} {
		t.Run(strings.TrimSuffix(file, ".py"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, python, "-m", "unittest", "-v", strings.TrimSuffix(file, ".py"))
			cmd.Dir = "tests"
			runtimeDir := t.TempDir()
			cmd.Env = append(os.Environ(),
				"JUPYTER_PATH="+jupyterPath,
				"JUPYTER_RUNTIME_DIR="+runtimeDir,
				"PYTHONDONTWRITEBYTECODE=1",
				"GODL_KERNEL_NAME=godl",
			)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("python3 -m unittest %s: %v\n%s", file, err, out)
				return
			}
			t.Logf("%s", out)
		})
	}
}

// A kernel whose parent dies (a crashed Jupyter server) shuts down
// instead of staying behind as an orphan.
func TestKernelExitsWithParent(t *testing.T) {
	info, err := kerneltest.NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	connFile := filepath.Join(t.TempDir(), "kernel-orphan.json")
	if err := kerneltest.WriteConnectionFile(connFile, info); err != nil {
		t.Fatal(err)
	}
	// sh starts the kernel, prints its pid and exits a moment later.
	sh := exec.Command("/bin/sh", "-c", `"$0" kernel -f "$1" >/dev/null 2>&1 & echo $!; sleep 1`, godlBin, connFile)
	sh.WaitDelay = 5 * time.Second // never wait for the kernel's end here
	out, err := sh.Output()
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscan(string(out), &pid); err != nil {
		t.Fatalf("pid %q: %v", out, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the orphaned kernel is still running 20s after its parent exited")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processAlive reports whether pid runs (a zombie does not count).
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state follows the parenthesised command name.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// Rich output through the real worker: a PNG display, a display updated
// through its handle, clear_output now and with wait.
func TestRunRichOutputs(t *testing.T) {
	data := goNotebook(t,
		"import (\n\t\"fmt\"\n\t\"image\"\n)\ndisplay.Show(image.NewRGBA(image.Rect(0, 0, 4, 3)))",
		"h := display.New()\nh.Show(display.Text(\"0%\"))\nh.Update(display.Text(\"100%\"))",
		"fmt.Println(\"gone\")\ndisplay.Clear(false)\nfmt.Println(\"kept\")",
		"for i := 0; i < 3; i++ {\n\tdisplay.Clear(true)\n\tdisplay.Show(display.Markdown(fmt.Sprint(\"frame \", i)))\n}",
	)
	r, doc, outPath := runNotebook(t, data)
	if r.code != 0 || doc == nil {
		t.Fatalf("status %d\n%s", r.code, r.stderr)
	}
	outs := func(i int) []any { return doc["cells"].([]any)[i].(map[string]any)["outputs"].([]any) }
	only := func(i int) map[string]any {
		t.Helper()
		o := outs(i)
		if len(o) != 1 {
			t.Fatalf("cell %d: %d outputs, want 1: %v", i+1, len(o), o)
		}
		return o[0].(map[string]any)
	}
	png := only(0)
	b64, _ := png["data"].(map[string]any)["image/png"].(string)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("image/png is not base64: %v", err)
	}
	img, err := pngpkg.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 4 || img.Bounds().Dy() != 3 {
		t.Errorf("image/png: %v %v", err, img)
	}
	if got := joined(only(1)["data"].(map[string]any)["text/plain"]); got != "100%" {
		t.Errorf("updated display shows %q", got)
	}
	if got := joined(only(2)["text"]); got != "kept\n" {
		t.Errorf("after clear_output: %q", got)
	}
	if got := joined(only(3)["data"].(map[string]any)["text/markdown"]); got != "frame 2" {
		t.Errorf("after clear_output(wait): %q", got)
	}
	validateNotebook(t, outPath)
}

// Ctrl-C during `godl run` interrupts the cell, stops the run and still
// writes what ran; the exit status says it was interrupted.
func TestRunCtrlC(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "nb.ipynb")
	data := goNotebook(t, "import \"fmt\"\nfmt.Println(\"first\")", "for {\n}", "fmt.Println(\"never\")")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(godlBin, "run", in)
	var stderr testutil.LockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the second cell to start, then press Ctrl-C.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(stderr.String(), "[1/3] ok") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("first cell did not finish:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	if code := waitExit(t, cmd, 30*time.Second); code != 130 {
		t.Errorf("exit status %d, want 130\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "nb.out.ipynb"))
	if err != nil {
		t.Fatalf("nothing written after Ctrl-C: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	cells := doc["cells"].([]any)
	if got := joined(cells[0].(map[string]any)["outputs"].([]any)[0].(map[string]any)["text"]); got != "first\n" {
		t.Errorf("first cell output %q", got)
	}
	outs := cells[1].(map[string]any)["outputs"].([]any)
	if len(outs) == 0 || outs[len(outs)-1].(map[string]any)["ename"] != "KeyboardInterrupt" {
		t.Errorf("interrupted cell outputs %v", outs)
	}
	if cells[2].(map[string]any)["execution_count"] != nil {
		t.Errorf("the run went on after Ctrl-C")
	}
}

// Every tutorial in notebooks/ runs cleanly: they are executed in CI.
func TestNotebooksRun(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, ".out.ipynb") {
			continue
		}
		n++
		t.Run(filepath.Base(p), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipynb")
			r := runGodl(t, "", nil, "run", "--timeout", "10m", p, "-o", out)
			if r.code != 0 {
				t.Fatalf("godl run %s: status %d\n%s", p, r.code, r.stderr)
			}
			validateNotebook(t, out)
		})
	}
	if n == 0 {
		t.Fatal("no notebooks in notebooks/")
	}
}

// `godl install --user` writes where jupyter_core says the user's data
// directory is, for the same environment.
func TestInstallUserMatchesJupyter(t *testing.T) {
	if !pythonHas("jupyter_core") {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but /usr/bin/python3 has no jupyter_core")
		}
		t.Skip("/usr/bin/python3 has no jupyter_core")
	}
	home := t.TempDir()
	for _, env := range [][]string{
		{"HOME=" + home, "XDG_DATA_HOME=", "JUPYTER_DATA_DIR="},
		{"HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "xdg"), "JUPYTER_DATA_DIR="},
		{"HOME=" + home, "XDG_DATA_HOME=", "JUPYTER_DATA_DIR=" + filepath.Join(home, "jd")},
	} {
		cmd := exec.Command(python, "-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(strings.TrimSpace(string(out)), "kernels", "godl")
		r := runGodl(t, "", env, "install", "--user")
		if r.code != 0 || !strings.Contains(r.stdout, " in "+want+"\n") {
			t.Errorf("env %q: jupyter's user kernels dir is %s; godl install --user said:\n%s%s", env, want, r.stdout, r.stderr)
		}
	}
}

// `godl run -` reads the notebook from standard input and writes the
// executed one to standard output, as in a pipeline.
func TestRunStdinToStdout(t *testing.T) {
	cmd := exec.Command(godlBin, "run", "-q", "-")
	cmd.Stdin = bytes.NewReader(goNotebook(t, "6 * 7"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	nb, err := parseNotebook(out)
	if err != nil {
		t.Fatalf("stdout is not a notebook: %v\n%s", err, out)
	}
	res := nb.cells[0]["outputs"].([]any)
	if len(res) != 1 || joined(res[0].(map[string]any)["data"].(map[string]any)["text/plain"]) != "42" {
		t.Errorf("outputs %v", res)
	}
}
