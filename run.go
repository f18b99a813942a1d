package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/godl-kernel/godl/install"
	"github.com/godl-kernel/godl/kernel"
)

// runOptions control how a notebook is executed.
type runOptions struct {
	// AllowErrors keeps running after a failing cell.
	AllowErrors bool
	// Timeout bounds each cell; 0 means no limit.
	Timeout time.Duration
	// Grace is how long an interrupted cell may take to stop before the
	// run gives up on the evaluator.
	Grace time.Duration
	// Progress receives one line per code cell; nil for none.
	Progress io.Writer
}

// runSummary tells how a run went.
type runSummary struct {
	CodeCells   int // code cells in the notebook
	Executed    int // cells run (empty cells are skipped)
	Failed      int // cells that ended in an error
	Interrupted bool
	// FirstFailure describes the first failing cell, for the terminal.
	FirstFailure string
}

// errEvaluatorStuck reports a cell that did not stop after an interrupt.
var errEvaluatorStuck = errors.New("the cell did not stop after being interrupted")

// executeNotebook runs the code cells of nb in order with ev, recording
// outputs and execution counts into nb. It stops at the first failing
// cell unless opts.AllowErrors. Cancelling ctx (Ctrl-C) interrupts the
// running cell and stops the run. The error is for failures of the
// evaluator itself, not of cells.
func executeNotebook(ctx context.Context, nb *notebook, ev kernel.Evaluator, opts runOptions) (runSummary, error) {
	if opts.Grace == 0 {
		opts.Grace = 10 * time.Second
	}
	var sum runSummary
	for _, c := range nb.cells {
		if c["cell_type"] == "code" {
			sum.CodeCells++
		}
	}
	rec := &recorder{displays: map[string][]map[string]any{}}
	count, index := 0, 0
	for _, c := range nb.cells {
		if c["cell_type"] != "code" {
			continue
		}
		index++
		src, _ := joinSource(c["source"])
		if strings.TrimSpace(src) == "" {
			// As nbclient: empty cells are not sent to the kernel.
			progress(opts.Progress, index, sum.CodeCells, "skip", 0, "(empty)")
			continue
		}
		if ctx.Err() != nil {
			sum.Interrupted = true
			break
		}
		count++
		c["execution_count"] = count
		out := rec.cell(c)
		start := time.Now()
		res, timedOut, err := executeCell(ctx, ev, kernel.ExecuteRequest{
			Code:           src,
			StoreHistory:   true,
			StopOnError:    !opts.AllowErrors,
			ExecutionCount: count,
		}, out, opts)
		elapsed := time.Since(start)
		sum.Executed++
		if err != nil && !errors.Is(err, errEvaluatorStuck) {
			out.addError(&kernel.ExecError{Name: "EvaluatorError", Value: err.Error(), Traceback: []string{"EvaluatorError: " + err.Error()}})
			progress(opts.Progress, index, sum.CodeCells, "error", elapsed, err.Error())
			sum.Failed++
			sum.FirstFailure = failureText(index, src, &kernel.ExecError{Name: "EvaluatorError", Value: err.Error()})
			return sum, fmt.Errorf("cell %d: %w", index, err)
		}
		interrupted := ctx.Err() != nil
		if res.Value != nil && res.Status == kernel.StatusOK {
			out.addResult(count, res.Value)
		}
		var xe *kernel.ExecError
		switch {
		case timedOut:
			xe = &kernel.ExecError{
				Name:  "CellTimeoutError",
				Value: fmt.Sprintf("cell %d did not finish within %v and was interrupted", index, opts.Timeout),
			}
			if res.Error != nil {
				xe.Traceback = append(xe.Traceback, res.Error.Traceback...)
			}
			xe.Traceback = append(xe.Traceback, xe.Name+": "+xe.Value)
		case interrupted && res.Status != kernel.StatusOK:
			xe = &kernel.ExecError{Name: "KeyboardInterrupt", Value: "interrupted by the user"}
			if res.Error != nil {
				xe.Traceback = append(xe.Traceback, res.Error.Traceback...)
			}
			xe.Traceback = append(xe.Traceback, "KeyboardInterrupt: interrupted by the user")
		case res.Status == kernel.StatusError || res.Error != nil:
			xe = res.Error
			if xe == nil {
				xe = &kernel.ExecError{Name: "Error", Value: "the cell failed"}
			}
		}
		if xe != nil {
			if xe.Traceback == nil {
				xe.Traceback = []string{}
			}
			out.addError(xe)
			sum.Failed++
			if sum.FirstFailure == "" {
				sum.FirstFailure = failureText(index, src, xe)
			}
			progress(opts.Progress, index, sum.CodeCells, "error", elapsed, xe.Name+": "+firstLine(xe.Value))
		} else {
			progress(opts.Progress, index, sum.CodeCells, "ok", elapsed, firstLine(src))
		}
		if errors.Is(err, errEvaluatorStuck) {
			return sum, fmt.Errorf("cell %d: %w", index, err)
		}
		if interrupted {
			sum.Interrupted = true
			break
		}
		if xe != nil && !opts.AllowErrors {
			break
		}
	}
	return sum, nil
}

