package kernel_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

func TestExecute(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	tests := []struct {
		code      string
		status    string
		types     []string // iopub msg_types in order
		stdout    string
		countStep int
	}{
		{"print:hello\n", "ok", []string{"status", "execute_input", "stream", "status"}, "hello\n", 1},
		{"value:42", "ok", []string{"status", "execute_input", "execute_result", "status"}, "", 1},
		{"error:boom", "error", []string{"status", "execute_input", "error", "status"}, "", 1},
		{"display", "ok", []string{"status", "execute_input", "display_data", "update_display_data", "clear_output", "status"}, "", 1},
		{"broken", "error", []string{"status", "execute_input", "error", "status"}, "", 1},
	}
	count := 0
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			reply, pubs, err := h.c.Execute(ctx(t, 10*time.Second), tt.code)
			if err != nil {
				t.Fatal(err)
			}
			count += tt.countStep
			rc := kerneltest.Content(reply)
			if reply.Header.MsgType != "execute_reply" || rc["status"] != tt.status || num(rc["execution_count"]) != count {
				t.Errorf("reply %s %s, want execute_reply status %s count %d", reply.Header.MsgType, reply.Content, tt.status, count)
			}
			if got := kerneltest.Types(pubs); !reflect.DeepEqual(got, tt.types) {
				t.Errorf("iopub %v, want %v", got, tt.types)
			}
			if got := kerneltest.Stream(pubs, "stdout"); got != tt.stdout {
				t.Errorf("stdout %q, want %q", got, tt.stdout)
			}
			if kerneltest.State(pubs[0]) != "busy" || kerneltest.State(pubs[len(pubs)-1]) != "idle" {
				t.Errorf("statuses %s ... %s, want busy ... idle", pubs[0].Content, pubs[len(pubs)-1].Content)
			}
			in, err := kerneltest.Find(pubs, "execute_input")
			if err != nil {
				t.Fatal(err)
			}
			if c := kerneltest.Content(in); c["code"] != tt.code || num(c["execution_count"]) != count {
				t.Errorf("execute_input %s", in.Content)
			}
			if tt.status == "error" {
				e, _ := kerneltest.Find(pubs, "error")
				ec := kerneltest.Content(e)
				for _, c := range []map[string]any{ec, rc} {
					if str(c["ename"]) == "" || str(c["evalue"]) == "" {
						t.Errorf("error without ename/evalue: %v", c)
					}
					if _, ok := c["traceback"].([]any); !ok {
						t.Errorf("error traceback %v, want a list", c["traceback"])
					}
				}
			}
			if tt.code == "value:42" {
				r, _ := kerneltest.Find(pubs, "execute_result")
				c := kerneltest.Content(r)
				if num(c["execution_count"]) != count || c["data"].(map[string]any)["text/plain"] != "42" {
					t.Errorf("execute_result %s", r.Content)
				}
				if _, ok := c["metadata"].(map[string]any); !ok {
					t.Errorf("execute_result metadata %v, want an object", c["metadata"])
				}
			}
			if tt.code == "display" {
				d, _ := kerneltest.Find(pubs, "display_data")
				u, _ := kerneltest.Find(pubs, "update_display_data")
				for _, m := range []*kernel.Message{d, u} {
					tr, _ := kerneltest.Content(m)["transient"].(map[string]any)
					if tr["display_id"] != "d1" {
						t.Errorf("%s transient %v, want display_id d1", m.Header.MsgType, tr)
					}
				}
				cl, _ := kerneltest.Find(pubs, "clear_output")
				if kerneltest.Content(cl)["wait"] != true {
					t.Errorf("clear_output %s, want wait true", cl.Content)
				}
			}
			for _, m := range append(pubs, reply) {
				if m.Parent().MsgID != reply.Parent().MsgID {
					t.Errorf("%s parented to %q, want the request", m.Header.MsgType, m.Parent().MsgID)
				}
			}
		})
	}
}

