// Package kernel speaks the Jupyter messaging protocol (version 5.4) over
// ZeroMQ (github.com/go-zeromq/zmq4) on behalf of an Evaluator, which knows
// the language. It holds the five sockets of a connection file and never
// runs user code itself.
//
// A kernel's life:
//
//	info, err := kernel.ReadConnectionFile(path)
//	k, err := kernel.New(kernel.Config{Connection: info, Evaluator: ev, Info: langInfo, Log: os.Stderr})
//	// on SIGINT: k.Interrupt()
//	restart, err := k.Run(ctx) // until shutdown_request or ctx ends; closes ev
//
// Threads of work: the heartbeat and control channels each have their own
// goroutine, so they answer while a cell runs. The shell goroutine answers
// kernel_info, complete, inspect, is_complete, history and comm requests
// at once, and queues execute requests for one executor goroutine that
// runs them in order. Every request is framed by busy and idle statuses on
// iopub, parented to it. Messages with a bad signature, bad JSON or
// missing frames, and unknown message types, are logged and dropped.
//
// Everything a cell prints goes through one iopub sender that keeps the
// order of the calls; consecutive stream text of one cell is merged while
// the sender is busy, so a burst of prints costs few messages and an idle
// kernel still sends each print at once.
//
// The wire format is exported (Message, Codec) for clients such as the
// test client in package kerneltest.
package kernel
