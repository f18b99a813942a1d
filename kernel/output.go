package kernel

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Errors of Output.Input.
var (
	// ErrStdinNotAllowed is returned by Input when the execute_request
	// had allow_stdin false (the frontend cannot answer).
	ErrStdinNotAllowed = errors.New("kernel: input requested but the frontend does not allow stdin (allow_stdin is false)")
	// ErrInterrupted is returned by Input when the cell is interrupted
	// while waiting for the user.
	ErrInterrupted = errors.New("kernel: input interrupted")
)

// cellOutput is the Output of one execute_request: everything it sends is
// parented to that request. Stream text goes through the publisher's
// coalescing queue; all iopub messages keep the order of the calls.
type cellOutput struct {
	k          *Kernel
	parent     []byte   // raw header of the execute_request
	ids        [][]byte // routing identities of its sender
	allowStdin bool

	once        sync.Once
	interrupted chan struct{}
}

var _ Output = (*cellOutput)(nil)

// interrupt cancels pending and future Input calls of the cell.
func (o *cellOutput) interrupt() {
	o.once.Do(func() { close(o.interrupted) })
}

// Stream sends text to stdout or stderr.
func (o *cellOutput) Stream(name, text string) {
	o.k.pub.stream(name, text, o.parent)
}

type displayContent struct {
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient map[string]any `json:"transient"`
}

// Display publishes display_data, or update_display_data when d.Update.
func (o *cellOutput) Display(d Display) {
	c := displayContent{Data: orEmptyMap(d.Data), Metadata: orEmptyMap(d.Metadata), Transient: map[string]any{}}
	if d.ID != "" {
		c.Transient["display_id"] = d.ID
	}
	msgType := "display_data"
	if d.Update {
		if d.ID == "" {
			o.k.log.Printf("update_display_data without a display id: sent as display_data")
		} else {
			msgType = "update_display_data"
		}
	}
	o.k.pub.publish(msgType, o.parent, c)
}

type clearOutputContent struct {
	Wait bool `json:"wait"`
}

// ClearOutput publishes clear_output.
func (o *cellOutput) ClearOutput(wait bool) {
	o.k.pub.publish("clear_output", o.parent, clearOutputContent{Wait: wait})
}

type inputRequest struct {
	Prompt   string `json:"prompt"`
	Password bool   `json:"password"`
}

type inputReply struct {
	Value string `json:"value"`
}

// Input sends input_request on stdin to the frontend that sent the
// execute_request and waits for its input_reply, for ctx, an interrupt
// or the kernel's shutdown.
func (o *cellOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", ErrStdinNotAllowed
	}
	k := o.k
	k.inputMu.Lock()
	defer k.inputMu.Unlock()
	select { // a reply that came after its waiter gave up
	case <-k.inputReplies:
	default:
	}
	// What the cell printed before asking goes out before the prompt.
	k.pub.flush()
	sent := make(chan error, 1)
	go func() {
		sent <- k.send(k.stdin, o.ids, "input_request", o.parent, inputRequest{Prompt: prompt, Password: password}, nil)
	}()
	var done <-chan struct{}
	if k.runCtx != nil {
		done = k.runCtx.Done()
	}
	for {
		select {
		case err := <-sent:
			if err != nil {
				return "", fmt.Errorf("kernel: input_request: %w", err)
			}
			sent = nil
		case r := <-k.inputReplies:
			var c inputReply
			if err := r.UnmarshalContent(&c); err != nil {
				return "", err
			}
			return c.Value, nil
		case <-ctx.Done():
			return "", ctx.Err()
		case <-o.interrupted:
			return "", ErrInterrupted
		case <-done:
			return "", fmt.Errorf("kernel: input: the kernel is shutting down")
		}
	}
}
