package interp

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/godl-kernel/godl/kernel"
)

// TestFastLoopRandomDifferential runs randomly generated numeric loops
// (ints with wrap-around, floats, bools, nested loops, break and continue,
// division by values that are never zero) with and without compiled loops
// (fastloop.go) and requires the same results. The cases of
// TestFastLoopDifferential are written by hand; these catch what nobody
// thought of. The seed is fixed, so a failure is reproducible; the
// failing cell is printed.
func TestFastLoopRandomDifferential(t *testing.T) {
	const cases = 60
	rng := rand.New(rand.NewSource(20261128))
	fast, slow := newTestSession(t), newTestSession(t)
	slow.s.noFastLoop = true
	compiled := 0
	for k := 0; k < cases; k++ {
		g := &loopGen{rng: rng}
		setup := fmt.Sprintf("a, b, c := %s, %s, %s\nf, h := %s, %s\non := %v\nn := %d",
			g.intLit(), g.intLit(), g.intLit(), g.floatLit(), g.floatLit(), rng.Intn(2) == 0, 5+rng.Intn(60))
		code := g.loop(0) + "\n[]any{a, b, c, f, h, on}"
		var results [2]string
		for i, ts := range []*testSession{fast, slow} {
			if r := ts.run(setup); r.res.Status != kernel.StatusOK {
				t.Fatalf("setup %q: %s", setup, r.errText())
			}
			if i == 0 && strings.Contains(ts.lowerFor(code), "__godl.Loop(") {
				compiled++
			}
			r := ts.run(code)
			results[i] = fmt.Sprintf("%s %s %s", r.res.Status, r.value(), r.errText())
		}
		if results[0] != results[1] {
			t.Errorf("case %d differs:\n%s\n%s\ncompiled loop: %s\nyaegi:         %s", k, setup, code, results[0], results[1])
		}
	}
	// The generator must exercise the compiler, not only yaegi.
	if compiled < cases*3/4 {
		t.Errorf("only %d of %d generated loops were compiled", compiled, cases)
	}
}

// loopGen writes random Go loops over the variables a, b, c (int), f, h
// (float64), on (bool) and n (the trip count).
type loopGen struct {
	rng  *rand.Rand
	vars []string // loop variables in scope, outermost first
}

func (g *loopGen) intLit() string { return fmt.Sprint(g.rng.Intn(2001) - 1000) }

func (g *loopGen) floatLit() string {
	return fmt.Sprintf("%.3f", g.rng.Float64()*200-100)
}

func (g *loopGen) pick(xs ...string) string { return xs[g.rng.Intn(len(xs))] }

// intExpr returns an int expression; its left operands always hold a
// variable, so that no subexpression is a constant (which could overflow
// at compile time).
func (g *loopGen) intExpr(d int) string {
	if d > 2 || g.rng.Intn(3) == 0 {
		return g.pick(append([]string{"a", "b", "c"}, g.vars...)...)
	}
	x, y := g.intExpr(d+1), g.intExpr(d+1)
	if g.rng.Intn(3) == 0 {
		y = g.pick(g.intLit(), fmt.Sprint(g.rng.Intn(9)))
	}
	switch g.rng.Intn(10) {
	case 0:
		return fmt.Sprintf("(%s / (%s | 1))", x, y) // never zero
	case 1:
		return fmt.Sprintf("(%s %% (%s | 1))", x, y)
	case 2:
		return fmt.Sprintf("(%s << %d)", x, g.rng.Intn(70))
	case 3:
		return fmt.Sprintf("(%s >> (%s & 63))", x, y)
	case 4:
		return fmt.Sprintf("int(float64(%s %% 1000) * %s)", x, g.pick("0.5", "1.25", "-3.0"))
	case 5:
		return fmt.Sprintf("min(%s, %s)", x, y)
	}
	return fmt.Sprintf("(%s %s %s)", x, g.pick("+", "-", "*", "&", "|", "^", "&^"), y)
}

func (g *loopGen) floatExpr(d int) string {
	if d > 2 || g.rng.Intn(3) == 0 {
		return g.pick("f", "h", "float64(a)", "float64(i)")
	}
	x, y := g.floatExpr(d+1), g.floatExpr(d+1)
	if g.rng.Intn(3) == 0 {
		y = g.floatLit()
	}
	switch g.rng.Intn(8) {
	case 0:
		return fmt.Sprintf("math.Sqrt(math.Abs(%s))", x)
	case 1:
		return fmt.Sprintf("math.Sin(%s)", x)
	case 2:
		return fmt.Sprintf("max(%s, %s)", x, y)
	}
	return fmt.Sprintf("(%s %s %s)", x, g.pick("+", "-", "*", "/"), y)
}

func (g *loopGen) cond(d int) string {
	switch g.rng.Intn(6) {
	case 0:
		return g.pick("on", "!on")
	case 1:
		if d < 2 {
			return fmt.Sprintf("(%s %s %s)", g.cond(d+1), g.pick("&&", "||"), g.cond(d+1))
		}
	case 2:
		return fmt.Sprintf("%s %s %s", g.floatExpr(1), g.pick("<", ">", "<=", ">="), g.floatExpr(1))
	}
	return fmt.Sprintf("%s %s %s", g.intExpr(1), g.pick("<", ">", "==", "!=", "<=", ">="), g.intExpr(1))
}

func (g *loopGen) stmt(indent string, inLoop bool) string {
	switch r := g.rng.Intn(12); {
	case r < 4:
		return fmt.Sprintf("%s%s %s %s", indent, g.pick("a", "b", "c"), g.pick("=", "+=", "-=", "^=", "*="), g.intExpr(0))
	case r < 6:
		return fmt.Sprintf("%s%s %s %s", indent, g.pick("f", "h"), g.pick("=", "+=", "*="), g.floatExpr(0))
	case r == 6:
		return fmt.Sprintf("%son = %s", indent, g.cond(0))
	case r == 7 && inLoop:
		return fmt.Sprintf("%sif %s {\n%s\t%s\n%s}", indent, g.cond(0), indent, g.pick("continue", "break"), indent)
	case r == 8 && len(g.vars) < 2:
		return g.loop(len(indent))
	case r == 9:
		return fmt.Sprintf("%sif %s {\n%s\n%s} else {\n%s\n%s}", indent, g.cond(0),
			g.stmt(indent+"\t", inLoop), indent, g.stmt(indent+"\t", inLoop), indent)
	case r == 10:
		return fmt.Sprintf("%sa, b = b, a%s", indent, g.pick("+c", "-1", "*3"))
	}
	return fmt.Sprintf("%sc++", indent)
}

// loop writes a for loop at the given indentation depth.
func (g *loopGen) loop(indentN int) string {
	indent := strings.Repeat("\t", indentN)
	v := fmt.Sprintf("i%d", len(g.vars))
	if len(g.vars) == 0 {
		v = "i"
	}
	g.vars = append(g.vars, v)
	defer func() { g.vars = g.vars[:len(g.vars)-1] }()
	var b strings.Builder
	bound := "n"
	if len(g.vars) > 1 {
		bound = fmt.Sprint(2 + g.rng.Intn(6))
	}
	fmt.Fprintf(&b, "%sfor %s := 0; %s < %s; %s++ {\n", indent, v, v, bound, v)
	for k := 1 + g.rng.Intn(4); k > 0; k-- {
		b.WriteString(g.stmt(indent+"\t", true))
		b.WriteString("\n")
	}
	b.WriteString(indent + "}")
	return b.String()
}
