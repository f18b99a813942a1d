package display

import "fmt"

// Render returns the richest bundle for v: the form a notebook shows for a
// cell's final value. Every bundle has a text/plain entry.
//
// TODO(issue 4): images, plots, matrices, tensors, renderer interfaces.
func Render(v any) Bundle {
	var text string
	switch x := v.(type) {
	case string:
		text = fmt.Sprintf("%q", x)
	default:
		text = fmt.Sprintf("%v", x)
	}
	return Bundle{Data: map[string]any{"text/plain": text}}
}
