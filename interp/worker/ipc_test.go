package worker

import (
	"bytes"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/godl-kernel/godl/kernel"
)

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	fw := &frameWriter{w: &buf}
	msgs := []struct {
		kind msgKind
		id   uint32
		m    ipcMsg
	}{
		{reqExecute, 0, ipcMsg{Exec: &kernel.ExecuteRequest{Code: "x := 1\nx", ExecutionCount: 3, AllowStdin: true}}},
		{reqComplete, 7, ipcMsg{Code: "fmt.Pr", Cursor: 6}},
		{evExecDone, 0, ipcMsg{Result: &kernel.ExecuteResult{Status: "ok", Value: &kernel.Bundle{
			Data: map[string]any{"text/plain": "1"}, Metadata: map[string]any{}}}, Seq: 1 << 40, Mask: 3}},
		{evDisplay, 0, ipcMsg{Display: &kernel.Display{ID: "d1", Update: true, Bundle: kernel.Bundle{
			Data: map[string]any{"image/png": strings.Repeat("QUJD", 100000)}}}}},
		{evInput, 1<<32 - 1, ipcMsg{Prompt: "Name? ", Password: true}},
	}
	for _, m := range msgs {
		if err := fw.send(m.kind, m.id, &m.m); err != nil {
			t.Fatal(err)
		}
	}
	fr := newFrameReader(&buf)
	for _, want := range msgs {
		var got ipcMsg
		kind, id, err := fr.next(&got)
		if err != nil {
			t.Fatal(err)
		}
		if kind != want.kind || id != want.id || !reflect.DeepEqual(got, want.m) {
			t.Errorf("frame %d/%d: got %+v, want %+v", kind, id, got, want.m)
		}
	}
	if _, _, err := fr.next(new(ipcMsg)); err != io.EOF {
		t.Errorf("after the last frame: %v, want EOF", err)
	}
}

func TestFrameReaderRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"truncated header", []byte{0, 0, 0}},
		{"truncated body", []byte{0, 0, 0, 10, 1, 0, 0, 0, 0, '{'}},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0}},
		{"bad json", []byte{0, 0, 0, 1, 1, 0, 0, 0, 0, '['}},
	}
	for _, tc := range tests {
		if _, _, err := newFrameReader(bytes.NewReader(tc.in)).next(new(ipcMsg)); err == nil || err == io.EOF {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestSyncMarker(t *testing.T) {
	for _, seq := range []uint64{0, 1, 255, 1 << 63} {
		m := appendSyncMarker(nil, seq)
		if len(m) != syncMarkerLen || !bytes.HasPrefix(m, syncPrefix) {
			t.Fatalf("marker %q", m)
		}
		if got, ok := parseSyncMarker(m); !ok || got != seq {
			t.Errorf("parse(%q) = %d, %v", m, got, ok)
		}
	}
	bad := appendSyncMarker(nil, 5)
	bad[len(syncPrefix)] = 'z'
	if _, ok := parseSyncMarker(bad); ok {
		t.Error("parsed a marker with a non-hex digit")
	}
}

// TestStreamSplitterChunking feeds text with markers to the splitter in
// random chunks, flushing as the timer would between chunks, and checks
// that the text comes out whole, never splits a rune, and that each marker
// is reported after the text before it and before the text after it.
func TestStreamSplitterChunking(t *testing.T) {
	pieces := []string{"hello ", "wörld ", "€uro ", "😀 ", "\n", string(syncPrefix[:5]), "\x00", "日本語", "x"}
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 300; iter++ {
		var in []byte
		var wantText strings.Builder
		var wantEvents []string
		var seq uint64
		var since strings.Builder
		for i := rng.Intn(40); i >= 0; i-- {
			if rng.Intn(6) == 0 {
				seq++
				in = appendSyncMarker(in, seq)
				wantEvents = append(wantEvents, "text:"+since.String(), "sync")
				since.Reset()
				continue
			}
			p := pieces[rng.Intn(len(pieces))]
			in = append(in, p...)
			wantText.WriteString(p)
			since.WriteString(p)
		}
		var gotText strings.Builder
		var events []string
		var cur strings.Builder
		var lastSeq uint64
		sp := &streamSplitter{
			emit: func(s string) {
				if utf8.ValidString(wantText.String()) && !utf8.ValidString(s) {
					t.Fatalf("chunk %q splits a rune (input %q)", s, in)
				}
				gotText.WriteString(s)
				cur.WriteString(s)
			},
			synced: func(s uint64) {
				if s != lastSeq+1 {
					t.Fatalf("marker %d after %d", s, lastSeq)
				}
				lastSeq = s
				events = append(events, "text:"+cur.String(), "sync")
				cur.Reset()
			},
		}
		for rest := in; len(rest) > 0; {
			n := 1 + rng.Intn(min(len(rest), 40))
			sp.write(rest[:n])
			rest = rest[n:]
			if rng.Intn(2) == 0 {
				sp.flush(false)
			}
		}
		sp.finish()
		if gotText.String() != wantText.String() {
			t.Fatalf("text %q, want %q", gotText.String(), wantText.String())
		}
		if lastSeq != seq || strings.Join(events, "|") != strings.Join(wantEvents, "|") {
			t.Fatalf("events %q, want %q", events, wantEvents)
		}
	}
}

func TestIncompleteRuneTail(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 0}, {"é", 0}, {"a\xc3", 1}, {"\xe2\x82", 2}, {"\xf0\x9f\x98", 3},
		{"😀", 0}, {"a\x82", 0}, {"\xff", 0},
	}
	for _, tc := range tests {
		if got := incompleteRuneTail([]byte(tc.in)); got != tc.want {
			t.Errorf("incompleteRuneTail(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestExtractCrash(t *testing.T) {
	panicText := "earlier output\npanic: boom [recovered]\n\tpanic: again\n\ngoroutine 7 [running]:\nmain.f()\n\t/x.go:3 +0x1\ncreated by main.g\n\t/x.go:9 +0x2\n"
	overflow := "runtime: goroutine stack exceeds 268435456-byte limit\nruntime: sp=0xc0200e0390 stack=[0xc0200e0000, 0xc0400e0000]\nfatal error: stack overflow\n\nruntime stack:\n" +
		"runtime.throw({0x18a0e67?, 0x0?})\n\t/usr/local/go/src/runtime/panic.go:1229 +0x48\n\ngoroutine 5 gp=0x1 m=6 [running]:\n" +
		strings.Repeat("main.rec(...)\n\t/x.go:9 +0x1\n", 100)
	yaegi := "panic: boom [recovered, repanicked]\n\ngoroutine 23 [running]:\ngithub.com/traefik/yaegi/interp.runCfg.func1()\n\t/y/run.go:226 +0x1ae\n" +
		"panic({0x1872940?, 0x1272af5e00a8?})\n\t/usr/local/go/src/runtime/panic.go:860 +0x13a\n" +
		"gonum.org/v1/gonum/mat.(*Dense).Mul(...)\n\t/g/mat.go:1 +0x1\n" +
		"reflect.Value.call({0x161f660?, 0x1272af9bec00?, 0x13?}, {0x188b2c8, 0x4}, {0x2c83240, 0x0, 0x0?})\n\t/usr/local/go/src/reflect/value.go:586 +0xf0c\n" +
		"created by github.com/traefik/yaegi/interp.call.func9 in goroutine 22\n\t/y/run.go:1322 +0xf0f\n"
	tests := []struct {
		name, tail   string
		cell         int
		wantHeadline string
		wantFirst    string
		wantLines    int
	}{
		{"panic", panicText, 0, "panic: boom", "panic: boom [recovered]", 8},
		{"overflow", overflow, 0, "fatal error: stack overflow", "runtime: goroutine stack exceeds 268435456-byte limit", crashMaxLines + 1},
		{"yaegi frames", yaegi, 0, "panic: boom", "panic: boom [recovered, repanicked]", 7},
		{"quiet exit shows the cell's stderr", "old\nnew 1\nnew 2\n", len("new 1\nnew 2\n"), "", "new 1", 2},
		{"quiet exit, nothing", "old\n", 0, "", "", 0},
	}
	for _, tc := range tests {
		h, lines := extractCrash(tc.tail, tc.cell)
		if strings.Contains(strings.Join(lines, "\n"), "runtime.throw") {
			t.Errorf("%s: the runtime's stack is shown: %q", tc.name, lines)
		}
		if h != tc.wantHeadline || len(lines) != tc.wantLines || (len(lines) > 0 && lines[0] != tc.wantFirst) {
			t.Errorf("%s: extractCrash = %q, %d lines %q", tc.name, h, len(lines), lines)
		}
	}
}

// BenchmarkFrameExecute measures encoding and decoding one trivial Execute
// request and its result, the IPC's own cost per cell.
func BenchmarkFrameExecute(b *testing.B) {
	var buf bytes.Buffer
	fw := &frameWriter{w: &buf}
	fr := newFrameReader(&buf)
	req := &ipcMsg{Exec: &kernel.ExecuteRequest{Code: "1", ExecutionCount: 1, StoreHistory: true}}
	res := &ipcMsg{Result: &kernel.ExecuteResult{Status: "ok"}, Seq: 12, Mask: 3}
	var m ipcMsg
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		fw.send(reqExecute, 0, req)
		fw.send(evExecDone, 0, res)
		fr.next(&m)
		fr.next(&m)
	}
}
