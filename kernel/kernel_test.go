package kernel_test

import (
	"context"
	"testing"
	"time"

	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// harness is a kernel with a fake evaluator and a connected client.
type harness struct {
	k      *kernel.Kernel
	fake   *fakeEvaluator
	c      *kerneltest.Client
	log    *testutil.LockedBuffer
	done   chan struct{}
	cancel context.CancelFunc
	// restart and err are what Run returned, once done is closed.
	restart bool
	err     error
}

var testInfo = kernel.Info{
	Implementation:        "godl-test",
	ImplementationVersion: "0.0.1",
	Banner:                "test kernel",
	LanguageInfo: kernel.LanguageInfo{
		Name: "go", Version: "1.26", Mimetype: "text/x-go", FileExtension: ".go",
		PygmentsLexer: "go", CodemirrorMode: "go",
	},
	HelpLinks: []kernel.HelpLink{{Text: "Go", URL: "https://go.dev/doc"}},
}

// start runs a kernel on free loopback ports with conn's scheme and key
// (defaults when zero) and connects a ready client. Everything stops at
// the end of the test.
func start(t testing.TB, conn kernel.ConnectionInfo) *harness {
	t.Helper()
	if conn.IP == "" {
		conn.IP = "127.0.0.1"
	}
	if conn.Key == "" && conn.SignatureScheme == "" {
		conn.Key = "secret-test-key"
	}
	h := &harness{fake: newFake(), log: &testutil.LockedBuffer{}, done: make(chan struct{})}
	k, err := kernel.New(kernel.Config{Connection: conn, Evaluator: h.fake, Info: testInfo, Log: h.log})
	if err != nil {
		t.Fatal(err)
	}
	h.k = k
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		defer close(h.done)
		h.restart, h.err = k.Run(ctx)
	}()
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	c, err := kerneltest.Dial(dctx, k.Connection())
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	h.c = c
	if _, err := c.WaitReady(dctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	c.DrainIOPub()
	t.Cleanup(func() {
		c.Close()
		cancel()
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after its context ended")
		}
		if t.Failed() {
			t.Logf("kernel log:\n%s", h.log.String())
		}
	})
	return h
}

// ctx returns a context that ends with the test or after d.
func ctx(t testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func contextWithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, d)
}