// executeCell runs one cell, interrupting it at the timeout or when ctx
// is cancelled.
func executeCell(ctx context.Context, ev kernel.Evaluator, req kernel.ExecuteRequest, out kernel.Output, opts runOptions) (kernel.ExecuteResult, bool, error) {
	type result struct {
		res kernel.ExecuteResult
		err error
	}
	// The evaluator gets a context of its own: the run decides when to
	// interrupt, and a stuck evaluator is abandoned through it.
	cellCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		r, err := ev.Execute(cellCtx, req, out)
		done <- result{r, err}
	}()
	var timeout <-chan time.Time
	if opts.Timeout > 0 {
		t := time.NewTimer(opts.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	timedOut := false
	select {
	case r := <-done:
		return r.res, false, r.err
	case <-timeout:
		timedOut = true
	case <-ctx.Done():
	}
	// Interrupt again every half second: an interrupt that reaches the
	// worker just before the cell starts has nothing to stop.
	ev.Interrupt()
	again := time.NewTicker(500 * time.Millisecond)
	defer again.Stop()
	grace := time.NewTimer(opts.Grace)
	defer grace.Stop()
	for {
		select {
		case r := <-done:
			return r.res, timedOut, r.err
		case <-again.C:
			ev.Interrupt()
		case <-grace.C:
			cancel()
			return kernel.ExecuteResult{Status: kernel.StatusError}, timedOut, errEvaluatorStuck
		}
	}
}

func progress(w io.Writer, i, n int, status string, d time.Duration, what string) {
	if w == nil {
		return
	}
	what = strings.TrimSpace(what)
	if r := []rune(what); len(r) > 60 {
		what = string(r[:59]) + "…"
	}
	width := len(fmt.Sprint(n))
	fmt.Fprintf(w, "[%*d/%d] %-5s %6.2fs  %s\n", width, i, n, status, d.Seconds(), what)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

var ansiEscape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]") })

func failureText(index int, src string, xe *kernel.ExecError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cell %d failed:\n", index)
	for _, l := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	if len(xe.Traceback) > 0 {
		for _, t := range xe.Traceback {
			b.WriteString(ansiEscape().ReplaceAllString(strings.TrimRight(t, "\n"), ""))
			b.WriteByte('\n')
		}
	} else {
		fmt.Fprintf(&b, "%s: %s\n", xe.Name, xe.Value)
	}
	return b.String()
}

// recorder turns what cells produce into nbformat outputs. It tracks
// display ids across the whole notebook, as nbclient does, so that an
// update_display_data replaces the output of an earlier cell too.
type recorder struct {
	mu       sync.Mutex
	displays map[string][]map[string]any
}

func (r *recorder) cell(c map[string]any) *cellOutput {
	return &cellOutput{rec: r, cell: c}
}

// cellOutput is the kernel.Output of one cell being run.
type cellOutput struct {
	rec        *recorder
	cell       map[string]any
	clearAtNew bool // clear_output(wait=true) is pending
}

func (o *cellOutput) outputs() []any {
	outs, _ := o.cell["outputs"].([]any)
	return outs
}

// add appends an output, first applying a pending clear.
func (o *cellOutput) add(out map[string]any) {
	o.flushClear()
	o.cell["outputs"] = append(o.outputs(), out)
}

func (o *cellOutput) flushClear() {
	if o.clearAtNew {
		o.clearAtNew = false
		o.cell["outputs"] = []any{}
	}
}

// Stream appends text, merged with the stream output before it when it
// has the same name, as nbclient does. Carriage returns and backspaces
// are applied as a terminal would, so progress bars keep their last state.
func (o *cellOutput) Stream(name, text string) {
	if name != "stderr" {
		name = "stdout"
	}
	o.rec.mu.Lock()
	defer o.rec.mu.Unlock()
	o.flushClear()
	outs := o.outputs()
	if n := len(outs); n > 0 {
		if last, ok := outs[n-1].(map[string]any); ok && last["output_type"] == "stream" && last["name"] == name {
			prev, _ := last["text"].(string)
			last["text"] = squashControl(prev + text)
			return
		}
	}
	o.add(map[string]any{"output_type": "stream", "name": name, "text": squashControl(text)})
}

var (
	carriageReturn = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\n]*\r([^\n])`) })
	backspace      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\n]\x08`) })
)

