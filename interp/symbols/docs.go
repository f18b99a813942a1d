package symbols

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"sort"
	"strings"
	"sync"
)

// DocKind says what a documented name is.
type DocKind byte

// Kinds of documented names.
const (
	KindPackage DocKind = 'p'
	KindFunc    DocKind = 'f'
	KindMethod  DocKind = 'm' // also interface methods
	KindType    DocKind = 't'
	KindField   DocKind = 'F' // exported struct field
	KindVar     DocKind = 'v'
	KindConst   DocKind = 'c'
)

// String returns the kind's name as Jupyter frontends show it
// ("function", "method", "class" ...).
func (k DocKind) String() string {
	switch k {
	case KindPackage:
		return "module"
	case KindFunc:
		return "function"
	case KindMethod:
		return "method"
	case KindType:
		return "class"
	case KindField:
		return "property"
	case KindVar:
		return "variable"
	case KindConst:
		return "constant"
	}
	return "unknown"
}

// Doc is the documentation of one name of a package.
type Doc struct {
	// Key names what is documented: "fmt" (the package), "fmt.Println",
	// "strings.Builder.WriteString" (a method) or
	// "gonum.org/v1/plot.Plot.Title" (a field).
	Key  string
	Kind DocKind
	// Decl is the declaration as go doc prints it ("func Println(a ...any)
	// (n int, err error)"); long type declarations are cut short.
	Decl string
	// Text is the doc comment.
	Text string
}

// docsIndex is the decoded documentation table: records sorted by Key.
// It is built once, on first use, and read-only afterwards, so concurrent
// readers need no lock.
var (
	docsOnce sync.Once
	docs     []Doc
)

func loadDocs() []Doc {
	docsOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(docsGz))
		if err != nil {
			return
		}
		// The gzip trailer holds the size: read into one exact buffer
		// rather than growing one (which took most of the time).
		var raw []byte
		if n := len(docsGz); n >= 4 {
			size := binary.LittleEndian.Uint32(docsGz[n-4:])
			raw = make([]byte, size)
			if _, err := io.ReadFull(zr, raw); err != nil {
				return
			}
		}
		s := string(raw)
		recs := make([]Doc, 0, strings.Count(s, "\x1e"))
		for len(s) > 0 {
			end := strings.IndexByte(s, 0x1e)
			if end < 0 {
				break
			}
			rec := s[:end]
			s = s[end+1:]
			f := strings.SplitN(rec[1:], "\x1f", 3)
			if len(f) != 3 {
				continue
			}
			recs = append(recs, Doc{Key: f[0], Kind: DocKind(rec[0]), Decl: f[1], Text: f[2]})
		}
		docs = recs
	})
	return docs
}

// LoadDocs decodes the documentation table now rather than on first use
// (it takes a few milliseconds); sessions call it in the background.
func LoadDocs() { loadDocs() }

// LookupDoc returns the documentation of key: an import path, or an
// import path followed by ".Name", ".Type.Method" or ".Type.Field".
func LookupDoc(key string) (Doc, bool) {
	d := loadDocs()
	i := sort.Search(len(d), func(i int) bool { return d[i].Key >= key })
	if i < len(d) && d[i].Key == key {
		return d[i], true
	}
	return Doc{}, false
}

// DocMembers returns the documented names directly under prefix (an
// import path, or "importpath.Type"), in order: for a package, its
// exported functions, types, variables and constants; for a type, its
// methods and fields. The returned Docs must not be modified.
func DocMembers(prefix string) []Doc {
	d := loadDocs()
	p := prefix + "."
	i := sort.Search(len(d), func(i int) bool { return d[i].Key >= p })
	var out []Doc
	for ; i < len(d) && strings.HasPrefix(d[i].Key, p); i++ {
		if !strings.Contains(d[i].Key[len(p):], ".") {
			out = append(out, d[i])
		}
	}
	return out
}
