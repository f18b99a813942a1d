package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strings"
)

// displayPkg is the import path of the display API.
const displayPkg = "github.com/godl-kernel/godl/display"

// displayTakers are the functions and methods of package display whose
// single argument is a value to render (display.Show, display.Render,
// (*Handle).Show, (*Handle).Update).
var displayTakers = map[string]bool{"Show": true, "Render": true, "Update": true}

// rewriteDisplayArgs rewrites, in the lowered cell src, the arguments of
// display.Show, display.Render and a Handle's Show and Update whose
// static type is a named type declared in a cell (or a pointer to one)
// with String, Error or renderer methods: yaegi hands compiled code such
// a value without its interpreted methods, so the argument becomes the
// bundle those methods give, computed in the interpreter (as for a
// cell's final value, see showConcrete). orig is the cell as given (what
// go/types checks); each rewrite stays within its line. Arguments that
// cannot be found again in src are left as they are.
func (s *Session) rewriteDisplayArgs(orig, src string, n int) (out string) {
	if s.lowerer == nil || !strings.Contains(orig, "Show(") && !strings.Contains(orig, "Render(") && !strings.Contains(orig, "Update(") {
		return src
	}
	defer func() {
		if recover() != nil {
			out = src
		}
	}()
	ck, err := s.lowerer.check(orig, n)
	if err != nil || ck == nil || ck.info == nil || ck.pkg == nil {
		return src
	}
	type edit struct {
		line       int    // 0-based line of the cell
		arg        string // the argument's text
		nth        int    // occurrence of arg on its line before it
		col        int    // byte offset of the argument in its line (orig)
		replace    string
		start, end int // in src, filled in below
	}
	var edits []edit
	origLines := strings.Split(orig, "\n")
	lineStart := make([]int, len(origLines))
	for i, off := 1, 0; i < len(origLines); i++ {
		off += len(origLines[i-1]) + 1
		lineStart[i] = off
	}
	ast.Inspect(ck.file, func(nd ast.Node) bool {
		call, ok := nd.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || call.Ellipsis.IsValid() {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !displayTakers[sel.Sel.Name] {
			return true
		}
		fn, ok := ck.info.Uses[sel.Sel].(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != displayPkg {
			return true
		}
		sig, ok := fn.Type().(*types.Signature)
		if !ok || sig.Params().Len() != 1 || sig.Variadic() {
			return true
		}
		if it, ok := sig.Params().At(0).Type().Underlying().(*types.Interface); !ok || !it.Empty() {
			return true
		}
		arg := call.Args[0]
		tv, ok := ck.info.Types[arg]
		if !ok || tv.Type == nil || !tv.IsValue() {
			return true
		}
		spell, ok := cellTypeSpelling(ck.pkg, tv.Type)
		if !ok || !methodsOf(tv.Type) {
			return true
		}
		a, ok1 := ck.m.origOffset(ck.tf.Offset(arg.Pos()))
		b, ok2 := ck.m.origOffset(ck.tf.Offset(arg.End()))
		if !ok1 || !ok2 || b <= a || b > len(orig) {
			return true
		}
		text := orig[a:b]
		if strings.Contains(text, "\n") {
			return true
		}
		line := sort.SearchInts(lineStart, a+1) - 1
		col := a - lineStart[line]
		nth := strings.Count(origLines[line][:col], text)
		edits = append(edits, edit{line: line, arg: text, nth: nth, col: col, replace: displayArgCode(text, spell, tv.Type)})
		return true
	})
	if len(edits) == 0 {
		return src
	}
	// Find each argument again in the lowered source: on the same line,
	// the same occurrence, provided the line holds it as often as the
	// cell did.
	srcLines := strings.Split(src, "\n")
	if len(srcLines) != len(origLines) {
		return src
	}
	srcStart := make([]int, len(srcLines))
	for i, off := 1, 0; i < len(srcLines); i++ {
		off += len(srcLines[i-1]) + 1
		srcStart[i] = off
	}
	var kept []edit
	for _, e := range edits {
		ol, sl := origLines[e.line], srcLines[e.line]
		if strings.Count(ol, e.arg) != strings.Count(sl, e.arg) {
			continue
		}
		at := -1
		for i, from := 0, 0; i <= e.nth; i++ {
			j := strings.Index(sl[from:], e.arg)
			if j < 0 {
				at = -1
				break
			}
			at = from + j
			from = at + len(e.arg)
		}
		if at < 0 {
			continue
		}
		e.start = srcStart[e.line] + at
		e.end = e.start + len(e.arg)
		kept = append(kept, e)
	}
	// Innermost first would need nesting; arguments rewritten here never
	// nest (the outer one's type would be the bundle), so apply from the
	// end, dropping overlaps.
	sort.Slice(kept, func(i, j int) bool { return kept[i].start > kept[j].start })
	out = src
	limit := len(src) + 1
	for _, e := range kept {
		if e.end > limit {
			continue
		}
		out = out[:e.start] + e.replace + out[e.end:]
		limit = e.start
	}
	return out
}

// cellTypeSpelling returns how the cell spells t when t is a
// non-generic named type declared at the top level of the cells (package
// main), or a pointer to one.
func cellTypeSpelling(pkg *types.Package, t types.Type) (string, bool) {
	star := ""
	if p, ok := t.(*types.Pointer); ok {
		star, t = "*", p.Elem()
	}
	nt, ok := t.(*types.Named)
	if !ok || nt.TypeParams().Len() != 0 || nt.TypeArgs().Len() != 0 || types.IsInterface(nt) {
		return "", false
	}
	o := nt.Obj()
	if o.Pkg() == nil || o.Pkg().Path() != "main" || o.Parent() != o.Pkg().Scope() {
		return "", false
	}
	// Earlier cells' types live in the checker's environment; the name
	// must still mean this type where the cell is compiled.
	if cur, ok := pkg.Scope().Lookup(o.Name()).(*types.TypeName); !ok || !types.Identical(cur.Type(), nt) {
		return "", false
	}
	return star + o.Name(), true
}

// displayArgCode returns a one-line expression replacing argument x (of
// static type t, spelled spell): the bundle of its text and renderer
// methods, built by the host from what the interpreter computes (a
// method that panics gives a text saying so).
func displayArgCode(x, spell string, t types.Type) string {
	ms := types.NewMethodSet(t)
	var kv []string
	for _, m := range rendererMethods {
		if niladic(ms, m.name) == m.result {
			kv = append(kv, fmt.Sprintf("%q, __godl_a.%s()", m.mime, m.name))
		}
	}
	body := fmt.Sprintf("return %s, []any{%s}", textExpr("__godl_a", t, 0), strings.Join(kv, ", "))
	if _, ok := t.(*types.Pointer); ok {
		body = "if __godl_a == nil { return \"<nil>\", nil }; " + body
	}
	// Keep the cell's lines: the text of a slice type is a function
	// literal over several lines.
	body = strings.ReplaceAll(body, "\n", "; ")
	return fmt.Sprintf("func(__godl_a %s) any { return __godl.Parts(%q, func() (string, []any) { %s }) }(%s)", spell, spell, body, x)
}
