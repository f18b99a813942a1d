// Package install writes godl's Jupyter kernelspec: a directory holding
// kernel.json and the logos, in the places `jupyter kernelspec install`
// uses, so that Jupyter front ends list the "Go (godl)" kernel.
package install

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
)

//go:generate go run gen_logo.go

// Logos drawn by gen_logo.go; Jupyter shows them in its launcher.
var (
	//go:embed logo-32x32.png
	Logo32 []byte
	//go:embed logo-64x64.png
	Logo64 []byte
	//go:embed logo-svg.svg
	LogoSVG []byte
)

// Defaults of a kernelspec.
const (
	DefaultName        = "godl"
	DefaultDisplayName = "Go (godl)"
)

// Scope says which Jupyter data directory receives the kernelspec.
type Scope int

const (
	// User installs into the user's Jupyter data directory
	// ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter on Linux,
	// ~/Library/Jupyter on macOS), as `jupyter kernelspec install --user`.
	User Scope = iota
	// Prefix installs into Options.Prefix/share/jupyter, as --prefix.
	Prefix
	// SysPrefix installs into sys.prefix/share/jupyter of the python3 on
	// PATH (a virtualenv or conda env when one is active), as --sys-prefix.
	SysPrefix
	// System installs into /usr/local/share/jupyter, the default of
	// `jupyter kernelspec install` (usually needs root).
	System
)

// Options describe one installation.
type Options struct {
	Scope  Scope
	Prefix string // for Scope Prefix
	// Name is the kernelspec directory name (default "godl"); Jupyter
	// selects kernels by it.
	Name string
	// DisplayName is what front ends show (default "Go (godl)").
	DisplayName string
	// Executable is the godl binary kernel.json runs; default
	// os.Executable(). A binary built by `go run` lives in a temporary
	// directory: it is copied into the kernelspec directory first.
	Executable string
	// Front, if set, is a kernel front binary (godl built with -tags
	// godl_front: the kernel without the interpreter) to copy into the
	// kernelspec directory: kernel.json then runs the front, which runs
	// cells in Executable. A front starts in milliseconds and holds a
	// few MiB; without one, kernel.json runs Executable for both roles.
	Front string
	// Version is recorded in the kernelspec metadata.
	Version string
}

// Result tells what Install wrote.
type Result struct {
	// Dir is the kernelspec directory (…/kernels/NAME).
	Dir string
	// Binary is the absolute path of the godl binary that runs cells
	// (and the kernel too, when there is no Front).
	Binary string
	// Front is the absolute path of the installed kernel front, if any.
	Front string
	// Copied is true when the binary was copied into Dir (it was
	// temporary, as under `go run`).
	Copied bool
	// Changed is false when everything was already in place.
	Changed bool
}

// KernelSpec is the content of kernel.json.
type KernelSpec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata"`
}

