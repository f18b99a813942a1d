//go:build godl_front

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/godl-kernel/godl/interp/worker"
	"github.com/godl-kernel/godl/kernel"
)

// This file makes the kernel front: godl built with -tags godl_front
// (`godl install` builds it) links the kernel and the worker supervisor
// but not the Go interpreter or the preloaded libraries, so the process
// Jupyter starts binds its sockets within milliseconds of exec and stays
// small. Cells run in the full godl binary given by `kernel --worker`.

// isFront tells whether this is the kernel-only build.
const isFront = true

// errFront is what the commands that need the evaluator in this process
// say in the front build.
var errFront = errors.New("this godl binary is the kernel front (built with -tags godl_front): it runs cells in the full godl binary given by --worker")

// startWorker starts `bin __worker` under a supervisor that restarts it if
// it dies; the front has no evaluator of its own, so bin is required. A
// lazy worker starts with the first request.
func startWorker(ctx context.Context, bin string, lazy bool, log io.Writer) (kernel.Evaluator, error) {
	if bin == "" {
		return nil, errFront
	}
	return worker.Start(ctx, worker.Config{Command: []string{bin, workerCommand}, Log: log, Lazy: lazy})
}

func newInProcessEvaluator() (kernel.Evaluator, error) { return nil, errFront }

func serveWorker() int {
	fmt.Fprintf(os.Stderr, "godl %s: %v\n", workerCommand, errFront)
	return exitUsage
}
