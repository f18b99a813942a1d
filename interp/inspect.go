package interp

import (
	"go/ast"
	"go/parser"
	"reflect"
	"strings"

	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/interp/symbols"
	"github.com/godl-kernel/godl/kernel"
)

// helpInspect answers an inspect_request: see inspect. The name inspected
// is the one under (or just before) the cursor, with the selectors before
// it ("mat.NewDense", "m.At"); when the cursor is in a call's arguments
// and not on a name, the called function.
// Safe for concurrent use; it never panics.
func helpInspect(prior []string, code string, cursor, detail int) (res kernel.InspectResult) {
	notFound := kernel.InspectResult{Found: false, Data: map[string]any{}, Metadata: map[string]any{}}
	defer func() {
		if recover() != nil {
			helpPanics.Add(1)
			res = notFound
		}
	}()
	if cursor < 0 {
		return notFound
	}
	b := completion.RuneToByte(code, cursor)
	if in, _ := inCommentOrString(code, b); in {
		if start, end := callBefore(code, b); start >= 0 {
			return inspectExpr(prior, code, start, end, detail)
		}
		return notFound
	}
	start := completion.IdentStart(code, b)
	end := identEnd(code, b)
	if start == end {
		// Not on a name: the function whose arguments hold the cursor.
		if start, end = callBefore(code, b); start < 0 {
			return notFound
		}
		return inspectExpr(prior, code, start, end, detail)
	}
	if start > 0 && code[start-1] == '.' {
		if s := operandBefore(code, start-1); s >= 0 {
			start = s
		}
	}
	return inspectExpr(prior, code, start, end, detail)
}

// callBefore finds the innermost call whose argument list holds byte
// offset b and returns the span of the called expression, or -1.
func callBefore(code string, b int) (int, int) {
	depth := 0
	for i := b - 1; i >= 0; i-- {
		switch code[i] {
		case ')', ']', '}':
			depth++
		case '[', '{':
			if depth == 0 {
				return -1, -1
			}
			depth--
		case '(':
			if depth > 0 {
				depth--
				continue
			}
			end := i
			for end > 0 && code[end-1] == ' ' {
				end--
			}
			start := operandBefore(code+".", end) // operandBefore wants a dot at end
			if start < 0 {
				return -1, -1
			}
			return start, end
		}
	}
	return -1, -1
}

// inspectExpr describes the expression code[start:end].
func inspectExpr(prior []string, code string, start, end, detail int) kernel.InspectResult {
	res := kernel.InspectResult{Found: false, Data: map[string]any{}, Metadata: map[string]any{}}
	expr, err := parser.ParseExpr(code[start:end])
	if err != nil {
		return res
	}
	env := newHelpEnv(prior, code, start)
	var h helpDoc
	switch x := expr.(type) {
	case *ast.Ident:
		h = env.describeName(x.Name, detail)
	case *ast.SelectorExpr:
		h = env.describeSelector(x, detail)
	case *ast.CallExpr, *ast.IndexExpr:
		// The cursor was on the closing part of a chain: describe the
		// value's type.
		if t := env.typeOf(expr, 0); t.known() {
			h = helpDoc{decl: code[start:end] + " // " + t.String()}
		}
	}
	if h.decl == "" && h.text == "" {
		return res
	}
	res.Found = true
	res.Data["text/plain"] = h.plain()
	res.Data["text/markdown"] = h.markdown()
	return res
}

// helpDoc is what inspect shows: a declaration and its documentation.
type helpDoc struct {
	decl string // Go source: signature or declaration
	text string // doc comment
	// extra is shown after the declaration (for variables, where they were
	// declared).
	extra string
	// url is the reference documentation page, if any.
	url string
}

