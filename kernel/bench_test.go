package kernel_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// BenchmarkExecuteRoundTrip measures a trivial execute over real sockets:
// execute_request sent to execute_reply and iopub idle received, with the
// fake evaluator (so it is the kernel's and the client's cost).
func BenchmarkExecuteRoundTrip(b *testing.B) {
	h := start(b, kernel.ConnectionInfo{})
	cx := ctx(b, time.Minute)
	opts := kerneltest.DefaultExecute("value:1")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := h.c.ExecuteWith(cx, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTenThousandLines measures a cell printing 10,000 lines (one
// Stream call each) until all output and idle have arrived.
func BenchmarkTenThousandLines(b *testing.B) {
	h := start(b, kernel.ConnectionInfo{})
	cx := ctx(b, time.Minute)
	for i := 0; i < b.N; i++ {
		_, pubs, err := h.c.Execute(cx, "lines:10000")
		if err != nil {
			b.Fatal(err)
		}
		if n := len(kerneltest.Stream(pubs, "stdout")); n < 10000*7 {
			b.Fatalf("got %d bytes", n)
		}
	}
}

// BenchmarkComplete measures a complete_request round trip.
func BenchmarkComplete(b *testing.B) {
	h := start(b, kernel.ConnectionInfo{})
	cx := ctx(b, time.Minute)
	content := map[string]any{"code": "fmt.Print", "cursor_pos": 9}
	for i := 0; i < b.N; i++ {
		if _, err := h.c.Request(cx, kerneltest.Shell, "complete_request", content); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCodec measures signing and checking one execute_request.
func BenchmarkCodec(b *testing.B) {
	codec, _ := kernel.NewCodec("hmac-sha256", []byte("0123456789abcdef0123456789abcdef"))
	m := &kernel.Message{
		Identities: [][]byte{[]byte("peer")},
		Header:     kernel.Header{MsgID: "id", Session: "s", Username: "u", Date: "2026-11-28T12:00:00.000000Z", MsgType: "execute_request", Version: "5.4"},
		Content:    []byte(`{"code":"x := 1","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":true,"stop_on_error":true}`),
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		frames, err := codec.Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := codec.Decode(frames); err != nil {
			b.Fatal(fmt.Sprint(err))
		}
	}
}