func TestExecuteFlags(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	c := h.c
	run := func(opts kerneltest.ExecuteOptions) (map[string]any, []string) {
		t.Helper()
		reply, pubs, err := c.ExecuteWith(ctx(t, 10*time.Second), opts)
		if err != nil {
			t.Fatal(err)
		}
		return kerneltest.Content(reply), kerneltest.Types(pubs)
	}
	o := kerneltest.DefaultExecute("value:1")
	rc, _ := run(o)
	if num(rc["execution_count"]) != 1 {
		t.Fatalf("first count %v", rc["execution_count"])
	}

	// silent: no execute_input, no execute_result, count unchanged.
	o = kerneltest.DefaultExecute("value:2")
	o.Silent = true
	rc, types := run(o)
	if want := []string{"status", "status"}; !reflect.DeepEqual(types, want) || num(rc["execution_count"]) != 1 {
		t.Errorf("silent: iopub %v count %v, want %v count 1", types, rc["execution_count"], want)
	}
	// silent still streams output.
	o = kerneltest.DefaultExecute("print:x")
	o.Silent = true
	if _, types = run(o); !reflect.DeepEqual(types, []string{"status", "stream", "status"}) {
		t.Errorf("silent print: iopub %v", types)
	}

	// store_history false: count unchanged, not in history.
	o = kerneltest.DefaultExecute("value:3")
	o.StoreHistory = false
	if rc, _ = run(o); num(rc["execution_count"]) != 1 {
		t.Errorf("store_history false: count %v, want 1", rc["execution_count"])
	}
	if rc, _ = run(kerneltest.DefaultExecute("value:4")); num(rc["execution_count"]) != 2 {
		t.Errorf("count after store_history false: %v, want 2", rc["execution_count"])
	}
	reqs := h.fake.requests()
	if got := []bool{reqs[0].StoreHistory, reqs[1].StoreHistory, reqs[3].StoreHistory}; !reflect.DeepEqual(got, []bool{true, false, false}) {
		t.Errorf("StoreHistory passed to the evaluator %v", got)
	}
	if !reqs[1].Silent || reqs[0].ExecutionCount != 1 || reqs[4].ExecutionCount != 2 {
		t.Errorf("requests %+v", reqs)
	}

	// user_expressions pass through.
	o = kerneltest.DefaultExecute("exprs")
	o.UserExpressions = map[string]string{"a": "1+1"}
	rc, _ = run(o)
	ue, _ := rc["user_expressions"].(map[string]any)
	if a, _ := ue["a"].(map[string]any); a["status"] != "ok" {
		t.Errorf("user_expressions %v", rc["user_expressions"])
	}

	// allow_stdin false: Input fails at once.
	o = kerneltest.DefaultExecute("input:name?")
	o.AllowStdin = false
	if rc, _ = run(o); rc["status"] != "error" || rc["ename"] != "InputError" {
		t.Errorf("input without stdin: %v", rc)
	}

	// Absent fields take ipykernel's defaults: store_history true,
	// allow_stdin false.
	r, err := c.Request(ctx(t, 10*time.Second), kerneltest.Shell, "execute_request", map[string]any{"code": "input:x"})
	if err != nil {
		t.Fatal(err)
	}
	if rc := kerneltest.Content(r); rc["status"] != "error" || rc["ename"] != "InputError" || num(rc["execution_count"]) != 5 {
		t.Errorf("minimal execute_request: %v", rc)
	}
}

func TestStopOnError(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	c := h.c
	cx := ctx(t, 10*time.Second)
	// A sleeping cell holds the queue while we queue the rest.
	sleepID, err := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("sleep"))
	if err != nil {
		t.Fatal(err)
	}
	<-h.fake.running
	failID, _ := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("error:first"))
	abortedID, _ := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("print:never"))
	lax := kerneltest.DefaultExecute("error:second")
	lax.StopOnError = false
	// Make sure all three are queued before the sleeper ends.
	if _, err := c.Request(cx, kerneltest.Shell, "kernel_info_request", nil); err != nil {
		t.Fatal(err)
	}
	if err := h.k.Interrupt(); err != nil {
		t.Fatal(err)
	}
	// interrupted sleep is an error with stop_on_error: it aborts the rest.
	for _, id := range []string{sleepID, failID, abortedID} {
		r, err := c.Reply(cx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := "aborted"
		if id == sleepID {
			want = "error"
		}
		if got := kerneltest.Content(r)["status"]; got != want {
			t.Errorf("reply to %s: status %v, want %s", id, got, want)
		}
		pubs, err := c.IOPubUntilIdle(cx, id)
		if err != nil {
			t.Fatal(err)
		}
		if id != sleepID && !reflect.DeepEqual(kerneltest.Types(pubs), []string{"status", "status"}) {
			t.Errorf("aborted request iopub %v, want busy, idle", kerneltest.Types(pubs))
		}
	}
	// A silent cell's error aborts nothing (ipykernel).
	silent := kerneltest.DefaultExecute("sleep")
	silent.Silent = true
	silentID, _ := c.Send(kerneltest.Shell, "execute_request", silent)
	<-h.fake.running
	queuedID, _ := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("print:queued"))
	if _, err := c.Request(cx, kerneltest.Shell, "kernel_info_request", nil); err != nil {
		t.Fatal(err)
	}
	if err := h.k.Interrupt(); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{silentID: "error", queuedID: "ok"} {
		r, err := c.Reply(cx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := kerneltest.Content(r)["status"]; got != want {
			t.Errorf("after a silent error: status %v, want %s", got, want)
		}
	}

	// Later requests run again; stop_on_error false does not abort.
	laxID, _ := c.Send(kerneltest.Shell, "execute_request", lax)
	nextID, _ := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("print:runs"))
	for id, want := range map[string]string{laxID: "error", nextID: "ok"} {
		r, err := c.Reply(cx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := kerneltest.Content(r)["status"]; got != want {
			t.Errorf("status %v, want %s", got, want)
		}
	}
	if n := len(h.fake.requests()); n != 5 {
		t.Errorf("evaluator ran %d cells, want 5 (sleep, silent sleep, print, lax error, print)", n)
	}
}
