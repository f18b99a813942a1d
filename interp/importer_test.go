package interp

import (
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/interp/symbols"
)

// TestImporterAllPackages converts every package of the symbol tables.
func TestImporterAllPackages(t *testing.T) {
	im := newSymbolImporter(stdlib.Symbols, symbols.Symbols)
	n := 0
	for _, ex := range []interface{ keys() []string }{exportKeys(stdlib.Symbols), exportKeys(symbols.Symbols)} {
		for _, key := range ex.keys() {
			p := path.Dir(key)
			if p == "." || strings.HasPrefix(p, "github.com/traefik/yaegi") {
				continue
			}
			pkg, err := im.Import(p)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			if !pkg.Complete() || pkg.Path() != p {
				t.Errorf("%s: got package %q complete=%v", p, pkg.Path(), pkg.Complete())
			}
			n++
		}
	}
	if n < 150 {
		t.Errorf("imported only %d packages", n)
	}
	if _, err := im.Import("no/such/pkg"); err == nil || !strings.Contains(err.Error(), "not available") {
		t.Errorf("importing a missing package: got %v", err)
	}
}

type exportKeys map[string]map[string]reflect.Value

func (e exportKeys) keys() []string {
	ks := make([]string, 0, len(e))
	for k := range e {
		ks = append(ks, k)
	}
	return ks
}

// TestImporterTypes checks that converted packages type-check real uses:
// interface satisfaction across packages, promoted methods, constants,
// variadics, channels, pointer-receiver method sets.
func TestImporterTypes(t *testing.T) {
	cells := []string{
		`var w io.Writer = os.Stdout`,
		`var rw io.ReadWriter = &bytes.Buffer{}`,
		`var s fmt.Stringer = time.Second`,
		`r := bufio.NewReadWriter(bufio.NewReader(os.Stdin), bufio.NewWriter(os.Stdout)); line, err := r.ReadString('\n'); _, _ = line, err; r.Flush()`,
		`const big = math.MaxInt64; var u uint64 = big; var f float32 = math.Pi; _, _ = u, f`,
		`var d time.Duration = 2 * time.Hour; d.Hours()`,
		`fmt.Println(1, "a", nil)`,
		`var c <-chan time.Time = time.After(time.Millisecond); _ = c`,
		`m := map[string][]int{}; sort.Ints(m["a"])`,
		`var e error = errors.New("x"); errors.Is(e, io.EOF)`,
		`var b strings.Builder; b.WriteString("x"); b.String()`,
		`var mu sync.Mutex; mu.Lock(); mu.Unlock()`,
		`var wg sync.WaitGroup; wg.Add(1); wg.Done()`,
		`var ctx context.Context = context.Background(); ctx, cancel := context.WithCancel(ctx); cancel(); <-ctx.Done()`,
		`h := sha256.Sum256([]byte("x")); hex.EncodeToString(h[:])`,
		`var x json.Marshaler; _ = x; data, _ := json.Marshal(map[string]int{"a": 1}); string(data)`,
		`rand.New(rand.NewSource(1)).Intn(10)`,
		`var m mat.Matrix = mat.NewDense(1, 1, nil); m.Dims()`,
		`g := gorgonia.NewGraph(); var n *gorgonia.Node = gorgonia.NewScalar(g, gorgonia.Float64); n.Shape()`,
	}
	for _, c := range cells {
		l := newCellLowerer(autoImportPath, stdlib.Symbols, symbols.Symbols)
		if _, err := l.lower(c, 1); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	// Mistakes are caught with Go's messages.
	bad := map[string]string{
		`var w io.Reader = os.Stdout.Name()`:      "cannot use os.Stdout.Name() (value of type string) as io.Reader value",
		`var d time.Duration = "1s"`:              `cannot use "1s" (untyped string constant) as time.Duration value`,
		`strings.Repeat("a")`:                     "not enough arguments in call to strings.Repeat",
		`var b bytes.Buffer; var w io.Writer = b`: "method Write has pointer receiver",
		`mat.NewDense(1, 1, []float32{1})`:        "cannot use []float32{…} (value of type []float32) as []float64 value",
	}
	for c, want := range bad {
		l := newCellLowerer(autoImportPath, stdlib.Symbols, symbols.Symbols)
		_, err := l.lower(c, 1)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", c, err, want)
		}
	}
}
