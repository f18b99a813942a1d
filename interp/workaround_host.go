package interp

import (
	"fmt"
	"io"
	"log"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Errors of cell types wrapped with %w. yaegi v0.16.1 hands compiled
// fmt.Errorf a value of an interpreted error type without its methods:
// fmt.Errorf("ctx: %w", Oops{}) printed "ctx: %!w(struct {}={})" and
// errors.Is found nothing. The lowering passes such an argument as an
// interpError (WrapError), whose Error, Unwrap and Is call the
// interpreted methods and compare the interpreted values.

// interpError is a compiled error standing for an interpreted one.
type interpError struct {
	value  any           // the interpreted value, as yaegi passes it
	msg    func() string // its Error method
	unwrap func() error  // its Unwrap method, or nil
}

func (e *interpError) Error() string { return e.msg() }

// Unwrap returns what the interpreted Unwrap method returns, if any.
func (e *interpError) Unwrap() error {
	if e.unwrap == nil {
		return nil
	}
	return e.unwrap()
}

// Is reports whether target is the same interpreted value (errors.Is
// compares with ==; yaegi hands it target in its own error wrapper).
func (e *interpError) Is(target error) bool {
	if t, ok := target.(*interpError); ok {
		return sameValue(e.value, t.value)
	}
	return sameValue(e.value, target)
}

// WrapError returns the error that stands for interpreted value v with
// Error method msg and Unwrap method unwrap (nil if it has none).
func WrapError(v any, msg func() string, unwrap func() error) error {
	return &interpError{value: v, msg: msg, unwrap: unwrap}
}

// sameValue compares two values as == would after removing yaegi's
// wrappers (a struct whose first field IValue holds the value).
func sameValue(a, b any) bool {
	va, vb := concreteValue(reflect.ValueOf(a)), concreteValue(reflect.ValueOf(b))
	if !va.IsValid() || !vb.IsValid() || va.Type() != vb.Type() || !va.Type().Comparable() {
		return false
	}
	return va.Equal(vb)
}

func concreteValue(v reflect.Value) reflect.Value {
	for i := 0; i < 8 && v.IsValid(); i++ {
		if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct && v.Type().Elem().NumField() > 0 && v.Type().Elem().Field(0).Name == "IValue" {
			v = v.Elem()
			continue
		}
		if v.Kind() == reflect.Struct && v.NumField() > 0 && v.Type().Field(0).Name == "IValue" {
			v = v.Field(0)
			continue
		}
		break
	}
	return v
}

// ErrorValue returns the interpreted value err stands for when it is an
// interpError, else err.
func ErrorValue(err error) any {
	if e, ok := err.(*interpError); ok {
		return e.value
	}
	return err
}

// workaroundExports are the host functions of this file lowered cells
// call (as __godl.Name).
func workaroundExports() map[string]reflect.Value {
	uw := unwrapExports()["UnwrapWith"].Interface().(func([]any, int, func(any) (string, bool)) any)
	return map[string]reflect.Value{
		// UnwrapWith's result behind a pointer: *__godl.UnwrapPtr(…) is
		// a final expression that is not a call.
		"UnwrapPtr": reflect.ValueOf(func(box []any, site int, str func(any) (string, bool)) *any {
			v := uw(box, site, str)
			return &v
		}),
		"WrapError":  reflect.ValueOf(WrapError),
		"ErrorValue": reflect.ValueOf(ErrorValue),
		"GoFields":   reflect.ValueOf(GoFields),
		"IfaceValue": reflect.ValueOf(IfaceValue),
		"AssertFail": reflect.ValueOf(AssertFail),
		"Hidden":     reflect.ValueOf(Hidden),
		"TypeName":   reflect.ValueOf(TypeName),
		"GoSyntax":   reflect.ValueOf(GoSyntax),
		"TextValue":  reflect.ValueOf(TextValue),
	}
}

// Hidden panics when v is yaegi's wrapper of an interpreted value in a
// compiled interface (interp._error, interp._io_Reader: a value of a
// cell type with methods returned as error), on which a type assertion
// to target failed: yaegi keeps only part of the value there, so the
// answer is unknown (typeassert.go).
func Hidden(v any, target string) {
	t := reflect.TypeOf(v)
	if t == nil || !strings.HasPrefix(t.Name(), "_") {
		return
	}
	_, wrapped := IfaceValue(v).(wrappedValue)
	if t.PkgPath() != "github.com/traefik/yaegi/interp" && !wrapped {
		return // not a wrapper: interp._error, stdlib._fmt_Stringer …
	}
	if wrapped {
		if iv := reflect.ValueOf(v).Field(0); iv.Kind() == reflect.Interface && iv.Elem().Kind() == reflect.Pointer {
			return // it holds a pointer, which assertions see: false is right
		}
	}
	panic(&assertionError{fmt.Sprintf("godl cannot tell whether this %s value holds %s: yaegi hides a value of a cell type (not a pointer) stored in an interface of a compiled package, such as error; declare the type's methods on its pointer (func (e *MyErr) Error() string) and use &MyErr{…}", wrapperIface(t), target)})
}

// AssertFail panics as Go does when the type assertion x.(T) fails: v
// is x's value, iface the name of x's static type, target T's name,
// ifaceTarget whether T is an interface (typeassert.go), dyn the name of
// v's cell type if the caller found one (reflect sees yaegi's types).
func AssertFail(v any, iface, target string, ifaceTarget bool, dyn string) {
	var t any = reflect.TypeOf(v)
	if dyn != "" {
		t = dyn
	}
	switch {
	case v == nil:
		panic(&assertionError{"interface conversion: interface is nil, not " + target})
	case ifaceTarget:
		panic(&assertionError{fmt.Sprintf("interface conversion: %s is not %s", t, target)})
	default:
		panic(&assertionError{fmt.Sprintf("interface conversion: %s is %s, not %s", iface, t, target)})
	}
}

// assertionError is a failed type assertion, a runtime.Error like Go's
// *runtime.TypeAssertionError.
type assertionError struct{ msg string }

func (e *assertionError) Error() string { return e.msg }

// RuntimeError marks it as a runtime.Error.
func (e *assertionError) RuntimeError() {}

// GoFields returns v formatted by fmt with the unexported field names
// yaegi renamed (X+name) restored, and for %#v the reflect type of v (or
// of what it points to) named goName when not empty (see workaround.go).
func GoFields(v any, names []string, goName string) fmt.Formatter {
	return goFields{v, names, goName}
}

type goFields struct {
	v      any
	names  []string
	goName string
}

// Format prints g.v with the same directive and fixes the names.
func (g goFields) Format(f fmt.State, verb rune) {
	var d strings.Builder
	d.WriteByte('%')
	for _, c := range "+-# 0" {
		if f.Flag(int(c)) {
			d.WriteRune(c)
		}
	}
	if w, ok := f.Width(); ok {
		d.WriteString(strconv.Itoa(w))
	}
	if p, ok := f.Precision(); ok {
		d.WriteByte('.')
		d.WriteString(strconv.Itoa(p))
	}
	d.WriteRune(verb)
	s := fmt.Sprintf(d.String(), g.v)
	for _, n := range g.names {
		for _, before := range []string{"{", " "} {
			s = strings.ReplaceAll(s, before+"X"+n+":", before+n+":")
		}
	}
	if f.Flag('#') && g.goName != "" && g.v != nil {
		t := reflect.TypeOf(g.v)
		prefix := ""
		if t.Kind() == reflect.Pointer {
			t, prefix = t.Elem(), "&"
		}
		if rt := prefix + t.String(); strings.HasPrefix(s, rt) {
			s = prefix + g.goName + s[len(rt):]
		}
	}
	io.WriteString(f, s)
}

// TextValue returns what fmt prints as text (the interpreted String or
// Error result) for the verbs fmt formats through those methods, and as
// v for the others (numericVerbArg in workaround.go).
func TextValue(v any, text string) any { return textValue{text, reflect.ValueOf(v)} }

// GoSyntax returns v formatted by fmt with cell struct types named as
// Go names them: %#v printed reflect's struct { Xs float64 }{Xs:1} for
// main.SS{s:1}, in slices, maps, fields and interfaces too. samples are
// zero values of the cell struct types (yaegi's reflect types), names
// their Go names, fields the unexported field names yaegi renamed X+name.
// A reflect type two cell types share stays as it is (it cannot be told
// apart).
func GoSyntax(v any, samples []any, names, fields []string) fmt.Formatter {
	byType := map[string]string{}
	dup := map[string]bool{}
	for i, sm := range samples {
		c := concrete(reflect.ValueOf(sm))
		if !c.IsValid() || i >= len(names) {
			continue
		}
		rt := c.Type().String()
		if _, seen := byType[rt]; seen {
			dup[rt] = true
		}
		byType[rt] = names[i]
	}
	var rts []string
	for rt := range byType {
		if !dup[rt] && strings.HasPrefix(rt, "struct {") {
			rts = append(rts, rt)
		}
	}
	// Longer type strings first: struct { In struct { Xs float64 } } holds
	// struct { Xs float64 }.
	sort.Slice(rts, func(i, j int) bool {
		return len(rts[i]) > len(rts[j]) || len(rts[i]) == len(rts[j]) && rts[i] < rts[j]
	})
	var reps []string
	for _, rt := range rts {
		reps = append(reps, rt, byType[rt])
	}
	return goSyntax{goFields{v, fields, ""}, strings.NewReplacer(reps...)}
}

type goSyntax struct {
	g   goFields
	rep *strings.Replacer
}

// Format prints as GoFields, with the cell struct types named.
func (g goSyntax) Format(f fmt.State, verb rune) {
	var b strings.Builder
	w := &formatState{f, &b}
	g.g.Format(w, verb)
	s := b.String()
	if verb == 'v' && f.Flag('#') {
		s = g.rep.Replace(s)
	}
	io.WriteString(f, s)
}

// formatState is f writing to w.
type formatState struct {
	fmt.State
	w io.Writer
}

func (s *formatState) Write(p []byte) (int, error) { return s.w.Write(p) }

// Cell values in compiled interfaces. yaegi v0.16.1 passes a cell value
// held in a compiled interface (var r io.Reader = R{3}) as a wrapper
// struct whose IValue field holds only the value's last field
// (getConcreteValue), plus one func per method: fmt printed {3 0x535a20}
// for R{3}, a plausible wrong value. IfaceValue replaces such a wrapper
// in a print argument by a text that says so.

// IfaceValue returns v, or a stand-in printing what v is when v is one
// of yaegi's interface wrappers of an interpreted value.
func IfaceValue(v any) any {
	if v == nil {
		return v
	}
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Struct || t.NumField() < 2 || t.Field(0).Name != "IValue" || !strings.HasPrefix(t.Name(), "_") {
		return v
	}
	return wrappedValue(wrapperIface(t))
}

// wrapperIface names the interface of yaegi's wrapper type t
// (_fmt_Stringer: fmt.Stringer).
func wrapperIface(t reflect.Type) string {
	return strings.ReplaceAll(strings.TrimPrefix(t.Name(), "_"), "_", ".")
}

// TypeName returns what fmt's %T prints for v, or, for one of yaegi's
// interface wrappers of an interpreted value, a text that says the type
// is hidden (fmt printed the wrapper's name, stdlib._fmt_Stringer).
func TypeName(v any) string {
	if w, ok := IfaceValue(v).(wrappedValue); ok {
		return "<the type of a cell value in " + string(w) + ": yaegi v0.16.1 hides it; print %T of a variable of its own type>"
	}
	return fmt.Sprintf("%T", v)
}

// wrappedValue prints an interpreted value yaegi hid in a wrapper of
// the compiled interface it names.
type wrappedValue string

func (w wrappedValue) String() string {
	return "<a cell value in " + string(w) + ": yaegi v0.16.1 cannot show it here; print it from a variable of its own type>"
}

// yaegi v0.16.1's compiler reports some failures with log.Panic ("nil
// type", "nil reflect type" in scope.go, "compositeGenerator not
// implemented" in cfg.go): the standard logger prints the message, with
// a timestamp, before the panic that compileSafe turns into the cell's
// error. The printed line is a duplicate on the user's stderr, so the
// standard logger writes through yaegiLogFilter, which drops exactly
// those lines and passes everything else (a cell's log.Println) on.
func init() { log.SetOutput(yaegiLogFilter{}) }

// yaegiLogFilter writes to os.Stderr (as found at each write: output
// capture may replace it) all but yaegi's log.Panic lines.
type yaegiLogFilter struct{}

func (yaegiLogFilter) Write(p []byte) (int, error) {
	if isYaegiPanicLine(string(p)) {
		return len(p), nil
	}
	return os.Stderr.Write(p)
}

// logStamp matches the standard logger's date and time.
var logStamp = regexp.MustCompile(`^(\d{4}/\d\d/\d\d )?(\d\d:\d\d:\d\d(\.\d+)? )?`)

// isYaegiPanicLine tells whether line, one write of the standard logger,
// is a message of yaegi's log.Panic calls.
func isYaegiPanicLine(line string) bool {
	msg := logStamp.ReplaceAllString(strings.TrimSuffix(line, "\n"), "")
	return msg == "nil type" || msg == "nil reflect type" || strings.Contains(msg, "compositeGenerator not implemented for type kind")
}
