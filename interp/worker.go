package interp

import (
	"os"

	"github.com/godl-kernel/godl/display"
	"github.com/godl-kernel/godl/interp/worker"
	"github.com/godl-kernel/godl/kernel"
)

// ServeWorker is the main function of the evaluator worker process
// (`godl __worker`), started by worker.Start: it serves a Session on the
// kernel's requests (see worker.Serve) and returns the process exit
// status. It also installs the process's display.Publisher, so that
// display.Show and live handles reach the kernel from any goroutine, and
// flushes rate-limited display updates at the end of every cell.
func ServeWorker() int {
	return worker.Serve(worker.ServeConfig{
		New: func() (kernel.Evaluator, error) {
			return NewSession(SessionOptions{Stdout: os.Stdout, Stderr: os.Stderr})
		},
		Attach:    AttachDisplay,
		AfterCell: display.FlushAll,
	})
}

// The worker lets the kernel reuse the Session's completion candidates.
var _ worker.CandidateCompleter = (*Session)(nil)

// AttachDisplay makes out the display package's publisher for this
// process, and returns the function that detaches it.
func AttachDisplay(out kernel.Output) (detach func()) {
	display.SetPublisher(publisher{out})
	return func() { display.SetPublisher(nil) }
}

// publisher is a display.Publisher writing to a kernel.Output.
type publisher struct{ out kernel.Output }

func (p publisher) Publish(b display.Bundle, id string, update bool) {
	md := b.Metadata
	if md == nil {
		md = map[string]any{}
	}
	p.out.Display(kernel.Display{Bundle: kernel.Bundle{Data: b.Data, Metadata: md}, ID: id, Update: update})
}

func (p publisher) Clear(wait bool) { p.out.ClearOutput(wait) }
