package interp

import "github.com/godl-kernel/godl/interp/worker"

// FastPaths tells the worker that the Session reports, through
// worker.SlowCellNotifier, when a cell leaves its fast paths (fastpath.go:
// constant expressions and plain variables, answered in microseconds
// without blocking), so that the worker need not prepare for a long cell
// before that.
func (s *Session) FastPaths() {}

var _ worker.FastPaths = (*Session)(nil)

// cellSlow tells the running cell's Output, if it wants to know, that the
// cell goes beyond the fast paths: to the interpreter, or to a magic.
func (s *Session) cellSlow() {
	s.outMu.Lock()
	out := s.out
	s.outMu.Unlock()
	if n, ok := out.(worker.SlowCellNotifier); ok {
		n.CellSlow()
	}
}
