package interp

import "testing"

// Silent wrong results that the lowering now fixes or turns into a clear
// error (issue 3).

const silentTemp = "type Temp float64\nfunc (t Temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }"

// TestSilentStringerContainers: unnamed containers of values of a cell
// type with String, held in an any, printed without the method ([1]).
func TestSilentStringerContainers(t *testing.T) {
	decls := []string{silentTemp + "\ntype S3 struct{ A int }\nfunc (s S3) String() string { return fmt.Sprint(\"S3<\", s.A, \">\") }\ntype Pair struct{ A Temp }\ntype Temps []Temp\ntype TempsS []Temp\nfunc (ts TempsS) String() string { return fmt.Sprint(\"Ts\", []Temp(ts)) }\nts := []Temp{1, 2}"}
	const msg = "loses its elements' String/Error methods"
	cases := []replCase{
		{name: "slice in any", cells: decls, last: "var a any = []Temp{1}\na", err: "cell2:1:13: a []Temp put in an interface " + msg},
		{name: "array in any", cells: decls, last: "var a any = [2]Temp{1, 2}\nfmt.Println(a)", err: msg},
		{name: "map value in any", cells: decls, last: "var a any\na = map[string]Temp{\"x\": 1}", err: "a map[string]Temp put"},
		{name: "map key in any", cells: decls, last: "var a any = map[Temp]int{1: 1}", err: msg},
		{name: "struct elements", cells: decls, last: "var a any = []S3{{1}}", err: msg},
		{name: "nested slices", cells: decls, last: "var a any = [][]Temp{{1}}", err: msg},
		{name: "unnamed struct", cells: decls, last: "var a any = struct{ T Temp }{1}", err: msg},
		{name: "named slice without methods", cells: decls, last: "var a any = Temps{1}", err: msg},
		{name: "element of []any", cells: decls, last: "a := []any{ts}", err: "cell2:1:12: "},
		{name: "argument of an any param", cells: decls, last: "show := func(v any) string { return fmt.Sprint(v) }\nshow(ts)", err: "cell2:2:6: "},
		{name: "explicit conversion", cells: decls, last: "a := any(ts)", err: msg},
		{name: "return", cells: decls, last: "func get() any { return ts }", err: msg},
		// What works stays allowed.
		{name: "print with static type", cells: decls, last: "fmt.Println(ts, [1]Temp{3}, map[Temp]int{4: 1})", stdout: "[1.0°C 2.0°C] [3.0°C] map[4.0°C:1]\n"},
		{name: "out with static type", cells: decls, last: "ts", value: "[1.0°C 2.0°C]"},
		{name: "compiled any param", cells: decls, last: "sort.Slice(ts, func(i, j int) bool { return ts[i] > ts[j] })\nfmt.Sprint(ts)", value: `"[2.0°C 1.0°C]"`},
		{name: "named slice with String", cells: decls, last: "var a any = TempsS(ts)\nfmt.Println(a)", stdout: "Ts[1.0°C 2.0°C]\n"},
		{name: "stringers", cells: decls, last: "var a any = []fmt.Stringer{Temp(1), S3{2}}\nfmt.Println(a)", stdout: "[1.0°C S3<2>]\n"},
		{name: "named struct with Stringer fields", cells: decls, last: "var a any = []Pair{{1}}\nfmt.Println(a)", stdout: "[{1.0°C}]\n"},
		{name: "pointers", cells: decls, last: "var a any = []*S3{{1}}\nfmt.Println(a)", stdout: "[S3<1>]\n"},
		{name: "generic param", cells: decls, last: "func show[X any](x X) string { return fmt.Sprint(len(fmt.Sprint(x)) > 0) }\nshow(ts)", value: `"true"`},
	}
	runCases(t, cases)
}
