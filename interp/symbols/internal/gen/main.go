// Command gen writes the zz_generated_*.go files of package symbols: one
// yaegi symbol table per preloaded package (through yaegi's extract
// package, as `yaegi extract` does) and the documentation table used by
// completion and inspection.
//
// Run it through `go generate ./interp/symbols` (it works in the
// directory of package symbols and reads the Preloaded list from
// symbols.go, so that list is the single source of truth).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/extract"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("symbols/gen: ")
	only := flag.String("only", "", "comma-separated import paths to regenerate (default: all preloaded)")
	noDocs := flag.Bool("nodocs", false, "skip the documentation table")
	flag.Parse()

	preloaded, err := readPreloaded("symbols.go")
	if err != nil {
		log.Fatal(err)
	}
	todo := preloaded
	if *only != "" {
		todo = strings.Split(*only, ",")
	}

	// Produce everything in memory first so that a failure leaves the
	// checked-in files alone.
	// Extraction type-checks each package from source (mostly waiting on
	// `go list`), so a few run at once.
	files := map[string][]byte{}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan bool, 3)
		errs []error
	)
	for _, p := range todo {
		wg.Add(1)
		go func(p string) {
			defer wg.Done()
			sem <- true
			defer func() { <-sem }()
			ext := extract.Extractor{Dest: "symbols"}
			var buf bytes.Buffer
			_, err := ext.Extract(p, "", &buf)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("extracting %s: %w", p, err))
				return
			}
			files[tableFile(p)] = buf.Bytes()
		}(p)
	}
	wg.Wait()
	if len(errs) > 0 {
		log.Fatal(errors.Join(errs...))
	}
	if !*noDocs {
		src, err := genDocs(preloaded)
		if err != nil {
			log.Fatal(err)
		}
		files[docsFile] = src
	}

	if *only == "" {
		// Remove tables of packages no longer preloaded.
		old, _ := filepath.Glob("zz_generated_*.go")
		for _, f := range old {
			if _, ok := files[f]; !ok && f != docsFile {
				if err := os.Remove(f); err != nil {
					log.Fatal(err)
				}
			}
		}
	}
	for name, src := range files {
		if err := os.WriteFile(name, src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// tableFile names the file holding the table of importPath.
func tableFile(importPath string) string {
	r := strings.NewReplacer("/", "_", ".", "_", "-", "_", "~", "_")
	return "zz_generated_" + r.Replace(importPath) + ".go"
}

// readPreloaded returns the string elements of the Preloaded variable
// declared in file.
func readPreloaded(file string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, err
	}
	var paths []string
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "Preloaded" || len(vs.Values) != 1 {
			return true
		}
		found = true
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return false
		}
		for _, e := range lit.Elts {
			if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				s, _ := strconv.Unquote(bl.Value)
				paths = append(paths, s)
			}
		}
		return false
	})
	if !found || len(paths) == 0 {
		return nil, fmt.Errorf("%s: no Preloaded = []string{...} list of import paths", file)
	}
	return paths, nil
}
