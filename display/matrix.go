package display

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// Tables of matrices and tensors show at most maxRows rows and maxCols
// columns: the first and last halves, with an ellipsis between. Tensors of
// rank 3 or more show at most maxSlices of their 2-D slices.
const (
	maxRows   = 10
	maxCols   = 10
	maxSlices = 4
)

// table is one 2-D view of a matrix or tensor, abridged.
type table struct {
	label      string // "[0, 1, :, :]" for a slice of a tensor, else ""
	rows, cols []int  // indices shown; -1 marks an ellipsis
	cell       func(i, j int) string
}

// shown returns the indices of n to show, at most limit of them and an
// ellipsis (-1) in the middle when abridged.
func shown(n, limit int) []int {
	idx := make([]int, 0, min(n, limit+1))
	if n <= limit {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	for i := 0; i < limit/2; i++ {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - limit/2; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

// matrixBundle renders a gonum matrix as a table.
func matrixBundle(m mat.Matrix) Bundle {
	r, c := m.Dims()
	t := table{rows: shown(r, maxRows), cols: shown(c, maxCols), cell: func(i, j int) string {
		return formatFloat(m.At(i, j), 64)
	}}
	head := fmt.Sprintf("%s %d×%d float64", typeName(m), r, c)
	return tablesBundle(head, []table{t})
}

// tensorBundle renders a gorgonia tensor as one table per 2-D slice: a
// vector is one row, a matrix one table, and a tensor of higher rank a
// table for each index of its leading axes.
func tensorBundle(t tensor.Tensor) Bundle {
	shape := append([]int(nil), t.Shape()...)
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = itoa(d)
	}
	head := fmt.Sprintf("%s (%s) %v", typeName(t), strings.Join(dims, ", "), t.Dtype())
	at := func(coords ...int) string {
		v, err := t.At(coords...)
		if err != nil {
			return "?"
		}
		return formatValue(v)
	}
	switch {
	case len(shape) == 0 || t.IsScalar():
		return Text(head + "\n" + formatValue(t.ScalarValue()))
	case len(shape) == 1:
		return tablesBundle(head, []table{{rows: []int{0}, cols: shown(shape[0], maxCols),
			cell: func(_, j int) string { return at(j) }}})
	case len(shape) == 2:
		return tablesBundle(head, []table{{rows: shown(shape[0], maxRows), cols: shown(shape[1], maxCols),
			cell: func(i, j int) string { return at(i, j) }}})
	}
	lead := shape[:len(shape)-2]
	n := 1
	for _, d := range lead {
		n *= d
	}
	var tables []table
	for _, k := range shown(n, maxSlices) {
		if k < 0 {
			// A table without rows is only a label.
			tables = append(tables, table{label: fmt.Sprintf("⋮ (%d more slices)", n-maxSlices/2*2)})
			continue
		}
		prefix := unflatten(k, lead)
		label := make([]string, 0, len(shape))
		for _, p := range prefix {
			label = append(label, itoa(p))
		}
		label = append(label, ":", ":")
		tables = append(tables, table{
			label: "[" + strings.Join(label, ", ") + "]",
			rows:  shown(shape[len(shape)-2], maxRows),
			cols:  shown(shape[len(shape)-1], maxCols),
			cell: func(i, j int) string {
				return at(append(append([]int(nil), prefix...), i, j)...)
			},
		})
	}
	return tablesBundle(head, tables)
}

// unflatten returns the row-major coordinates of flat index k in shape.
func unflatten(k int, shape []int) []int {
	c := make([]int, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		c[i] = k % shape[i]
		k /= shape[i]
	}
	return c
}

// tablesBundle renders tables under a heading as HTML and as text.
func tablesBundle(head string, tables []table) Bundle {
	var h, t strings.Builder
	h.WriteString(`<div class="godl-array">`)
	fmt.Fprintf(&h, `<div style="font-family:monospace;font-size:90%%;opacity:0.75;margin:2px 0">%s</div>`, html.EscapeString(head))
	t.WriteString(head)
	for _, tb := range tables {
		if tb.label != "" {
			fmt.Fprintf(&h, `<div style="font-family:monospace;font-size:90%%;margin:6px 0 2px 0">%s</div>`, html.EscapeString(tb.label))
			t.WriteString("\n" + tb.label)
		}
		if tb.rows == nil {
			continue
		}
		grid := tb.grid()
		tb.writeHTML(&h, grid)
		writeText(&t, grid)
	}
	h.WriteString(`</div>`)
	return Bundle{
		Data:     map[string]any{MIMEHTML: h.String(), MIMEText: t.String()},
		Metadata: map[string]any{},
	}
}

// grid returns the formatted cells of tb; ellipses are "⋯", "⋮" and "⋱".
func (tb table) grid() [][]string {
	g := make([][]string, len(tb.rows))
	for r, i := range tb.rows {
		g[r] = make([]string, len(tb.cols))
		for c, j := range tb.cols {
			switch {
			case i < 0 && j < 0:
				g[r][c] = "⋱"
			case i < 0:
				g[r][c] = "⋮"
			case j < 0:
				g[r][c] = "⋯"
			default:
				g[r][c] = tb.cell(i, j)
			}
		}
	}
	return g
}

func (tb table) writeHTML(h *strings.Builder, grid [][]string) {
	const th = `<th style="text-align:right;opacity:0.6;font-weight:normal">`
	h.WriteString(`<table style="font-family:monospace;border-collapse:collapse"><thead><tr><th></th>`)
	for _, j := range tb.cols {
		h.WriteString(th + index(j, "⋯") + `</th>`)
	}
	h.WriteString(`</tr></thead><tbody>`)
	for r, i := range tb.rows {
		h.WriteString(`<tr>` + th + index(i, "⋮") + `</th>`)
		for _, s := range grid[r] {
			h.WriteString(`<td style="text-align:right">` + html.EscapeString(s) + `</td>`)
		}
		h.WriteString(`</tr>`)
	}
	h.WriteString(`</tbody></table>`)
}

func index(i int, ellipsis string) string {
	if i < 0 {
		return ellipsis
	}
	return itoa(i)
}

// writeText writes grid as right-aligned columns.
func writeText(t *strings.Builder, grid [][]string) {
	if len(grid) == 0 {
		return
	}
	width := make([]int, len(grid[0]))
	for _, row := range grid {
		for c, s := range row {
			width[c] = max(width[c], len([]rune(s)))
		}
	}
	for _, row := range grid {
		t.WriteString("\n")
		for c, s := range row {
			if c > 0 {
				t.WriteString("  ")
			}
			t.WriteString(strings.Repeat(" ", width[c]-len([]rune(s))) + s)
		}
	}
}

// typeName is the name of v's type without the pointer star: "mat.Dense".
func typeName(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "*") }

// formatFloat formats x in at most 6 significant digits.
func formatFloat(x float64, bits int) string {
	return strconv.FormatFloat(x, 'g', 6, bits)
}

// formatValue formats one element of a tensor.
func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case complex64, complex128:
		return fmt.Sprintf("%.4g", x)
	}
	return fmt.Sprint(v)
}
