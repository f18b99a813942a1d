package worker_test

import (
	"github.com/godl-kernel/godl/interp"
	"github.com/godl-kernel/godl/interp/worker"
)

func init() { worker.ServeSession = interp.ServeWorker }
