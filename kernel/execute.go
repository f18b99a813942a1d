package kernel

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// executeContent is the content of execute_request. Absent booleans take
// the protocol's defaults.
type executeContent struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      *bool             `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// executeReply is the content of execute_reply; the embedded error is set
// when Status is "error".
type executeReply struct {
	Status          string           `json:"status"`
	ExecutionCount  int              `json:"execution_count"`
	UserExpressions map[string]any   `json:"user_expressions"`
	Payload         []map[string]any `json:"payload"`
	*ExecError
}

type executeInput struct {
	Code           string `json:"code"`
	ExecutionCount int    `json:"execution_count"`
}

type executeResultContent struct {
	ExecutionCount int            `json:"execution_count"`
	Data           map[string]any `json:"data"`
	Metadata       map[string]any `json:"metadata"`
}

var abortedReply = json.RawMessage(`{"status":"aborted"}`)

// execJob is one queued execute_request.
type execJob struct {
	sock zmq4.Socket
	msg  *Message
}

// executor runs execute requests one at a time, in arrival order, on its
// own goroutine, so that the shell loop stays free for other requests; or,
// when it is idle, on the shell goroutine that received the request (which
// hands the shell over to a new goroutine: see claim).
type executor struct {
	k     *Kernel
	mu    sync.Mutex
	queue []execJob
	busy  bool // a job is running
	wake  chan struct{}
	count int // execution count; whoever runs a job (busy) only
}

func newExecutor(k *Kernel) *executor {
	return &executor{k: k, wake: make(chan struct{}, 1)}
}

// enqueue adds an execute request to the queue.
func (e *executor) enqueue(sock zmq4.Socket, m *Message) {
	e.mu.Lock()
	e.queue = append(e.queue, execJob{sock, m})
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// next pops the oldest job and marks the executor busy, or reports false
// when the queue is empty or a job runs.
func (e *executor) next() (execJob, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queue) == 0 || e.busy {
		return execJob{}, false
	}
	j := e.queue[0]
	e.queue[0] = execJob{}
	e.queue = e.queue[1:]
	e.busy = true
	return j, true
}

// claim marks the executor busy and reports true when nothing runs and
// nothing is queued: the caller then runs its job with runClaimed.
func (e *executor) claim() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.busy || len(e.queue) > 0 {
		return false
	}
	e.busy = true
	return true
}

// done ends a job; jobs queued meanwhile go to the executor goroutine.
func (e *executor) done() {
	e.mu.Lock()
	e.busy = false
	queued := len(e.queue) > 0
	e.mu.Unlock()
	if queued {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
}

// waitIdle waits until no job runs, or until deadline; it reports whether
// none does. Only shutdown waits, so polling is fine.
func (e *executor) waitIdle(deadline time.Time) bool {
	for {
		e.mu.Lock()
		busy := e.busy
		e.mu.Unlock()
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

// runClaimed runs j after a successful claim.
func (e *executor) runClaimed(ctx context.Context, j execJob) {
	defer e.done()
	if ctx.Err() != nil {
		return
	}
	e.execute(ctx, j)
}

// run executes jobs until ctx is done.
func (e *executor) run(ctx context.Context) {
	for {
		j, ok := e.next()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-e.wake:
				continue
			}
		}
		if ctx.Err() != nil {
			e.done()
			return
		}
		e.execute(ctx, j)
		e.done()
	}
}

// takeQueue empties the queue and returns what it held.
func (e *executor) takeQueue() []execJob {
	e.mu.Lock()
	defer e.mu.Unlock()
	jobs := e.queue
	e.queue = nil
	return jobs
}

// abort answers jobs with status aborted, each between busy and idle, as
// ipykernel does after an error when stop_on_error is set.
func (e *executor) abort(jobs []execJob) {
	k := e.k
	for _, j := range jobs {
		parent := j.msg.RawHeader()
		k.pub.publish("status", parent, statusBusy)
		k.reply(j.sock, j.msg, "execute_reply", abortedReply)
		k.pub.publish("status", parent, statusIdle)
	}
}

// execute runs one execute_request: busy, execute_input, outputs,
// execute_result or error, execute_reply, idle.
func (e *executor) execute(ctx context.Context, j execJob) {
	k := e.k
	m := j.msg
	parent := m.RawHeader()
	k.lastParent.Store(&parent)
	k.pub.publish("status", parent, statusBusy)

	var c executeContent
	if err := m.UnmarshalContent(&c); err != nil {
		k.log.Printf("shell: %v", err)
		k.reply(j.sock, m, "execute_reply", executeReply{
			Status: StatusError, ExecutionCount: e.count,
			UserExpressions: map[string]any{}, Payload: []map[string]any{},
			ExecError: &ExecError{Name: "BadRequest", Value: err.Error(), Traceback: []string{err.Error()}},
		})
		k.pub.publish("status", parent, statusIdle)
		return
	}
	store := boolOr(c.StoreHistory, true) && !c.Silent
	stopOnError := boolOr(c.StopOnError, true)
	if store {
		e.count++
	}
	count := e.count
	if !c.Silent {
		k.pub.publish("execute_input", parent, executeInput{Code: c.Code, ExecutionCount: count})
	}

	out := &cellOutput{
		k:           k,
		parent:      parent,
		ids:         m.Identities,
		allowStdin:  boolOr(c.AllowStdin, false), // ipykernel's default
		interrupted: make(chan struct{}),
	}
	k.cell.Store(out)
	res, err := k.cfg.Evaluator.Execute(ctx, ExecuteRequest{
		Code:            c.Code,
		Silent:          c.Silent,
		StoreHistory:    store,
		UserExpressions: c.UserExpressions,
		AllowStdin:      out.allowStdin,
		StopOnError:     stopOnError,
		ExecutionCount:  count,
	}, out)
	k.cell.CompareAndSwap(out, nil)
	if err != nil {
		k.log.Printf("evaluator failed on execute_request %s: %v", m.Header.MsgID, err)
		res = ExecuteResult{Status: StatusError, Error: &ExecError{
			Name: "EvaluatorError", Value: err.Error(), Traceback: []string{"EvaluatorError: " + err.Error()},
		}}
	}
	if res.Status == "" {
		res.Status = StatusOK
	}
	if res.Status == StatusError && res.Error == nil {
		res.Error = &ExecError{Name: "Error", Value: "the cell failed"}
	}

	var output string
	if res.Value != nil && res.Status == StatusOK {
		if !c.Silent {
			k.pub.publish("execute_result", parent, executeResultContent{
				ExecutionCount: count, Data: orEmptyMap(res.Value.Data), Metadata: orEmptyMap(res.Value.Metadata),
			})
		}
		if s, ok := res.Value.Data["text/plain"].(string); ok {
			output = s
		}
	}
	reply := executeReply{
		Status:          res.Status,
		ExecutionCount:  count,
		UserExpressions: res.UserExpressions,
		Payload:         res.Payload,
	}
	if reply.UserExpressions == nil {
		reply.UserExpressions = map[string]any{}
	}
	if reply.Payload == nil {
		reply.Payload = []map[string]any{}
	}
	if res.Status == StatusError {
		ee := *res.Error
		if ee.Traceback == nil {
			ee.Traceback = []string{}
		}
		reply.ExecError = &ee
		k.pub.publish("error", parent, &ee)
	}
	if store {
		k.history.add(count, c.Code, output)
	}
	// ipykernel aborts what was queued when the error happened; take
	// the queue before the reply goes out so that a request sent after
	// the client saw the error runs.
	var aborted []execJob
	if res.Status == StatusError && stopOnError && !c.Silent {
		aborted = e.takeQueue()
	}
	k.reply(j.sock, m, "execute_reply", reply)
	k.pub.publish("status", parent, statusIdle)
	e.abort(aborted)
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
