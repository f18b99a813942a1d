package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/godl-kernel/godl/kernel"
)

// A notebook is an nbformat 4 document held as generic JSON so that every
// field godl does not know (metadata of other tools, attachments, …)
// survives a run unchanged. Cells are the same maps as in doc["cells"].
type notebook struct {
	doc   map[string]any
	cells []map[string]any
}

// notebookError is a notebook godl cannot read: not JSON, not nbformat 4,
// or not a Go notebook. `godl run` exits with status 2 for it.
type notebookError struct {
	msg string
}

func (e *notebookError) Error() string { return e.msg }

func badNotebook(format string, args ...any) error {
	return &notebookError{msg: fmt.Sprintf(format, args...)}
}

// parseNotebook decodes and checks an nbformat 4 notebook.
func parseNotebook(data []byte) (*notebook, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numbers in unknown metadata exactly
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badNotebook("not a notebook: invalid JSON%s: %v", jsonPosition(data, err), err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, badNotebook("not a notebook: extra data after the JSON document")
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, badNotebook("not a notebook: the top level is a JSON %s, not an object", jsonKind(v))
	}
	major, ok := doc["nbformat"].(json.Number)
	if !ok {
		return nil, badNotebook("not a notebook: no nbformat version number")
	}
	if f, err := major.Float64(); err != nil || f != 4 {
		return nil, badNotebook("nbformat %s notebooks are not supported: godl reads nbformat 4 (convert with `jupyter nbconvert --to notebook`)", major)
	}
	if m, ok := doc["nbformat_minor"]; ok {
		if _, ok := m.(json.Number); !ok {
			return nil, badNotebook("invalid notebook: nbformat_minor is a %s, not a number", jsonKind(m))
		}
	}
	if m, ok := doc["metadata"]; !ok || m == nil {
		doc["metadata"] = map[string]any{}
	} else if _, ok := m.(map[string]any); !ok {
		return nil, badNotebook("invalid notebook: metadata is a %s, not an object", jsonKind(m))
	}
	rawCells, ok := doc["cells"].([]any)
	if !ok {
		return nil, badNotebook("invalid notebook: no cells list")
	}
	nb := &notebook{doc: doc}
	for i, rc := range rawCells {
		c, ok := rc.(map[string]any)
		if !ok {
			return nil, badNotebook("invalid notebook: cell %d is a %s, not an object", i+1, jsonKind(rc))
		}
		switch t, _ := c["cell_type"].(string); t {
		case "code", "markdown", "raw":
		default:
			return nil, badNotebook("invalid notebook: cell %d has cell_type %q (want code, markdown or raw)", i+1, t)
		}
		if _, err := joinSource(c["source"]); err != nil {
			return nil, badNotebook("invalid notebook: cell %d: source %v", i+1, err)
		}
		if m, ok := c["metadata"]; !ok || m == nil {
			c["metadata"] = map[string]any{}
		} else if _, ok := m.(map[string]any); !ok {
			return nil, badNotebook("invalid notebook: cell %d: metadata is a %s, not an object", i+1, jsonKind(m))
		}
		nb.cells = append(nb.cells, c)
	}
	if lang := nb.language(); lang != "" && !strings.EqualFold(lang, "go") {
		return nil, badNotebook("not a Go notebook: its language is %q (godl runs Go notebooks)", lang)
	}
	return nb, nil
}

// language returns the notebook's declared language, or "" if none.
func (nb *notebook) language() string {
	meta, _ := nb.doc["metadata"].(map[string]any)
	if ks, ok := meta["kernelspec"].(map[string]any); ok {
		if l, ok := ks["language"].(string); ok && l != "" {
			return l
		}
	}
	if li, ok := meta["language_info"].(map[string]any); ok {
		if l, ok := li["name"].(string); ok && l != "" {
			return l
		}
	}
	return ""
}

// joinSource accepts a multi-line string as nbformat stores it: a string
// or a list of strings.
func joinSource(v any) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	case []any:
		var b strings.Builder
		for i, line := range s {
			str, ok := line.(string)
			if !ok {
				return "", fmt.Errorf("line %d is a %s, not a string", i+1, jsonKind(line))
			}
			b.WriteString(str)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("is a %s, not a string or a list of strings", jsonKind(v))
}

