package main

import (
	"context"
	"errors"
	"io"

	"github.com/godl-kernel/godl/interp"
	"github.com/godl-kernel/godl/kernel"
)

// startWorker starts the evaluator worker process (this binary run as
// `godl __worker`) under a supervisor that restarts it if it dies.
func startWorker(ctx context.Context, log io.Writer) (kernel.Evaluator, error) {
	return interp.Start(ctx, interp.WorkerConfig{Log: log})
}

// newInProcessEvaluator returns an evaluator running in this process.
//
// TODO: interp.NewSession once the engine lands.
func newInProcessEvaluator() (kernel.Evaluator, error) {
	return nil, errors.New("the in-process evaluator is not built into this godl yet")
}

// serveWorker is the process main of `godl __worker`.
func serveWorker() int { return interp.ServeWorker() }
