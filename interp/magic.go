package interp

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// magicHelp is what %help prints.
const magicHelp = `godl magics (a line starting with % or !):
  %help              this help
  %who               the variables of the session, with their types
  %reset             discard every variable, function, type and import (a fresh interpreter)
  %time              (first line of a cell) run the rest of the cell and print its wall time
  %env               list the environment
  %env NAME          print the value of NAME
  %env NAME=VALUE    set NAME (also %env NAME VALUE) for the kernel and the commands it runs
  !COMMAND           run COMMAND with sh -c; its output is streamed as it comes
Go lines and magic lines may alternate in one cell; they run in order.
Line numbers of Go code in errors are those of the cell.
`

// unit kinds of a cell.
const (
	unitGo = iota
	unitTime
	unitMagic
	unitShell
)

// unit is one part of a cell: Go code (with the cell's line numbers
// kept by blank lines) or one magic line.
type unit struct {
	kind int
	text string
}

// isMagicLine tells whether a line is a magic or shell line.
func isMagicLine(line string) bool {
	t := strings.TrimLeft(line, " \t")
	if strings.HasPrefix(t, "!") {
		return !strings.HasPrefix(t, "!=")
	}
	if strings.HasPrefix(t, "%") {
		w := strings.Fields(t[1:])
		if len(w) == 0 {
			return false
		}
		switch strings.TrimPrefix(w[0], "%") {
		case "help", "who", "reset", "time", "env", "lsmagic":
			return true
		}
	}
	return false
}

// isMagicOnly tells whether code consists of magic lines only.
func isMagicOnly(code string) bool {
	any := false
	for _, l := range strings.Split(code, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !isMagicLine(l) {
			return false
		}
		any = true
	}
	return any
}

// splitMagics splits a cell into Go units and magic lines, in order. The
// Go units keep the cell's line numbers (earlier lines become blank).
func splitMagics(code string) []unit {
	lines := strings.Split(code, "\n")
	var units []unit
	var goLines []string
	hasGo := false
	flush := func() {
		if hasGo {
			units = append(units, unit{kind: unitGo, text: strings.Join(goLines, "\n")})
		}
		goLines, hasGo = goLines[:0:0], false
	}
	inRaw := false // inside a raw string literal: no magics there
	for i, l := range lines {
		if !inRaw && isMagicLine(l) {
			flush()
			t := strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(t, "!"):
				units = append(units, unit{kind: unitShell, text: strings.TrimSpace(t[1:])})
			case strings.TrimLeft(strings.Fields(t)[0], "%") == "time":
				units = append(units, unit{kind: unitTime})
				rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimLeft(t, "%"), "time"))
				if rest != "" {
					// "%time expr": the rest of the line is Go.
					for len(goLines) < i {
						goLines = append(goLines, "")
					}
					goLines = append(goLines, strings.Repeat(" ", len(l)-len(rest))+rest)
					hasGo = true
					continue
				}
			default:
				units = append(units, unit{kind: unitMagic, text: strings.TrimLeft(t, "%")})
			}
			// Keep later Go lines at their cell line numbers.
			for len(goLines) < i+1 {
				goLines = append(goLines, "")
			}
			continue
		}
		if strings.Count(l, "`")%2 == 1 {
			inRaw = !inRaw
		}
		for len(goLines) < i {
			goLines = append(goLines, "")
		}
		goLines = append(goLines, l)
		if strings.TrimSpace(l) != "" {
			hasGo = true
		}
	}
	flush()
	return units
}

// runMagic runs one magic or shell line.
func (s *Session) runMagic(ctx context.Context, u unit) error {
	if u.kind == unitShell {
		return s.shell(ctx, u.text)
	}
	w := strings.Fields(u.text)
	name, args := w[0], strings.TrimSpace(strings.TrimPrefix(u.text, w[0]))
	switch name {
	case "help", "lsmagic":
		io.WriteString(s.stdout, magicHelp)
	case "who":
		s.who()
	case "reset":
		if err := s.reset(); err != nil {
			return err
		}
		fmt.Fprintln(s.stdout, "godl: state reset: variables, functions, types and imports are gone")
	case "env":
		return s.env(args)
	}
	return nil
}

// who prints the session's variables with their types.
func (s *Session) who() {
	g, listed := globalsOf(s.yi)
	var names []string
	for n := range s.vars {
		if _, ok := g[n]; ok || !listed {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		fmt.Fprintln(s.stdout, "no variables")
		return
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Variable\tType\tValue")
	for _, n := range names {
		v := g[n]
		typ, val := "?", ""
		if t := s.vars[n].typ[n]; t != "" {
			typ = t
		} else if v.IsValid() {
			typ = typeName(v.Type())
		}
		if v.IsValid() {
			if v.CanInterface() {
				val = fmt.Sprintf("%v", v.Interface())
				if len(val) > 60 {
					val = val[:57] + "..."
				}
				val = strings.ReplaceAll(val, "\n", " ")
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", n, typ, val)
	}
	tw.Flush()
}

// typeName names a variable's type; interpreted struct types have no
// Go name at run time, so their fields are shown.
func typeName(t reflect.Type) string {
	return t.String()
}

// env implements %env.
func (s *Session) env(args string) error {
	switch {
	case args == "":
		env := os.Environ()
		sort.Strings(env)
		for _, e := range env {
			fmt.Fprintln(s.stdout, e)
		}
	case strings.ContainsAny(args, "= "):
		k, v, _ := strings.Cut(args, "=")
		if !strings.Contains(args, "=") {
			k, v, _ = strings.Cut(args, " ")
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if err := os.Setenv(k, v); err != nil {
			return &evalError{"EnvError", fmt.Sprintf("%%env: setting %s: %v", k, err)}
		}
		fmt.Fprintf(s.stdout, "env: %s=%s\n", k, v)
	default:
		v, ok := os.LookupEnv(args)
		if !ok {
			return &evalError{"KeyError", fmt.Sprintf("%%env: environment variable %s is not set", args)}
		}
		fmt.Fprintln(s.stdout, v)
	}
	return nil
}

// shell runs a !command with sh -c, streaming its output through the
// session's writers, stopping it on interrupt.
func (s *Session) shell(ctx context.Context, cmdline string) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	cmd.Stdin = nil
	// Interrupt kills the whole process group (sh and its children),
	// and does not wait for grandchildren holding the output pipes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 500 * time.Millisecond
	err := cmd.Run()
	if ctx.Err() != nil {
		return execErr{&kernel.ExecError{Name: "Interrupted", Value: "interrupted by the user", Traceback: []string{"Interrupted: !" + cmdline}}}
	}
	if err != nil {
		return &evalError{"ShellError", fmt.Sprintf("!%s: %v", cmdline, err)}
	}
	return nil
}
