package symbols

import (
	"strings"
	"sync"
	"testing"
)

func TestLookupDoc(t *testing.T) {
	for _, tc := range []struct {
		key        string
		kind       DocKind
		decl, text string // substrings
	}{
		{"fmt", KindPackage, `package fmt // import "fmt"`, "formatted I/O"},
		{"fmt.Println", KindFunc, "func Println(a ...any) (n int, err error)", "Spaces are always added"},
		{"strings.Builder", KindType, "type Builder struct", "A Builder is used"},
		{"strings.Builder.WriteString", KindMethod, "func (b *Builder) WriteString(s string) (int, error)", "appends the contents"},
		{"io.Reader.Read", KindMethod, "func (Reader) Read(p []byte) (n int, err error)", ""},
		{"os.ModeDir", KindConst, "ModeDir = fs.ModeDir", ""},
		{"gonum.org/v1/gonum/mat.NewDense", KindFunc, "func NewDense(r, c int, data []float64) *Dense", "NewDense creates"},
		{"gonum.org/v1/gonum/mat.Dense.At", KindMethod, "func (m *Dense) At(i, j int) float64", ""},
		{"gonum.org/v1/plot.Plot.Title", KindField, "Title struct", ""},
		{"gorgonia.org/gorgonia.NewGraph", KindFunc, "func NewGraph(", ""},
		{"gorgonia.org/tensor.New", KindFunc, "func New(opts ...ConsOpt) *Dense", ""},
		{"github.com/godl-kernel/godl/display.Render", KindFunc, "func Render(v any)", ""},
		{"slices.Sort", KindFunc, "func Sort[S ~[]E, E cmp.Ordered](x S)", ""},
	} {
		d, ok := LookupDoc(tc.key)
		if !ok {
			t.Errorf("LookupDoc(%q): not found", tc.key)
			continue
		}
		if d.Kind != tc.kind || !strings.Contains(d.Decl, tc.decl) || !strings.Contains(d.Text, tc.text) {
			t.Errorf("LookupDoc(%q) = %c %q\n%s\nwant %c %q, text with %q", tc.key, d.Kind, d.Decl, d.Text, tc.kind, tc.decl, tc.text)
		}
	}
	for _, key := range []string{"fmt.println", "nosuch", "fmt.Println.X", ""} {
		if d, ok := LookupDoc(key); ok {
			t.Errorf("LookupDoc(%q) = %+v, want not found", key, d)
		}
	}
}

func TestDocMembers(t *testing.T) {
	has := func(ds []Doc, key string) bool {
		for _, d := range ds {
			if d.Key == key {
				return true
			}
		}
		return false
	}
	fmtM := DocMembers("fmt")
	if !has(fmtM, "fmt.Println") || !has(fmtM, "fmt.Stringer") || has(fmtM, "fmt.Stringer.String") {
		t.Errorf("DocMembers(fmt) = %d names, wrong", len(fmtM))
	}
	if m := DocMembers("math"); has(m, "math/big.NewInt") || !has(m, "math.Pi") {
		t.Errorf("DocMembers(math) mixes math/big or misses Pi")
	}
	if m := DocMembers("gonum.org/v1/gonum/mat.Dense"); !has(m, "gonum.org/v1/gonum/mat.Dense.Mul") {
		t.Errorf("DocMembers(mat.Dense) lacks Mul")
	}
}

func BenchmarkLoadDocs(b *testing.B) {
	for i := 0; i < b.N; i++ {
		docsOnce = syncOnceZero()
		loadDocs()
	}
}

func syncOnceZero() (o sync.Once) { return }

func TestBuiltinDocs(t *testing.T) {
	for _, key := range []string{"builtin.append", "builtin.len", "builtin.error", "builtin.int", "builtin.nil", "builtin.true"} {
		if _, ok := LookupDoc(key); !ok {
			t.Errorf("LookupDoc(%q): not found", key)
		}
	}
}
