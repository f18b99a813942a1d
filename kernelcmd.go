package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// kernelInfo describes godl in kernel_info_reply.
func kernelInfo() kernel.Info {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return kernel.Info{
		Implementation:        "godl",
		ImplementationVersion: Version,
		Banner: fmt.Sprintf("godl %s — Go %s (yaegi interpreter) with deep learning (gorgonia, gonum/plot)\n"+
			"Cells keep their state; Ctrl-C (interrupt) stops a cell and keeps it.", Version, goVersion),
		LanguageInfo: kernel.LanguageInfo{
			Name:           "go",
			Version:        goVersion,
			Mimetype:       "text/x-go",
			FileExtension:  ".go",
			PygmentsLexer:  "go",
			CodemirrorMode: "go",
		},
		HelpLinks: []kernel.HelpLink{
			{Text: "Go documentation", URL: "https://go.dev/doc/"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "godl README", URL: "https://github.com/godl-kernel/godl#readme"},
		},
	}
}

func kernelCommand(args []string, stderr io.Writer) int {
	fs := newFlagSet("kernel", "-f CONNECTION_FILE [--worker BINARY]", stderr)
	connFile := fs.String("f", "", "Jupyter connection `file` (Jupyter passes {connection_file})")
	workerBin := fs.String("worker", "", "run cells in `BINARY` __worker (default: this binary; required by the kernel front that 'godl install' builds)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if *connFile == "" && len(pos) == 1 {
		*connFile = pos[0]
	} else if len(pos) > 0 {
		fmt.Fprintf(stderr, "godl kernel: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *connFile == "" {
		fmt.Fprintln(stderr, "godl kernel: -f CONNECTION_FILE is required (Jupyter starts the kernel through kernel.json; see 'godl install')")
		return exitUsage
	}
	conn, err := kernel.ReadConnectionFile(*connFile)
	if err != nil {
		fmt.Fprintf(stderr, "godl kernel: %v\n", err)
		return exitUsage
	}

	// The kernel process only moves messages: one P serves it as fast,
	// and spares the scheduler's cross-thread work-stealing (wake-ups and
	// 3 µs sleeps that cost tens of µs on virtual machines) on every
	// message. Cells run in the worker, which keeps every CPU.
	// A GOMAXPROCS in the environment (kernel.json's env) wins, for the
	// worker too, which inherits it.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}

	// SIGINT interrupts the running cell (interrupt_mode "signal" front
	// ends and Ctrl-C in a terminal); SIGTERM and SIGHUP shut down cleanly.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The worker starts with the first request that needs it: an idle
	// kernel is then one small process.
	ev, err := startWorker(ctx, *workerBin, true, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "godl kernel: starting the evaluator: %v\n", err)
		return exitFailure
	}
	k, err := kernel.New(kernel.Config{Connection: conn, Evaluator: ev, Info: kernelInfo(), Log: stderr})
	if err != nil {
		ev.Close()
		fmt.Fprintf(stderr, "godl kernel: %v\n", err)
		return exitFailure
	}
	go func() {
		for s := range sigs {
			if s == os.Interrupt {
				if err := k.Interrupt(); err != nil {
					fmt.Fprintf(stderr, "godl kernel: %v\n", err)
				}
				continue
			}
			fmt.Fprintf(stderr, "godl kernel: %v: shutting down\n", s)
			cancel()
		}
	}()
	go watchParent(ctx, cancel, stderr)
	if _, err := k.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "godl kernel: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// watchParent shuts the kernel down when the process that started it (the
// Jupyter server or client) dies, as ipykernel's parent poller does, so
// that no orphan kernel is left behind holding its ports.
func watchParent(ctx context.Context, cancel context.CancelFunc, stderr io.Writer) {
	parent := os.Getppid()
	if parent <= 1 {
		return // started by init or a container's entry point: nothing to watch
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				fmt.Fprintf(stderr, "godl kernel: parent process %d exited; shutting down\n", parent)
				cancel()
				return
			}
		}
	}
}