// splitLines splits s after each newline, as nbformat writes
// multi-line strings.
func splitLines(s string) []any {
	lines := []any{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// Regular expressions compile on first use: the kernel process starts
// faster without them (its sockets must be bound before the client connects).
var validCellID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`) })

// prepare makes the notebook an nbformat 4.5 notebook run by godl: every
// cell has a valid unique id, code cells have no outputs or counts yet,
// and the metadata names the godl kernel. Unknown fields stay.
func (nb *notebook) prepare(info kernel.Info, kernelName, displayName string) {
	nb.doc["nbformat"] = 4
	n, _ := nb.doc["nbformat_minor"].(json.Number)
	if minor, err := n.Int64(); err != nil || minor < 5 {
		nb.doc["nbformat_minor"] = 5
	}
	seen := map[string]bool{}
	for _, c := range nb.cells {
		id, _ := c["id"].(string)
		if !validCellID().MatchString(id) || seen[id] {
			id = newCellID(seen)
			c["id"] = id
		}
		seen[id] = true
		if c["cell_type"] == "code" {
			c["outputs"] = []any{}
			c["execution_count"] = nil
		}
	}
	meta := nb.doc["metadata"].(map[string]any)
	meta["kernelspec"] = map[string]any{
		"name":         kernelName,
		"display_name": displayName,
		"language":     "go",
	}
	li, _ := meta["language_info"].(map[string]any)
	if li == nil {
		li = map[string]any{}
	}
	l := info.LanguageInfo
	li["name"] = l.Name
	li["version"] = l.Version
	li["mimetype"] = l.Mimetype
	li["file_extension"] = l.FileExtension
	li["pygments_lexer"] = l.PygmentsLexer
	li["codemirror_mode"] = l.CodemirrorMode
	if l.NbconvertExporter != "" {
		li["nbconvert_exporter"] = l.NbconvertExporter
	}
	meta["language_info"] = li
}

func newCellID(seen map[string]bool) string {
	for {
		var b [4]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		if !seen[id] {
			return id
		}
	}
}

// marshal encodes the notebook as nbformat writes it: keys sorted, one
// space of indentation, multi-line strings split into lines, no HTML
// escaping, a final newline.
func (nb *notebook) marshal() ([]byte, error) {
	cells := make([]any, len(nb.cells))
	for i, c := range nb.cells {
		if src, err := joinSource(c["source"]); err == nil {
			c["source"] = splitLines(src)
		}
		if outs, ok := c["outputs"].([]any); ok {
			for _, o := range outs {
				if om, ok := o.(map[string]any); ok {
					splitOutput(om)
				}
			}
		}
		cells[i] = c
	}
	nb.doc["cells"] = cells
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb.doc); err != nil {
		return nil, fmt.Errorf("encoding the notebook: %w", err)
	}
	return buf.Bytes(), nil
}

// splitOutput splits the text of an output into lines as nbformat does:
// stream text and textual MIME data (not JSON, not base64 images).
func splitOutput(o map[string]any) {
	switch o["output_type"] {
	case "stream":
		if s, ok := o["text"].(string); ok {
			o["text"] = splitLines(s)
		}
	case "display_data", "execute_result":
		data, _ := o["data"].(map[string]any)
		for mime, v := range data {
			s, ok := v.(string)
			if !ok || !isTextMIME(mime) {
				continue
			}
			data[mime] = splitLines(s)
		}
	}
}

func isTextMIME(mime string) bool {
	if mime == "application/json" || strings.HasSuffix(mime, "+json") {
		return false
	}
	return strings.HasPrefix(mime, "text/") || mime == "image/svg+xml" || mime == "application/javascript"
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonPosition turns a decoding error's byte offset into " at line L,
// column C" for people reading the message.
func jsonPosition(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return " (the file is empty)"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return " (the file ends too early)"
	}
	if off < 0 || off > int64(len(data)) {
		return ""
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int64(len(before) - bytes.LastIndexByte(before, '\n'))
	return fmt.Sprintf(" at line %d, column %d", line, col)
}
