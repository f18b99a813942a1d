package main

import (
	"context"
	"io"

	"github.com/godl-kernel/godl/interp"
	"github.com/godl-kernel/godl/kernel"
)

// startWorker starts the evaluator worker process (this binary run as
// `godl __worker`) under a supervisor that restarts it if it dies.
func startWorker(ctx context.Context, log io.Writer) (kernel.Evaluator, error) {
	return interp.Start(ctx, interp.WorkerConfig{Log: log})
}

// newInProcessEvaluator returns an evaluator running in this process
// (`godl run --in-process`): no crash isolation, and output written by
// compiled code to the process's stdout is not captured.
func newInProcessEvaluator() (kernel.Evaluator, error) {
	return interp.NewSession(interp.SessionOptions{})
}

// serveWorker is the process main of `godl __worker`.
func serveWorker() int { return interp.ServeWorker() }
