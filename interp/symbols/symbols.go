// Package symbols holds the yaegi symbol tables of the packages that godl
// cells use without import lines (gonum, plot, gorgonia, tensor, display),
// plus the documentation of those packages and of the standard library,
// for completion and inspection.
//
// Everything in the zz_generated_*.go files is produced by
//
//	go generate ./interp/symbols
//
// which runs ./internal/gen (yaegi's extract package for the tables,
// go/doc for the documentation). Regenerate after changing a preloaded
// package's exported API, such as display.
package symbols

import (
	"path"

	"github.com/traefik/yaegi/interp"
)

//go:generate go run ./internal/gen

// Symbols are the yaegi exports of the preloaded packages, keyed the way
// yaegi wants them ("gonum.org/v1/gonum/mat/mat"). Use with
// (*interp.Interpreter).Use, next to stdlib.Symbols.
var Symbols = interp.Exports{}

// Preloaded are the import paths of the packages that cells may use
// without an import line, in the order they are imported. Their names
// (PackageName) are the identifiers cells use: mat, stat, floats, distuv,
// plot, plotter, plotutil, vg, draw, vgimg, gorgonia, tensor, display.
var Preloaded = []string{
	"github.com/godl-kernel/godl/display",
	"gonum.org/v1/gonum/mat",
	"gonum.org/v1/gonum/stat",
	"gonum.org/v1/gonum/stat/distuv",
	"gonum.org/v1/gonum/floats",
	"gonum.org/v1/plot",
	"gonum.org/v1/plot/plotter",
	"gonum.org/v1/plot/plotutil",
	"gonum.org/v1/plot/vg",
	"gonum.org/v1/plot/vg/draw",
	"gonum.org/v1/plot/vg/vgimg",
	"gorgonia.org/gorgonia",
	"gorgonia.org/tensor",
}

// PackageName returns the package name of importPath as declared in its
// source, looked up in the given yaegi export tables (for example
// stdlib.Symbols and Symbols), or "" when no table has it. Import paths
// such as "math/rand/v2" have a name ("rand") different from their last
// element.
func PackageName(importPath string, tables ...interp.Exports) string {
	for _, t := range tables {
		for key := range t {
			if path.Dir(key) == importPath {
				return path.Base(key)
			}
		}
	}
	return ""
}
