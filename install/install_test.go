package install

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLogosAreRealPNGs(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		size int
	}{{"logo-32x32.png", Logo32, 32}, {"logo-64x64.png", Logo64, 64}} {
		img, err := png.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Errorf("%s is %v, want %dx%d", tc.name, b, tc.size, tc.size)
		}
		// The centre of the tile is Go blue or white, never transparent.
		if _, _, _, a := img.At(tc.size/2, tc.size/2).RGBA(); a != 0xffff {
			t.Errorf("%s: centre pixel alpha %#x, want opaque", tc.name, a)
		}
	}
	if !bytes.HasPrefix(LogoSVG, []byte("<svg")) {
		t.Errorf("logo-svg.svg does not start with <svg")
	}
}

func TestKernelsDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("JUPYTER_DATA_DIR", "")
	prefix := t.TempDir()
	userWant := filepath.Join(home, ".local", "share", "jupyter", "kernels")
	if runtime.GOOS == "darwin" {
		userWant = filepath.Join(home, "Library", "Jupyter", "kernels")
	}
	tests := []struct {
		name string
		env  map[string]string
		opts Options
		want string
	}{
		{"user", nil, Options{Scope: User}, userWant},
		{"user JUPYTER_DATA_DIR", map[string]string{"JUPYTER_DATA_DIR": filepath.Join(home, "jd")}, Options{Scope: User}, filepath.Join(home, "jd", "kernels")},
		{"prefix", nil, Options{Scope: Prefix, Prefix: prefix}, filepath.Join(prefix, "share", "jupyter", "kernels")},
		{"system", nil, Options{Scope: System}, "/usr/local/share/jupyter/kernels"},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests, struct {
			name string
			env  map[string]string
			opts Options
			want string
		}{"user XDG", map[string]string{"XDG_DATA_HOME": filepath.Join(home, "xdg")}, Options{Scope: User}, filepath.Join(home, "xdg", "jupyter", "kernels")})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got, err := KernelsDir(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("KernelsDir = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := KernelsDir(Options{Scope: Prefix}); err == nil {
		t.Error("--prefix without a directory: no error")
	}
}

func TestInstallIdempotentAndCopiesTemporaryBinary(t *testing.T) {
	prefix := t.TempDir()
	// A fake binary in a go-build directory stands for `go run`'s output.
	exe := filepath.Join(t.TempDir(), "go-build123", "b001", "exe", "godl")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho fake\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Scope: Prefix, Prefix: prefix, Executable: exe, Version: "test"}
	res, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	wantDir := filepath.Join(prefix, "share", "jupyter", "kernels", "godl")
	if res.Dir != wantDir || !res.Copied || !res.Changed {
		t.Fatalf("Install = %+v, want Dir %s, copied, changed", res, wantDir)
	}
	if res.Binary != filepath.Join(wantDir, "bin", "godl") {
		t.Errorf("binary = %s", res.Binary)
	}
	if fi, err := os.Stat(res.Binary); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("copied binary not executable: %v %v", fi, err)
	}
	spec, err := ReadSpec(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Argv) != 4 || spec.Argv[0] != res.Binary || spec.Argv[1] != "kernel" || spec.Argv[2] != "-f" || spec.Argv[3] != "{connection_file}" {
		t.Errorf("argv = %q", spec.Argv)
	}
	if spec.DisplayName != "Go (godl)" || spec.Language != "go" || spec.InterruptMode != "message" {
		t.Errorf("spec = %+v", spec)
	}
	for _, f := range []string{"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"} {
		if _, err := os.Stat(filepath.Join(res.Dir, f)); err != nil {
			t.Error(err)
		}
	}
	again, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed {
		t.Errorf("second install changed files: %+v", again)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(res.Dir)
	for _, e := range entries {
		if e.Name()[0] == '.' {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestInstallStableBinaryIsReferencedInPlace(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("path layout")
	}
	// A binary outside temporary directories (as after `go install`).
	home := t.TempDir()
	exe := filepath.Join(home, "bin", "godl")
	os.MkdirAll(filepath.Dir(exe), 0o755)
	os.WriteFile(exe, []byte("x"), 0o755)
	if IsTemporary(exe) && !IsTemporary("/usr/local/bin/godl") {
		// t.TempDir is itself under os.TempDir; use a path that is not.
		exe = "/usr/local/bin/godl"
	}
	res, err := Install(Options{Scope: Prefix, Prefix: t.TempDir(), Executable: exe, Name: "godl-test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied || res.Binary != exe {
		t.Errorf("stable binary %s: %+v", exe, res)
	}
	if filepath.Base(res.Dir) != "godl-test" {
		t.Errorf("dir %s, want name godl-test", res.Dir)
	}
	if _, err := Install(Options{Scope: Prefix, Prefix: t.TempDir(), Executable: exe, Name: "bad name/"}); err == nil {
		t.Error("invalid name accepted")
	}
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/tmp/go-build2070867669/b001/exe/godl", true},
		{filepath.Join(os.TempDir(), "x", "godl"), true},
		{"/usr/local/bin/godl", false},
		{"/home/me/go/bin/godl", false},
	}
	for _, tc := range tests {
		if got := IsTemporary(tc.path); got != tc.want {
			t.Errorf("IsTemporary(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// --sys-prefix asks the python3 on PATH for sys.prefix; a stand-in
// python3 keeps the test away from the real system directories.
func TestKernelsDirSysPrefix(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script stand-in")
	}
	bin, env := t.TempDir(), t.TempDir()
	script := "#!/bin/sh\necho " + env + "\n"
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	got, err := KernelsDir(Options{Scope: SysPrefix})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(env, "share", "jupyter", "kernels"); got != want {
		t.Errorf("KernelsDir(--sys-prefix) = %s, want %s", got, want)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := KernelsDir(Options{Scope: SysPrefix}); err == nil || !strings.Contains(err.Error(), "python3") {
		t.Errorf("no python3: err = %v", err)
	}
}
