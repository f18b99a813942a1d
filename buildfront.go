package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/godl-kernel/godl/install"
)

// modulePath is godl's module path.
const modulePath = "github.com/godl-kernel/godl"

// frontTag is the build tag of the kernel front (front.go).
const frontTag = "godl_front"

// buildFront builds the kernel front — this command built with -tags
// godl_front, without the interpreter and the preloaded libraries — into
// dir and returns its path. It needs the go command and godl's source:
// the module this binary was built from (`go run .`, `go build`), or the
// released version it was installed at (`go install …@version`).
func buildFront(dir string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
			goCmd = p
		} else {
			return "", errors.New("the go command is not on PATH")
		}
	}
	out := filepath.Join(dir, install.FrontName())
	flags := []string{"-tags", frontTag, "-trimpath", "-ldflags", "-s -w", "-o", out}
	var cmd *exec.Cmd
	if src := moduleSource(); src != "" {
		cmd = exec.Command(goCmd, append([]string{"build"}, append(flags, ".")...)...)
		cmd.Dir = src
	} else if v := mainVersion(); v != "" {
		// `go install` of a release: build the same release.
		flags = flags[:len(flags)-2]
		cmd = exec.Command(goCmd, append([]string{"install"}, append(flags, modulePath+"@"+v)...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOBIN="+dir)
	} else {
		return "", errors.New("godl's source is not found (run install from the godl module, or install a released version)")
	}
	// A static binary starts without the dynamic loader: the front must
	// bind its sockets before the client's first connect attempt (libzmq
	// retries a refused connect only 100 ms later).
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(msg.String()))
	}
	if cmd.Dir == dir && !fileExists(out) {
		if err := os.Rename(filepath.Join(dir, install.BinaryName()), out); err != nil {
			return "", err
		}
	}
	return out, nil
}

// moduleSource returns the directory of godl's module source this binary
// was built from, or "" if it is not there: the directory of this file as
// the compiler saw it (absolute unless built with -trimpath), else the
// working directory.
func moduleSource() string {
	var dirs []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dirs = append(dirs, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && goModPath(data) == modulePath {
			return d
		}
	}
	return ""
}

// mainVersion is the module version this binary was built at, or "" for
// a development build.
func mainVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != modulePath || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return ""
	}
	return bi.Main.Version
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// goModPath returns the module path a go.mod declares.
func goModPath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], "\"`")
		}
	}
	return ""
}
