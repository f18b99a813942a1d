package interp

import (
	"fmt"
	"math"
	"testing"
)

// TestMinMaxSignedZeroAndNaN: min and max of cells (lowered to the
// prelude's _godlMin_T/_godlMax_T) follow Go's rules for negative zero and
// NaN, compared with the compiled builtins.
func TestMinMaxSignedZeroAndNaN(t *testing.T) {
	nz, nan := math.Copysign(0, -1), math.NaN()
	tests := []struct {
		code string
		want float64
	}{
		{"max(nz, -11.0)", max(nz, -11.0)},
		{"max(-11.0, nz)", max(-11.0, nz)},
		{"min(nz, zero)", min(nz, 0.0)},
		{"min(zero, nz)", min(0.0, nz)},
		{"max(nz, zero)", max(nz, 0.0)},
		{"max(zero, nz)", max(0.0, nz)},
		{"min(nz, 1.0, -5.0)", min(nz, 1.0, -5.0)},
		{"max(nz)", max(nz)},
		{"max(nan, 1.0)", max(nan, 1.0)},
		{"min(1.0, nan, -3.0)", min(1.0, nan, -3.0)},
		{"float64(max(float32(nz), float32(-1)))", float64(max(float32(nz), float32(-1)))},
	}
	ts := newTestSession(t)
	if r := ts.run("zero := 0.0\nnz := math.Copysign(0, -1)\nnan := math.NaN()"); r.errText() != "" {
		t.Fatal(r.errText())
	}
	for _, tt := range tests {
		got := ts.run(tt.code).value()
		if want := fmt.Sprint(tt.want); got != want {
			t.Errorf("%s = %s, want %s", tt.code, got, want)
		}
	}
}
