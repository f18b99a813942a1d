//go:build !godl_front

package main

import (
	"context"
	"io"

	"github.com/godl-kernel/godl/interp"
	"github.com/godl-kernel/godl/interp/worker"
	"github.com/godl-kernel/godl/kernel"
)

// isFront tells whether this is the kernel-only build (see front.go).
const isFront = false

// startWorker starts the evaluator worker process, `godl __worker`, under
// a supervisor that restarts it if it dies. The worker binary is bin, or
// this one when bin is empty. A lazy worker starts with the first request.
func startWorker(ctx context.Context, bin string, lazy bool, log io.Writer) (kernel.Evaluator, error) {
	cfg := worker.Config{Log: log, Lazy: lazy}
	if bin != "" {
		cfg.Command = []string{bin, workerCommand}
	}
	return worker.Start(ctx, cfg)
}

// newInProcessEvaluator returns an evaluator running in this process
// (`godl run --in-process`): no crash isolation, and output written by
// compiled code to the process's stdout is not captured.
func newInProcessEvaluator() (kernel.Evaluator, error) {
	return interp.NewSession(interp.SessionOptions{})
}

// serveWorker is the process main of `godl __worker`.
func serveWorker() int { return interp.ServeWorker() }
