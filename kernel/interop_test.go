package kernel_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// jupyterClientScript drives the kernel with the real jupyter_client
// (libzmq underneath): heartbeat, execute with output, an input round
// trip, complete, history and shutdown.
const jupyterClientScript = `
import sys, time
from jupyter_client import BlockingKernelClient
c = BlockingKernelClient()
c.load_connection_file(sys.argv[1])
c.start_channels()
c.wait_for_ready(timeout=10)
out = []
def hook(m):
    if m["msg_type"] == "stream":
        out.append(m["content"]["text"])
r = c.execute_interactive("print:hello\n", output_hook=hook, timeout=10)
assert r["content"]["status"] == "ok", r
def stdin_hook(m):
    assert m["content"]["prompt"] == "Name? ", m
    c.input("Gopher")
r = c.execute_interactive("input:Name? ", stdin_hook=stdin_hook, output_hook=hook, allow_stdin=True, timeout=10)
assert r["content"]["status"] == "ok", r
assert "".join(out) == "hello\ngot Gopher", out
r = c.complete("fmt.Print", 9, reply=True, timeout=5)
assert r["content"]["matches"] == ["Println", "Printf"], r
r = c.history(hist_access_type="tail", n=5, reply=True, timeout=5)
assert [h[2] for h in r["content"]["history"]] == ["print:hello\n", "input:Name? "], r
time.sleep(2)  # a few heartbeat periods
assert c.hb_channel.is_beating(), "heartbeat stopped"
r = c.shutdown(restart=True, reply=True, timeout=5)
assert r["content"]["restart"] is True, r
print("OK")
`

// TestJupyterClient checks interoperability with jupyter_client over tcp
// with hmac-sha256 and over ipc with hmac-sha512. It is
// skipped when Debian's python3-jupyter-client is missing, unless CI is
// set (then it fails).
func TestJupyterClient(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import jupyter_client").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but /usr/bin/python3 cannot import jupyter_client: %v", err)
		}
		t.Skipf("jupyter_client not installed: %v", err)
	}
	tcp, err := kerneltest.NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ipc := kernel.ConnectionInfo{Transport: "ipc", IP: filepath.Join(dir, "ipc"), ShellPort: 1, ControlPort: 2,
		IOPubPort: 3, StdinPort: 4, HBPort: 5, SignatureScheme: "hmac-sha512", Key: "interop"}
	for _, info := range []kernel.ConnectionInfo{tcp, ipc} {
		t.Run(info.Transport+"/"+info.SignatureScheme, func(t *testing.T) {
			path := filepath.Join(dir, info.Transport+".json")
			if err := kerneltest.WriteConnectionFile(path, info); err != nil {
				t.Fatal(err)
			}
			log := &testutil.LockedBuffer{}
			k, err := kernel.New(kernel.Config{Connection: info, Evaluator: newFake(), Info: testInfo, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			type result struct {
				restart bool
				err     error
			}
			done := make(chan result, 1)
			go func() {
				r, err := k.Run(ctx)
				done <- result{r, err}
			}()
			out, err := exec.CommandContext(ctx, "/usr/bin/python3", "-c", jupyterClientScript, path).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "OK") {
				t.Errorf("jupyter_client: %v\n%s\nkernel log:\n%s", err, out, log.String())
			}
			select {
			case r := <-done:
				if !r.restart || r.err != nil {
					t.Errorf("Run returned %v, %v; want true, nil", r.restart, r.err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return after shutdown_request")
			}
		})
	}
}