func (h helpDoc) plain() string {
	parts := []string{}
	for _, s := range []string{h.decl, h.extra, h.text} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

func (h helpDoc) markdown() string {
	var b strings.Builder
	if h.decl != "" {
		b.WriteString("```go\n" + h.decl + "\n```\n")
	}
	if h.extra != "" {
		b.WriteString("\n```go\n" + h.extra + "\n```\n")
	}
	if h.text != "" {
		b.WriteString("\n" + h.text + "\n")
	}
	if h.url != "" {
		b.WriteString("\n[" + h.url + "](" + h.url + ")\n")
	}
	return b.String()
}

// fromDoc converts generated documentation.
func fromDoc(d symbols.Doc) helpDoc {
	h := helpDoc{decl: d.Decl, text: d.Text, url: docURL(d.Key)}
	if d.Kind == symbols.KindType {
		// As go doc does: the type's methods after its declaration.
		var ms []string
		for _, m := range symbols.DocMembers(d.Key) {
			if m.Kind == symbols.KindMethod && !strings.HasPrefix(d.Decl, "type "+d.Key[strings.LastIndexByte(d.Key, '.')+1:]+" interface") {
				ms = append(ms, strings.SplitN(m.Decl, "\n", 2)[0])
			}
		}
		h.extra = strings.Join(ms, "\n")
	}
	return h
}

// docURL returns the pkg.go.dev page of a documented key
// ("fmt.Println" -> https://pkg.go.dev/fmt#Println), or "" for godl's own
// packages, which are documented here.
func docURL(key string) string {
	if strings.HasPrefix(key, "github.com/godl-kernel/") {
		return ""
	}
	slash := strings.LastIndexByte(key, '/')
	dot := strings.IndexByte(key[slash+1:], '.')
	if dot < 0 {
		return "https://pkg.go.dev/" + key
	}
	dot += slash + 1
	return "https://pkg.go.dev/" + key[:dot] + "#" + key[dot+1:]
}

// describeName describes a bare identifier.
func (env *helpEnv) describeName(name string, detail int) helpDoc {
	if b := env.lookup(name); b != nil {
		return env.describeBinding(b, detail)
	}
	if p := autoPackage(name); p != "" {
		if d, ok := symbols.LookupDoc(p); ok {
			return fromDoc(d)
		}
		return helpDoc{decl: "package " + name + " // import \"" + p + "\""}
	}
	if d, ok := symbols.LookupDoc("builtin." + name); ok {
		return fromDoc(d)
	}
	return helpDoc{}
}

// describeBinding describes a user-declared name: its declaration source
// (whole for funcs and types at detail 1, header only at detail 0) and
// doc comment.
func (env *helpEnv) describeBinding(b *helpBinding, detail int) helpDoc {
	if b.kind == bindImport {
		if d, ok := symbols.LookupDoc(b.path); ok {
			return fromDoc(d)
		}
		return helpDoc{decl: "package " + b.name + " // import \"" + b.path + "\""}
	}
	var h helpDoc
	if b.doc != nil {
		h.text = strings.TrimSpace(b.doc.Text())
	}
	src := b.nodeSource()
	switch b.kind {
	case bindFunc, bindMethod:
		if fd, ok := b.node.(*ast.FuncDecl); ok && detail == 0 && fd.Body != nil {
			if s, e := b.cell.offset(fd.Pos()), b.cell.offset(fd.Body.Lbrace); s >= 0 && e > s {
				src = strings.TrimSpace(b.cell.src[s:e])
			}
		}
		h.decl = src
	case bindType:
		h.decl = src
		if detail == 0 {
			if ms := env.globals.methods[b.name]; len(ms) > 0 {
				var sigs []string
				for _, name := range sortedKeys(ms) {
					m := ms[name]
					if fd, ok := m.node.(*ast.FuncDecl); ok && fd.Body != nil {
						if s, e := m.cell.offset(fd.Pos()), m.cell.offset(fd.Body.Lbrace); s >= 0 && e > s {
							sigs = append(sigs, strings.TrimSpace(m.cell.src[s:e]))
						}
					}
				}
				h.extra = strings.Join(sigs, "\n")
			}
		}
	default: // variables and constants: type, then where declared
		t := env.bindingType(b, 0)
		kw := "var "
		if b.kind == bindConst {
			kw = "const "
		}
		if t.known() {
			h.decl = kw + b.name + " " + t.String()
		} else {
			h.decl = kw + b.name
		}
		if src != "" && b.rangeOf == nil {
			h.extra = firstLines(src, 12)
		} else if b.rangeOf != nil {
			h.extra = "for ... range " + exprString(b.rangeOf)
		}
	}
	return h
}

// describeSelector describes x.Sel: a package member, or a field or method
// of x's type.
func (env *helpEnv) describeSelector(x *ast.SelectorExpr, detail int) helpDoc {
	if id, ok := x.X.(*ast.Ident); ok {
		if p := env.packagePath(id.Name); p != "" {
			if d, ok := symbols.LookupDoc(p + "." + x.Sel.Name); ok {
				return fromDoc(d)
			}
			if v, ok := pkgTable(p)[x.Sel.Name]; ok {
				if v.Kind() == reflect.Pointer && v.IsNil() {
					return helpDoc{decl: "type " + x.Sel.Name + " " + v.Type().Elem().String()}
				}
				return helpDoc{decl: id.Name + "." + x.Sel.Name + " " + pkgValueType(p, x.Sel.Name).String()}
			}
			return helpDoc{}
		}
	}
	t := env.typeOf(x.X, 0)
	for _, m := range env.members(t, 0) {
		if m.name != x.Sel.Name {
			continue
		}
		if m.owner != nil {
			if d, ok := symbols.LookupDoc(m.owner.PkgPath() + "." + m.owner.Name() + "." + m.name); ok {
				return fromDoc(d)
			}
			if m.method {
				return helpDoc{decl: "func (" + m.owner.String() + ") " + m.name + strings.TrimPrefix(m.sig, "func")}
			}
			return helpDoc{decl: m.name + " " + m.sig}
		}
		if m.method && m.decl != nil && m.decl.kind == bindMethod {
			return env.describeBinding(m.decl, detail)
		}
		if m.fld != nil {
			var names []string
			for _, n := range m.fld.Names {
				names = append(names, n.Name)
			}
			h := helpDoc{decl: strings.TrimSpace(strings.Join(names, ", ") + " " + exprString(m.fld.Type))}
			if m.method {
				h.decl = m.name + strings.TrimPrefix(exprString(m.fld.Type), "func")
			}
			if m.fld.Doc != nil {
				h.text = strings.TrimSpace(m.fld.Doc.Text())
			} else if m.fld.Comment != nil {
				h.text = strings.TrimSpace(m.fld.Comment.Text())
			}
			if m.decl != nil {
				h.extra = "in type " + m.decl.name
			}
			return h
		}
		return helpDoc{decl: m.name + " " + m.sig}
	}
	return helpDoc{}
}

// firstLines keeps at most n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		return strings.Join(lines[:n], "\n") + "\n..."
	}
	return s
}
