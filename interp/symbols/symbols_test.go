package symbols_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/interp/symbols"
)

func newInterp(t *testing.T) *interp.Interpreter {
	t.Helper()
	i := interp.New(interp.Options{})
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(symbols.Symbols); err != nil {
		t.Fatal(err)
	}
	return i
}

// TestPreloadedHaveTables checks that every preloaded path has a table and
// every table is preloaded, so that go generate and the list agree.
func TestPreloadedHaveTables(t *testing.T) {
	var keys []string
	for k := range symbols.Symbols {
		keys = append(keys, k[:strings.LastIndex(k, "/")])
	}
	sort.Strings(keys)
	want := append([]string(nil), symbols.Preloaded...)
	sort.Strings(want)
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("tables for %v, Preloaded lists %v; run go generate ./interp/symbols", keys, want)
	}
}

func TestPackageName(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"gonum.org/v1/gonum/mat", "mat"},
		{"gorgonia.org/gorgonia", "gorgonia"},
		{"github.com/godl-kernel/godl/display", "display"},
		{"math/rand/v2", "rand"},
		{"fmt", "fmt"},
		{"no/such", ""},
	} {
		if got := symbols.PackageName(tc.path, stdlib.Symbols, symbols.Symbols); got != tc.want {
			t.Errorf("PackageName(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestInterpreterRuns(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"mat", `
import "gonum.org/v1/gonum/mat"
func f() string {
	a := mat.NewDense(2, 2, nil)
	a.Set(0, 1, 3)
	return fmt.Sprint(mat.Sum(a), " ", a.At(0, 1))
}`, "3 3"},
		{"gorgonia", `
import (
	"gorgonia.org/gorgonia"
)
func f() string {
	g := gorgonia.NewGraph()
	x := gorgonia.NewScalar(g, gorgonia.Float64, gorgonia.WithName("x"))
	y := gorgonia.NewScalar(g, gorgonia.Float64, gorgonia.WithName("y"))
	z, err := gorgonia.Add(x, y)
	if err != nil {
		return err.Error()
	}
	gorgonia.Let(x, 2.0)
	gorgonia.Let(y, 2.5)
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		return err.Error()
	}
	return fmt.Sprint(z.Value())
}`, "4.5"},
		{"tensor", `
import "gorgonia.org/tensor"
func f() string {
	a := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	return fmt.Sprint(a.Shape())
}`, "(2, 2)"},
		{"plot", `
import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)
func f() string {
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 2}})
	if err != nil {
		return err.Error()
	}
	p.Add(l)
	return fmt.Sprint(p.X.Max)
}`, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := newInterp(t)
			src := strings.Replace(tc.src, "\nimport", "\nimport \"fmt\"\nimport", 1)
			if _, err := i.Eval(src); err != nil {
				t.Fatalf("declaring: %v", err)
			}
			v, err := i.Eval("f()")
			if err != nil {
				t.Fatalf("running: %v", err)
			}
			if got := v.Interface(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
