package main

import (
	"context"
	"errors"
	"io"

	"github.com/godl-kernel/godl/kernel"
)

// startWorker starts the evaluator worker process (`godl __worker`).
//
// TODO: interp.Start lands with the worker; until then there is no evaluator.
func startWorker(ctx context.Context, log io.Writer) (kernel.Evaluator, error) {
	return nil, errors.New("the evaluator worker is not built into this godl yet")
}

// newInProcessEvaluator returns an evaluator running in this process.
func newInProcessEvaluator() (kernel.Evaluator, error) {
	return nil, errors.New("the in-process evaluator is not built into this godl yet")
}

// serveWorker is the process main of `godl __worker`.
func serveWorker() int { return 2 }
