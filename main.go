// Command godl is a Jupyter kernel for Go with a deep-learning library.
//
//	godl install [--user | --prefix DIR | --sys-prefix | --system] [--name NAME] [--display-name TEXT] [--front=false]
//	godl kernel -f CONNECTION_FILE [--worker BINARY]
//	godl run NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [--allow-errors] [--timeout D]
//	godl version
//	godl help
//
// `kernel` is what Jupyter runs (the argv of the installed kernel.json).
// `run` executes a notebook headless, without Jupyter. The kernel process
// holds the sockets and never runs user code: cells run in a worker
// process, `godl __worker`, that the kernel starts and supervises.
//
// `install` also builds the kernel front: this command built with -tags
// godl_front, which links the kernel and the supervisor but not the
// interpreter or the preloaded libraries. kernel.json runs the front
// (`godl-kernel kernel --worker /path/to/godl -f …`), so the process Jupyter
// starts binds its sockets within milliseconds and stays small, and the
// worker, started with the first request, is the full godl binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/godl-kernel/godl/install"
	"github.com/godl-kernel/godl/kernel"
)

// Version is godl's version: `godl version`, implementation_version in
// kernel_info_reply and the installed kernelspec's metadata.
const Version = "0.1.0"

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a cell failed, or the kernel or a write failed
	exitUsage   = 2 // bad arguments, or a notebook godl cannot read
)

const usage = `godl — a Jupyter kernel for Go, with deep learning built in

Usage:
  godl install [--user | --prefix DIR | --sys-prefix | --system] [--name NAME] [--display-name TEXT] [--front=false]
        install the Jupyter kernelspec (default --user) and build its
        small kernel front (needs the go command; --front=false skips it)
  godl kernel -f CONNECTION_FILE [--worker BINARY]
        run the kernel (Jupyter starts this through kernel.json)
  godl run NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [--allow-errors] [--timeout D]
        execute a notebook's Go cells without Jupyter and write it with
        its outputs (default NOTEBOOK.out.ipynb; - reads standard input,
        -o - writes to standard output)
  godl version
        print the version
  godl help [COMMAND]
        print this help, or a command's flags

Run 'godl help COMMAND' for the flags of one command.
`

func main() {
	os.Exit(godl(os.Args[1:], os.Stdout, os.Stderr))
}