// squashControl applies \r and \b the way nbconvert's coalesce_streams
// does. A trailing \r is kept: the next output may overwrite the line.
func squashControl(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		for carriageReturn().MatchString(s) {
			s = carriageReturn().ReplaceAllString(s, "$1")
		}
	}
	for strings.IndexByte(s, '\b') >= 0 {
		t := backspace().ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return s
}

// Display records display_data, or applies update_display_data to every
// earlier output with that display id.
func (o *cellOutput) Display(d kernel.Display) {
	o.rec.mu.Lock()
	defer o.rec.mu.Unlock()
	data, meta := bundleMaps(d.Bundle)
	if d.Update {
		for _, out := range o.rec.displays[d.ID] {
			out["data"] = data
			out["metadata"] = meta
		}
		return
	}
	out := map[string]any{"output_type": "display_data", "data": data, "metadata": meta}
	o.add(out)
	if d.ID != "" {
		o.rec.displays[d.ID] = append(o.rec.displays[d.ID], out)
	}
}

// ClearOutput clears the cell's outputs now, or before the next output.
func (o *cellOutput) ClearOutput(wait bool) {
	o.rec.mu.Lock()
	defer o.rec.mu.Unlock()
	if wait {
		o.clearAtNew = true
		return
	}
	o.clearAtNew = false
	o.cell["outputs"] = []any{}
}

// Input fails: a headless run has nobody to answer, as nbclient without
// allow_stdin.
func (o *cellOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return "", errors.New("input is not available: godl run executes notebooks without a user (stdin is not connected)")
}

func (o *cellOutput) addResult(count int, b *kernel.Bundle) {
	o.rec.mu.Lock()
	defer o.rec.mu.Unlock()
	data, meta := bundleMaps(*b)
	o.add(map[string]any{"output_type": "execute_result", "execution_count": count, "data": data, "metadata": meta})
}

func (o *cellOutput) addError(xe *kernel.ExecError) {
	o.rec.mu.Lock()
	defer o.rec.mu.Unlock()
	tb := make([]any, len(xe.Traceback))
	for i, t := range xe.Traceback {
		tb[i] = t
	}
	o.add(map[string]any{"output_type": "error", "ename": xe.Name, "evalue": xe.Value, "traceback": tb})
}

func bundleMaps(b kernel.Bundle) (data, meta map[string]any) {
	data = make(map[string]any, len(b.Data))
	for k, v := range b.Data {
		data[k] = v
	}
	meta = make(map[string]any, len(b.Metadata))
	for k, v := range b.Metadata {
		meta[k] = v
	}
	return data, meta
}

// defaultOutputPath is where `godl run NB.ipynb` writes without -o:
// NB.out.ipynb beside the input, which is never overwritten.
func defaultOutputPath(in string) string {
	ext := filepath.Ext(in)
	return strings.TrimSuffix(in, ext) + ".out.ipynb"
}

// writeNotebook writes nb to path atomically, or to w when path is "-".
func writeNotebook(nb *notebook, path string, w io.Writer) error {
	data, err := nb.marshal()
	if err != nil {
		return err
	}
	if path == "-" {
		_, err := w.Write(data)
		return err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	return install.WriteFileAtomic(path, data, mode)
}