// validName compiles on first use: the kernel process links this package
// and should reach its socket binds as early as it can.
var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9._-]+$`) })

// KernelsDir returns the "kernels" directory of the Jupyter data
// directory that the options select.
func KernelsDir(opts Options) (string, error) {
	var data string
	switch opts.Scope {
	case User:
		d, err := userDataDir()
		if err != nil {
			return "", err
		}
		data = d
	case Prefix:
		if opts.Prefix == "" {
			return "", errors.New("install: --prefix needs a directory")
		}
		p, err := filepath.Abs(opts.Prefix)
		if err != nil {
			return "", fmt.Errorf("install: prefix %q: %w", opts.Prefix, err)
		}
		data = filepath.Join(p, "share", "jupyter")
	case SysPrefix:
		p, err := pythonSysPrefix()
		if err != nil {
			return "", err
		}
		data = filepath.Join(p, "share", "jupyter")
	case System:
		if runtime.GOOS == "windows" {
			data = filepath.Join(os.Getenv("PROGRAMDATA"), "jupyter")
		} else {
			data = "/usr/local/share/jupyter"
		}
	default:
		return "", fmt.Errorf("install: unknown scope %d", opts.Scope)
	}
	return filepath.Join(data, "kernels"), nil
}

// userDataDir mirrors jupyter_core.paths.jupyter_data_dir.
func userDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("install: no home directory for --user: %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
		return filepath.Join(home, ".jupyter", "data"), nil
	}
	xdg := os.Getenv("XDG_DATA_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(xdg, "jupyter"), nil
}

// pythonSysPrefix asks the python3 on PATH for sys.prefix, as
// `python -m ipykernel install --sys-prefix` run by that Python would.
func pythonSysPrefix() (string, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("install: --sys-prefix needs python3 on PATH (it installs into sys.prefix/share/jupyter); use --prefix DIR instead")
	}
	out, err := exec.Command(py, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("install: asking %s for sys.prefix: %w", py, err)
	}
	p := strings.TrimSpace(string(out))
	if p == "" {
		return "", fmt.Errorf("install: %s printed an empty sys.prefix", py)
	}
	return p, nil
}

// Install writes the kernelspec directory NAME under the kernels
// directory the options select: kernel.json and the logos, each written
// atomically. Running it again with the same binary changes nothing.
func Install(opts Options) (Result, error) {
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if !validName().MatchString(opts.Name) {
		return Result{}, fmt.Errorf("install: invalid kernel name %q (use letters, digits, '.', '_' and '-')", opts.Name)
	}
	if opts.DisplayName == "" {
		opts.DisplayName = DefaultDisplayName
	}
	kernels, err := KernelsDir(opts)
	if err != nil {
		return Result{}, err
	}
	res := Result{Dir: filepath.Join(kernels, opts.Name)}
	if err := os.MkdirAll(res.Dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("install: %w", err)
	}

	exe := opts.Executable
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return Result{}, fmt.Errorf("install: locating the godl binary: %w", err)
		}
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return Result{}, fmt.Errorf("install: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	res.Binary = exe
	if IsTemporary(exe) {
		res.Binary = filepath.Join(res.Dir, "bin", BinaryName())
		changed, err := copyBinary(exe, res.Binary)
		if err != nil {
			return Result{}, err
		}
		res.Copied = true
		res.Changed = changed
	}

	argv := []string{res.Binary, "kernel", "-f", "{connection_file}"}
	if opts.Front != "" {
		res.Front = filepath.Join(res.Dir, "bin", FrontName())
		changed, err := copyBinary(opts.Front, res.Front)
		if err != nil {
			return Result{}, err
		}
		res.Changed = res.Changed || changed
		argv = []string{res.Front, "kernel", "--worker", res.Binary, "-f", "{connection_file}"}
	} else if err := os.Remove(filepath.Join(res.Dir, "bin", FrontName())); err == nil {
		res.Changed = true // a front of an earlier install must not linger
	}

	spec := KernelSpec{
		Argv:          argv,
		DisplayName:   opts.DisplayName,
		Language:      "go",
		InterruptMode: "message",
		Metadata: map[string]any{
			"debugger": false,
			"godl":     map[string]any{"version": opts.Version},
		},
	}
	js, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return Result{}, fmt.Errorf("install: %w", err)
	}
	js = append(js, '\n')
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"kernel.json", js, 0o644},
		{"logo-32x32.png", Logo32, 0o644},
		{"logo-64x64.png", Logo64, 0o644},
		{"logo-svg.svg", LogoSVG, 0o644},
	}
	for _, f := range files {
		changed, err := writeIfChanged(filepath.Join(res.Dir, f.name), f.data, f.mode)
		if err != nil {
			return Result{}, err
		}
		res.Changed = res.Changed || changed
	}
	return res, nil
}

// ReadSpec reads the kernel.json of the kernelspec directory dir.
func ReadSpec(dir string) (KernelSpec, error) {
	var ks KernelSpec
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return ks, err
	}
	if err := json.Unmarshal(b, &ks); err != nil {
		return ks, fmt.Errorf("%s: %w", filepath.Join(dir, "kernel.json"), err)
	}
	return ks, nil
}

// BinaryName is the file name of the godl binary ("godl", "godl.exe" on
// Windows), as `go build` and `go install` name it.
func BinaryName() string {
	if runtime.GOOS == "windows" {
		return "godl.exe"
	}
	return "godl"
}

// FrontName is the file name of the kernel front binary.
func FrontName() string {
	if runtime.GOOS == "windows" {
		return "godl-kernel.exe"
	}
	return "godl-kernel"
}

// IsTemporary reports whether the binary at path is one that the go
// command may delete: built by `go run` into a go-build temporary
// directory or kept in the Go build cache.
func IsTemporary(path string) bool {
	clean := filepath.Clean(path)
	for _, part := range strings.Split(filepath.ToSlash(clean), "/") {
		if strings.HasPrefix(part, "go-build") {
			return true
		}
	}
	for _, dir := range []string{os.TempDir(), os.Getenv("GOCACHE")} {
		if dir == "" {
			continue
		}
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
		if rel, err := filepath.Rel(dir, clean); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	return false
}

// copyBinary copies the executable src to dst atomically unless dst
// already has the same content. A running kernel keeps its old binary:
// rename replaces the directory entry, not the file it runs from.
func copyBinary(src, dst string) (changed bool, err error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return false, fmt.Errorf("install: reading the godl binary: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, fmt.Errorf("install: %w", err)
	}
	return writeIfChanged(dst, data, 0o755)
}

// writeIfChanged writes data to path atomically (a temporary file in the
// same directory, then rename) unless path already holds exactly data
// with the mode wanted.
func writeIfChanged(path string, data []byte, mode os.FileMode) (bool, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() == mode && fi.Size() == int64(len(data)) {
		if same, err := sameContent(path, data); err == nil && same {
			return false, nil
		}
	}
	if err := WriteFileAtomic(path, data, mode); err != nil {
		return false, fmt.Errorf("install: %w", err)
	}
	return true, nil
}

func sameContent(path string, data []byte) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	want := sha256.Sum256(data)
	return bytes.Equal(h.Sum(nil), want[:]), nil
}

// WriteFileAtomic writes data to path through a temporary file in the
// same directory that is synced and renamed over path, so that readers
// see the old content or the new one, never a part.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", tmp, path, err)
	}
	return nil
}
