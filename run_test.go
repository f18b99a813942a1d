package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// scriptEvaluator is a kernel.Evaluator for testing the runner without
// the Go interpreter: each line of a cell is a command.
//
//	out TEXT        stdout (\n and \r escapes allowed)
//	err TEXT        stderr
//	show ID TEXT    display_data with text/plain and text/html (ID - for none)
//	update ID TEXT  update_display_data
//	clear | clearwait
//	value TEXT      the cell's value
//	fail NAME MSG   the cell fails
//	sleep D         sleeps, stopped by Interrupt
//	input           asks for input and prints the error
//	crash           the evaluator itself fails
type scriptEvaluator struct {
	mu        sync.Mutex
	interrupt chan struct{}
	ran       []string
	closed    bool
}

func newScriptEvaluator() *scriptEvaluator {
	return &scriptEvaluator{interrupt: make(chan struct{}, 1)}
}

func unescape(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\b`, "\b").Replace(s)
}

func (e *scriptEvaluator) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, error) {
	e.mu.Lock()
	e.ran = append(e.ran, req.Code)
	e.mu.Unlock()
	res := kernel.ExecuteResult{Status: kernel.StatusOK}
	for _, line := range strings.Split(req.Code, "\n") {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "out":
			out.Stream("stdout", unescape(arg))
		case "err":
			out.Stream("stderr", unescape(arg))
		case "show", "update":
			id, text, _ := strings.Cut(arg, " ")
			if id == "-" {
				id = ""
			}
			out.Display(kernel.Display{
				Bundle: kernel.Bundle{Data: map[string]any{"text/plain": text, "text/html": "<b>" + text + "</b>"}, Metadata: map[string]any{"isolated": true}},
				ID:     id, Update: cmd == "update",
			})
		case "clear":
			out.ClearOutput(false)
		case "clearwait":
			out.ClearOutput(true)
		case "value":
			res.Value = &kernel.Bundle{Data: map[string]any{"text/plain": arg}, Metadata: map[string]any{}}
		case "fail":
			name, msg, _ := strings.Cut(arg, " ")
			return kernel.ExecuteResult{Status: kernel.StatusError, Error: &kernel.ExecError{Name: name, Value: msg, Traceback: []string{"\x1b[31m" + name + "\x1b[0m: " + msg}}}, nil
		case "sleep":
			d, _ := time.ParseDuration(arg)
			select {
			case <-time.After(d):
			case <-e.interrupt:
				return kernel.ExecuteResult{Status: kernel.StatusError, Error: &kernel.ExecError{Name: "Interrupted", Value: "interrupted", Traceback: []string{"Interrupted"}}}, nil
			}
		case "input":
			_, err := out.Input(ctx, "? ", false)
			out.Stream("stderr", err.Error())
		case "crash":
			return kernel.ExecuteResult{}, errors.New("worker died")
		}
	}
	return res, nil
}

func (e *scriptEvaluator) Complete(ctx context.Context, code string, cursor int) (kernel.CompleteResult, error) {
	return kernel.CompleteResult{}, nil
}
func (e *scriptEvaluator) Inspect(ctx context.Context, code string, cursor, detail int) (kernel.InspectResult, error) {
	return kernel.InspectResult{}, nil
}
func (e *scriptEvaluator) IsComplete(ctx context.Context, code string) (kernel.IsCompleteResult, error) {
	return kernel.IsCompleteResult{Status: "complete"}, nil
}
func (e *scriptEvaluator) Interrupt() error {
	select {
	case e.interrupt <- struct{}{}:
	default:
	}
	return nil
}
func (e *scriptEvaluator) Restart(ctx context.Context) error { return nil }
func (e *scriptEvaluator) Close() error                      { e.closed = true; return nil }

// nbJSON builds a notebook document from cells given as (type, source).
func nbJSON(t *testing.T, cells ...string) []byte {
	t.Helper()
	var cs []any
	for i := 0; i+1 < len(cells); i += 2 {
		cs = append(cs, map[string]any{"cell_type": cells[i], "metadata": map[string]any{}, "source": cells[i+1], "outputs": []any{}, "execution_count": nil})
		if cells[i] != "code" {
			delete(cs[len(cs)-1].(map[string]any), "outputs")
			delete(cs[len(cs)-1].(map[string]any), "execution_count")
		}
	}
	b, err := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 4, "metadata": map[string]any{}, "cells": cs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runScript runs a notebook with the script evaluator and returns the
// notebook written out and decoded again.
func runScript(t *testing.T, data []byte, opts runOptions) (map[string]any, runSummary, error) {
	t.Helper()
	nb, err := parseNotebook(data)
	if err != nil {
		t.Fatal(err)
	}
	nb.prepare(kernelInfo(), "godl", "Go (godl)")
	sum, runErr := executeNotebook(context.Background(), nb, newScriptEvaluator(), opts)
	out, err := nb.marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("written notebook is not JSON: %v\n%s", err, out)
	}
	return doc, sum, runErr
}

func cellOutputs(t *testing.T, doc map[string]any, i int) []any {
	t.Helper()
	c := doc["cells"].([]any)[i].(map[string]any)
	return c["outputs"].([]any)
}

func joined(v any) string {
	s, _ := joinSource(v)
	return s
}

func TestRunOutputs(t *testing.T) {
	tests := []struct {
		name string
		code string
		want []map[string]any // output_type plus fields compared after joining lines
	}{
		{"streams merge", "out a\\n\nout b\\n\nerr e\\n\nout c", []map[string]any{
			{"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
			{"output_type": "stream", "name": "stderr", "text": "e\n"},
			{"output_type": "stream", "name": "stdout", "text": "c"},
		}},
		{"carriage return progress", "out 10%\\r\nout 50%\\r\nout 100%\\n", []map[string]any{
			{"output_type": "stream", "name": "stdout", "text": "100%\n"},
		}},
		{"value", "out x\nvalue 42", []map[string]any{
			{"output_type": "stream", "name": "stdout", "text": "x"},
			{"output_type": "execute_result", "text/plain": "42", "execution_count": float64(1)},
		}},
		{"display and update", "show d1 one\nshow - two\nupdate d1 uno", []map[string]any{
			{"output_type": "display_data", "text/plain": "uno", "text/html": "<b>uno</b>"},
			{"output_type": "display_data", "text/plain": "two"},
		}},
		{"clear now", "out a\nclear\nout b", []map[string]any{
			{"output_type": "stream", "name": "stdout", "text": "b"},
		}},
		{"clear wait", "show - frame1\nclearwait\nshow - frame2\nclearwait\nshow - frame3", []map[string]any{
			{"output_type": "display_data", "text/plain": "frame3"},
		}},
		{"input unavailable", "input", []map[string]any{
			{"output_type": "stream", "name": "stderr", "text": "input is not available: godl run executes notebooks without a user (stdin is not connected)"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, sum, err := runScript(t, nbJSON(t, "code", tc.code), runOptions{})
			if err != nil || sum.Failed != 0 {
				t.Fatalf("err %v, summary %+v", err, sum)
			}
			outs := cellOutputs(t, doc, 0)
			if len(outs) != len(tc.want) {
				t.Fatalf("got %d outputs, want %d: %v", len(outs), len(tc.want), outs)
			}
			for i, w := range tc.want {
				o := outs[i].(map[string]any)
				for k, v := range w {
					var got any
					switch k {
					case "text":
						got = joined(o["text"])
					case "text/plain", "text/html":
						got = joined(o["data"].(map[string]any)[k])
					default:
						got = o[k]
					}
					if !reflect.DeepEqual(got, v) {
						t.Errorf("output %d %s = %#v, want %#v", i, k, got, v)
					}
				}
				if o["output_type"] == "display_data" || o["output_type"] == "execute_result" {
					if _, ok := o["metadata"].(map[string]any); !ok {
						t.Errorf("output %d has no metadata object", i)
					}
				}
			}
		})
	}
}

func TestRunUpdateAcrossCells(t *testing.T) {
	doc, _, err := runScript(t, nbJSON(t, "code", "show bar 0%", "markdown", "# text", "code", "update bar 100%\nout done"), runOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := cellOutputs(t, doc, 0)[0].(map[string]any)
	if got := joined(o["data"].(map[string]any)["text/plain"]); got != "100%" {
		t.Errorf("display in cell 1 after update in cell 3 = %q, want 100%%", got)
	}
	if n := len(cellOutputs(t, doc, 2)); n != 1 {
		t.Errorf("cell 3 has %d outputs, want only its stream", n)
	}
}

func TestRunStopsAtFailure(t *testing.T) {
	data := nbJSON(t, "code", "out 1", "code", "   \n", "code", "fail BadThing it broke", "code", "out never")
	doc, sum, err := runScript(t, data, runOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || sum.Executed != 2 || sum.CodeCells != 4 {
		t.Errorf("summary %+v", sum)
	}
	cells := doc["cells"].([]any)
	counts := []any{float64(1), nil, float64(2), nil}
	for i, want := range counts {
		if got := cells[i].(map[string]any)["execution_count"]; got != want {
			t.Errorf("cell %d execution_count = %v, want %v", i, got, want)
		}
	}
	errOut := cellOutputs(t, doc, 2)[0].(map[string]any)
	if errOut["output_type"] != "error" || errOut["ename"] != "BadThing" || errOut["evalue"] != "it broke" {
		t.Errorf("error output %v", errOut)
	}
	if _, ok := errOut["traceback"].([]any); !ok {
		t.Errorf("traceback is not a list: %v", errOut["traceback"])
	}
	if !strings.Contains(sum.FirstFailure, "BadThing: it broke") || strings.Contains(sum.FirstFailure, "\x1b") {
		t.Errorf("failure text %q", sum.FirstFailure)
	}

	doc, sum, _ = runScript(t, data, runOptions{AllowErrors: true})
	if sum.Failed != 1 || sum.Executed != 3 {
		t.Errorf("--allow-errors summary %+v", sum)
	}
	if got := joined(cellOutputs(t, doc, 3)[0].(map[string]any)["text"]); got != "never" {
		t.Errorf("--allow-errors: last cell output %q", got)
	}
}

func TestRunTimeoutInterrupts(t *testing.T) {
	data := nbJSON(t, "code", "sleep 1m", "code", "out after")
	start := time.Now()
	doc, sum, err := runScript(t, data, runOptions{Timeout: 100 * time.Millisecond, AllowErrors: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("timeout took %v", d)
	}
	outs := cellOutputs(t, doc, 0)
	last := outs[len(outs)-1].(map[string]any)
	if last["ename"] != "CellTimeoutError" {
		t.Errorf("timed-out cell output %v", outs)
	}
	if sum.Failed != 1 || sum.Executed != 2 {
		t.Errorf("summary %+v", sum)
	}
}

func TestRunEvaluatorFailure(t *testing.T) {
	_, sum, err := runScript(t, nbJSON(t, "code", "crash", "code", "out x"), runOptions{})
	if err == nil || !strings.Contains(err.Error(), "worker died") {
		t.Errorf("err = %v", err)
	}
	if sum.Executed != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func TestRunProgressLines(t *testing.T) {
	var progress bytes.Buffer
	runScript(t, nbJSON(t, "code", "out 1", "markdown", "hi", "code", "", "code", "fail E boom"), runOptions{Progress: &progress})
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("progress:\n%s", progress.String())
	}
	for i, prefix := range []string{"[1/3] ok", "[2/3] skip", "[3/3] error"} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], prefix)
		}
	}
}

func TestParseNotebookErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "empty"},
		{"truncated", `{"cells": [`, "ends too early"},
		{"syntax", "{\n  \"cells\": ]\n}", "line 2"},
		{"array", `[]`, "list, not an object"},
		{"v3", `{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}`, "nbformat 3"},
		{"no cells", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}`, "no cells"},
		{"bad cell type", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "python", "source": ""}]}`, "cell_type"},
		{"bad source", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}`, "source"},
		{"python", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "cells": []}`, `language is "python"`},
		{"python language_info", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}}, "cells": []}`, "not a Go notebook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseNotebook([]byte(tc.data))
			var nbErr *notebookError
			if !errors.As(err, &nbErr) {
				t.Fatalf("err = %v, want a notebookError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestNotebookRoundTripKeepsUnknownFields(t *testing.T) {
	in := `{
 "cells": [
  {"cell_type": "markdown", "id": "intro", "metadata": {"tags": ["x"]}, "source": ["# Title\n", "text <b>&</b>"], "attachments": {"a.png": {"image/png": "AAAA"}}},
  {"cell_type": "raw", "metadata": {"format": "text/x-rst"}, "source": "raw"},
  {"cell_type": "code", "id": "intro", "metadata": {"custom": 1.50}, "source": "out hi", "outputs": [{"output_type": "stream", "name": "stdout", "text": "old"}], "execution_count": 7}
 ],
 "metadata": {"kernelspec": {"name": "gophernotes", "display_name": "Go", "language": "go"}, "authors": [{"name": "A"}], "language_info": {"name": "go", "extra": true}},
 "nbformat": 4,
 "nbformat_minor": 2
}`
	doc, _, err := runScript(t, []byte(in), runOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if doc["nbformat"] != float64(4) || doc["nbformat_minor"] != float64(5) {
		t.Errorf("version %v.%v", doc["nbformat"], doc["nbformat_minor"])
	}
	meta := doc["metadata"].(map[string]any)
	if meta["authors"] == nil {
		t.Error("notebook metadata lost authors")
	}
	ks := meta["kernelspec"].(map[string]any)
	if ks["name"] != "godl" || ks["language"] != "go" || ks["display_name"] != "Go (godl)" {
		t.Errorf("kernelspec %v", ks)
	}
	li := meta["language_info"].(map[string]any)
	if li["name"] != "go" || li["file_extension"] != ".go" || li["mimetype"] != "text/x-go" || li["extra"] != true {
		t.Errorf("language_info %v", li)
	}
	cells := doc["cells"].([]any)
	ids := map[string]bool{}
	for i, c := range cells {
		id, _ := c.(map[string]any)["id"].(string)
		if !validCellID().MatchString(id) || ids[id] {
			t.Errorf("cell %d id %q invalid or duplicate", i, id)
		}
		ids[id] = true
	}
	md := cells[0].(map[string]any)
	if md["id"] != "intro" || joined(md["source"]) != "# Title\ntext <b>&</b>" || md["attachments"] == nil {
		t.Errorf("markdown cell changed: %v", md)
	}
	if cells[1].(map[string]any)["metadata"].(map[string]any)["format"] != "text/x-rst" {
		t.Errorf("raw cell metadata lost")
	}
	code := cells[2].(map[string]any)
	if code["metadata"].(map[string]any)["custom"] != 1.5 || code["execution_count"] != float64(1) {
		t.Errorf("code cell %v", code)
	}
	if outs := code["outputs"].([]any); len(outs) != 1 || joined(outs[0].(map[string]any)["text"]) != "hi" {
		t.Errorf("old outputs not replaced: %v", outs)
	}
}

func TestWriteNotebookAtomicAndNbformatStyle(t *testing.T) {
	dir := t.TempDir()
	nb, err := parseNotebook(nbJSON(t, "code", "a\nb\n<c>"))
	if err != nil {
		t.Fatal(err)
	}
	nb.prepare(kernelInfo(), "godl", "Go (godl)")
	path := filepath.Join(dir, "x.ipynb")
	if err := writeNotebook(nb, path, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte("\n  \"a\\n\",\n")) && !bytes.Contains(b, []byte(`"a\n",`)) {
		t.Errorf("source not split into lines:\n%s", b)
	}
	if !bytes.Contains(b, []byte("<c>")) {
		t.Errorf("HTML escaped:\n%s", b)
	}
	if !bytes.HasPrefix(b, []byte("{\n \"cells\"")) || !bytes.HasSuffix(b, []byte("}\n")) {
		t.Errorf("not in nbformat's layout:\n%s", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
	if got := defaultOutputPath("notebooks/tour.ipynb"); got != "notebooks/tour.out.ipynb" {
		t.Errorf("defaultOutputPath = %s", got)
	}
}

func TestSquashControl(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"10%\r50%\r100%\n", "100%\n"},
		{"a\r\nb", "a\nb"},
		{"line\rX", "X"},
		{"keep\r", "keep\r"},
		{"ab\bc", "ac"},
		{"one\ntwo\rTWO\nthree", "one\nTWO\nthree"},
	}
	for _, tc := range tests {
		if got := squashControl(tc.in); got != tc.want {
			t.Errorf("squashControl(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The tutorial was written by Python's nbformat: reading and writing it
// again must give the same bytes, so that godl's notebooks diff cleanly.
func TestMarshalMatchesNbformat(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("notebooks", "tour.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	nb, err := parseNotebook(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := nb.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("re-encoded tour.ipynb differs from nbformat's:\n%s", got)
	}
}

// FuzzParseNotebook: no input makes the reader panic, and whatever it
// accepts it writes back as a notebook it accepts again, unchanged.
func FuzzParseNotebook(f *testing.F) {
	if tour, err := os.ReadFile(filepath.Join("notebooks", "tour.ipynb")); err == nil {
		f.Add(tour)
	}
	for _, s := range []string{
		``, `{}`, `[]`, `{"nbformat": 4, "cells": []}`,
		`{"nbformat": 4, "nbformat_minor": 2, "metadata": null, "cells": [{"cell_type": "code", "source": ["a\n", "b"], "id": "x"}, {"cell_type": "code", "source": "", "id": "x"}]}`,
		`{"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "Go"}}, "cells": [{"cell_type": "raw", "source": "\r\n\u2028"}]}`,
		`{"nbformat": 4.0, "cells": [{"cell_type": "markdown"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := parseNotebook(data)
		if err != nil {
			return
		}
		nb.prepare(kernelInfo(), "godl", "Go (godl)")
		once, err := nb.marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		nb2, err := parseNotebook(once)
		if err != nil {
			t.Fatalf("godl cannot read what it wrote: %v\n%s", err, once)
		}
		twice, err := nb2.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("writing is not stable:\n%s\n---\n%s", once, twice)
		}
	})
}