// godl runs the command line args and returns the exit status.
func godl(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "install":
		return installCommand(rest, stdout, stderr)
	case "kernel":
		return kernelCommand(rest, stderr)
	case "run":
		return runCommand(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "godl %s (%s %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			switch rest[0] {
			case "install", "kernel", "run":
				return godl([]string{rest[0], "-h"}, stdout, stdout)
			}
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	case workerCommand:
		return serveWorker()
	}
	fmt.Fprintf(stderr, "godl: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// workerCommand is the hidden command the kernel and `godl run` start
// their evaluator process with.
const workerCommand = "__worker"

// newFlagSet returns a flag set that reports errors to stderr and
// prints its synopsis with -h.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("godl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: godl %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`godl run nb.ipynb -o out.ipynb`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// flagStatus is the exit status of a flag parsing error: 0 for -h.
func flagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

func installCommand(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("install", "[--user | --prefix DIR | --sys-prefix | --system] [--name NAME] [--display-name TEXT]", stderr)
	user := fs.Bool("user", false, "install for the current user: $JUPYTER_DATA_DIR or ~/.local/share/jupyter (the default)")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels (for a virtualenv or a custom JUPYTER_PATH)")
	sysPrefix := fs.Bool("sys-prefix", false, "install into sys.prefix/share/jupyter of the python3 on PATH (an active virtualenv or conda env)")
	system := fs.Bool("system", false, "install system-wide into /usr/local/share/jupyter (usually needs root)")
	name := fs.String("name", install.DefaultName, "kernelspec `NAME` (what Jupyter selects the kernel by)")
	display := fs.String("display-name", install.DefaultDisplayName, "name front ends show")
	front := fs.Bool("front", true, "also build the kernel front (needs the go command): Jupyter then starts a small process that binds within milliseconds and runs cells in this binary")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "godl install: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	opts := install.Options{Scope: install.User, Name: *name, DisplayName: *display, Version: Version}
	chosen := 0
	if *user {
		chosen++
	}
	if *prefix != "" {
		chosen++
		opts.Scope, opts.Prefix = install.Prefix, *prefix
	}
	if *sysPrefix {
		chosen++
		opts.Scope = install.SysPrefix
	}
	if *system {
		chosen++
		opts.Scope = install.System
	}
	if chosen > 1 {
		fmt.Fprintln(stderr, "godl install: choose one of --user, --prefix, --sys-prefix and --system")
		return exitUsage
	}
	if *front && !isFront {
		tmp, err := os.MkdirTemp("", "godl-front-")
		if err != nil {
			fmt.Fprintf(stderr, "godl install: %v\n", err)
			return exitFailure
		}
		defer os.RemoveAll(tmp)
		if opts.Front, err = buildFront(tmp); err != nil {
			fmt.Fprintf(stderr, "godl install: warning: no kernel front (the kernel will start slower and use more memory): building it: %v\n", err)
		}
	}
	res, err := install.Install(opts)
	if err != nil {
		fmt.Fprintf(stderr, "godl %v\n", err)
		return exitFailure
	}
	state := "Installed"
	if !res.Changed {
		state = "Already installed (unchanged)"
	}
	fmt.Fprintf(stdout, "%s kernelspec %s in %s\n", state, opts.Name, res.Dir)
	if res.Copied {
		fmt.Fprintf(stdout, "  kernel binary copied to %s (the running one is temporary)\n", res.Binary)
	} else {
		fmt.Fprintf(stdout, "  kernel binary: %s\n", res.Binary)
	}
	if res.Front != "" {
		fmt.Fprintf(stdout, "  kernel front: %s (runs cells in the binary above)\n", res.Front)
	}
	if opts.Scope == install.Prefix {
		fmt.Fprintf(stdout, "  Jupyter finds it with JUPYTER_PATH=%s\n", filepath.Dir(filepath.Dir(res.Dir)))
	}
	return exitOK
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [--allow-errors] [--timeout D]", stderr)
	var output string
	fs.StringVar(&output, "o", "", "write the executed notebook to `OUT.ipynb` (- for stdout; default NOTEBOOK.out.ipynb)")
	fs.StringVar(&output, "output", "", "same as -o")
	inplace := fs.Bool("inplace", false, "overwrite NOTEBOOK with the executed notebook (atomically)")
	allowErrors := fs.Bool("allow-errors", false, "run every cell even when some fail (exit status 0)")
	timeout := fs.Duration("timeout", 0, "interrupt a cell that runs longer than `D` (e.g. 30s, 5m) and count it as failed; 0 means no limit")
	inProcess := fs.Bool("in-process", false, "evaluate in this process instead of a worker process (for debugging)")
	quiet := fs.Bool("q", false, "no progress lines")
	verbose := fs.Bool("v", false, "log the evaluator worker's start, crashes and restarts")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	in := pos[0]
	if *inplace {
		if output != "" {
			fmt.Fprintln(stderr, "godl run: use -o or --inplace, not both")
			return exitUsage
		}
		output = in
	}
	if in == "-" && output == in && *inplace {
		fmt.Fprintln(stderr, "godl run: --inplace needs a notebook file, not standard input")
		return exitUsage
	}
	if output == "" {
		output = defaultOutputPath(in)
		if in == "-" {
			output = "-"
		}
	}
	if *timeout < 0 {
		fmt.Fprintln(stderr, "godl run: --timeout must not be negative")
		return exitUsage
	}

	var data []byte
	if in == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(in)
	}
	if err != nil {
		fmt.Fprintf(stderr, "godl run: %v\n", err)
		return exitUsage
	}
	nb, err := parseNotebook(data)
	if err != nil {
		fmt.Fprintf(stderr, "godl run: %s: %v\n", in, err)
		return exitUsage
	}
	info := kernelInfo()
	nb.prepare(info, install.DefaultName, install.DefaultDisplayName)

	// The first Ctrl-C interrupts the running cell and stops the run;
	// what ran so far is still written. A second one exits at once.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		fmt.Fprintln(stderr, "godl run: interrupted; stopping the cell (Ctrl-C again to quit at once)")
		stop()
		if _, ok := <-sigs; ok {
			os.Exit(130)
		}
	}()

	var ev kernel.Evaluator
	if *inProcess {
		ev, err = newInProcessEvaluator()
	} else {
		var log io.Writer
		if *verbose {
			log = stderr
		}
		ev, err = startWorker(context.Background(), "", false, log)
	}
	if err != nil {
		fmt.Fprintf(stderr, "godl run: starting the evaluator: %v\n", err)
		return exitFailure
	}
	opts := runOptions{AllowErrors: *allowErrors, Timeout: *timeout}
	if !*quiet {
		opts.Progress = stderr
	}
	start := time.Now()
	sum, runErr := executeNotebook(ctx, nb, ev, opts)
	if err := ev.Close(); err != nil && runErr == nil {
		fmt.Fprintf(stderr, "godl run: closing the evaluator: %v\n", err)
	}
	if err := writeNotebook(nb, output, stdout); err != nil {
		fmt.Fprintf(stderr, "godl run: writing %s: %v\n", output, err)
		return exitFailure
	}
	where := output
	if output == "-" {
		where = "standard output"
	}
	if sum.FirstFailure != "" {
		fmt.Fprintf(stderr, "\n%s\n", strings.TrimRight(sum.FirstFailure, "\n"))
	}
	fmt.Fprintf(stderr, "godl run: %d of %d code cells run, %d failed, %.2fs; wrote %s\n",
		sum.Executed, sum.CodeCells, sum.Failed, time.Since(start).Seconds(), where)
	switch {
	case runErr != nil:
		fmt.Fprintf(stderr, "godl run: %v\n", runErr)
		return exitFailure
	case sum.Interrupted:
		return 130
	case sum.Failed > 0 && !*allowErrors:
		return exitFailure
	}
	return exitOK
}
