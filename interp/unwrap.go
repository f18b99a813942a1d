package interp

import (
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// Interpreted interface values inside composite values.
//
// yaegi v0.16.1 stores a value of an interface type declared in a cell
// (and an interpreted value in an `any` slot) as its unexported struct
// interp.valueInterface{node *node; value reflect.Value}. It unwraps such
// a value when it is passed directly to a compiled function, but not when
// it sits inside a slice, array, map or struct field: fmt.Println of a
// []Shape printed [{0xc000… {0xc000… 0xc000… 409}}]. unwrap copies such a
// value into one fmt prints as Go would print the original: each
// valueInterface becomes its concrete value in an `any` slot, the
// containers holding one become []any, [N]any, map[K]any (map[any]any
// for interface keys) and structs of the same field names (so %+v still
// names them) with `any` fields where needed; a pointer argument to such
// a struct, array, slice or map (which fmt prints as &{…}) becomes a
// pointer to the copy. Everything fmt prints the same way is kept as it
// is: pointers below the top level (fmt prints their address), values of
// types with fmt methods (String, Error, Format, GoString), and any value
// with no valueInterface inside, which unwrap returns unchanged.

// yaegiPkg is the package of yaegi's valueInterface.
const yaegiPkg = "github.com/traefik/yaegi/interp"

// maxUnwrapDepth bounds the walk (a []any holding itself).
const maxUnwrapDepth = 64

var (
	anyType       = reflect.TypeFor[any]()
	stringerType  = reflect.TypeFor[fmt.Stringer]()
	errorType     = reflect.TypeFor[error]()
	formatterType = reflect.TypeFor[fmt.Formatter]()
	goStringType  = reflect.TypeFor[fmt.GoStringer]()
)

// isValueInterface tells whether t is yaegi's valueInterface.
func isValueInterface(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Name() == "valueInterface" && t.PkgPath() == yaegiPkg
}

// fmtMethods tells whether fmt would print a value of type t through one
// of its methods rather than by its contents.
func fmtMethods(t reflect.Type) bool {
	return t.Implements(stringerType) || t.Implements(errorType) || t.Implements(formatterType) || t.Implements(goStringType)
}

// mayHold caches, per type (and top level or not), whether a value of
// that type may hold a valueInterface that fmt would print.
var mayHold sync.Map // holdKey -> bool

type holdKey struct {
	t   reflect.Type
	top bool
}

// mayHoldVI tells whether a value of type t, printed by fmt at the top
// level (top) or inside another value, may show a valueInterface: it is
// one, or contains an interface (whose dynamic value may be one) where
// fmt prints it.
func mayHoldVI(t reflect.Type, top bool) bool {
	k := holdKey{t, top}
	if v, ok := mayHold.Load(k); ok {
		return v.(bool)
	}
	// A recursive type (through a slice, say) is assumed to hold one
	// while its own answer is being computed.
	mayHold.Store(k, true)
	r := computeMayHold(t, top)
	mayHold.Store(k, r)
	return r
}

func computeMayHold(t reflect.Type, top bool) bool {
	if isValueInterface(t) {
		return true
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer:
		if !top || fmtMethods(t) {
			return false
		}
		switch t.Elem().Kind() {
		case reflect.Struct, reflect.Array, reflect.Slice, reflect.Map:
			return mayHoldVI(t.Elem(), false)
		}
		return false
	}
	if fmtMethods(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return mayHoldVI(t.Elem(), false)
	case reflect.Map:
		return mayHoldVI(t.Key(), false) || mayHoldVI(t.Elem(), false)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if mayHoldVI(t.Field(i).Type, false) {
				return true
			}
		}
	}
	return false
}

// Unwrap returns v, or a copy of v that fmt prints as Go prints v when v
// holds interpreted interface values inside slices, arrays, maps or
// struct fields (see the comment at the top of this file). Lowered cells
// call it (as __godl.Unwrap) on the arguments of fmt's and log's print
// functions and on final values whose static type has an interface
// inside a composite type.
func Unwrap(v any) any {
	if v == nil || !mayHoldVI(reflect.TypeOf(v), true) {
		return v
	}
	return (&unwrapper{}).all([]any{v})[0]
}

// unwrapper walks one value. str, when set, gives the text of an
// interpreted value with a String or Error method (computed by the
// interpreter, see fmtargs.go); ok false when the value has none.
type unwrapper struct {
	str func(any) (string, bool)
	// The nodes of valueInterfaces str gave no text for are remembered
	// in host under site: yaegi's node is the expression that made the
	// value, of one concrete type, so the elements of a slice built by
	// one literal or append, printed again and again, cost one call of
	// str (an interpreted call from compiled code takes microseconds).
	host *unwrapHost
	site int
}

// text returns what the interpreter's String or Error method gives for
// the valueInterface vi holding c. A method that panics gives fmt's
// text for it ("<nil>" for a nil pointer receiver).
func (u *unwrapper) text(vi, c reflect.Value) (s string, ok bool) {
	vi = readable(vi)
	var node unsafe.Pointer
	if nf, found := vi.Type().FieldByName("node"); found && nf.Type.Kind() == reflect.Pointer {
		node = vi.Field(nf.Index[0]).UnsafePointer()
	}
	key := plainKey{node, u.site}
	remember := node != nil && u.host != nil && u.site != 0
	if remember {
		u.host.mu.Lock()
		plain := u.host.plain[key]
		u.host.mu.Unlock()
		if plain {
			return "", false
		}
	}
	defer func() {
		if !ok && remember {
			u.host.mu.Lock()
			u.host.plain[key] = true
			u.host.mu.Unlock()
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			ok = true
			if c.Kind() == reflect.Pointer && c.IsNil() {
				s = "<nil>"
			} else {
				s = fmt.Sprintf("%%!v(PANIC=String method: %v)", r)
			}
		}
	}()
	return u.str(vi.Interface())
}

// readable returns v, or an addressable copy of it whose unexported
// fields can be read through unsafe.
func readable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// field returns field i of the addressable struct v, readable even if
// unexported.
func field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	if f.CanInterface() {
		return f
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// concrete returns the value a valueInterface holds (invalid for a nil
// interface), looking through nested ones.
func concrete(v reflect.Value) reflect.Value {
	for v.IsValid() && isValueInterface(v.Type()) {
		v = readable(v)
		vf, ok := v.Type().FieldByName("value")
		if !ok || vf.Type != reflect.TypeFor[reflect.Value]() {
			return reflect.Value{}
		}
		v = *(*reflect.Value)(unsafe.Pointer(v.Field(vf.Index[0]).UnsafeAddr()))
	}
	return v
}

// value converts v (printed by fmt at the top level or not); changed
// tells whether the result differs from v. An invalid result stands for
// a nil interface.
func (u *unwrapper) value(v reflect.Value, top bool, depth int) (reflect.Value, bool) {
	if !v.IsValid() || depth > maxUnwrapDepth || !u.mayHold(v.Type(), top) {
		return v, false
	}
	t := v.Type()
	if t == mapViewType {
		return u.mapView(v.Interface().(mapView), depth), true
	}
	if interpStruct(t) && v.CanInterface() {
		if r, ok := u.rawPointer(v); ok {
			return r, true
		}
	}
	if isValueInterface(t) {
		c := concrete(v)
		if !c.IsValid() {
			return c, true
		}
		if u.str != nil {
			if s, ok := u.text(v, c); ok {
				r, _ := u.value(c, false, depth+1)
				return reflect.ValueOf(textValue{s, r}), true
			}
		}
		r, _ := u.value(c, top, depth+1)
		return r, true
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, changed := u.value(v.Elem(), top, depth+1)
		if !changed {
			return v, false
		}
		return e, true
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		if r, ok := u.rawPointer(v); ok {
			return r, true
		}
		if !top {
			return v, false // fmt prints the address
		}
		e, changed := u.value(v.Elem(), false, depth+1)
		if !changed {
			return v, false
		}
		p := reflect.New(e.Type())
		p.Elem().Set(e)
		return p, true
	case reflect.Slice, reflect.Array:
		n := v.Len()
		var elems []reflect.Value
		for i := 0; i < n; i++ {
			e, changed := u.value(v.Index(i), false, depth+1)
			if changed && elems == nil {
				elems = make([]reflect.Value, n)
				for j := 0; j < i; j++ {
					elems[j] = v.Index(j)
				}
			}
			if elems != nil {
				elems[i] = e
			}
		}
		if elems == nil {
			return v, false
		}
		var out reflect.Value
		if t.Kind() == reflect.Array {
			out = reflect.New(reflect.ArrayOf(n, anyType)).Elem()
		} else {
			out = reflect.MakeSlice(reflect.SliceOf(anyType), n, n)
		}
		for i, e := range elems {
			if e.IsValid() {
				out.Index(i).Set(e)
			}
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		type kv struct{ k, v reflect.Value }
		var kvs []kv
		any := false
		keyChanged := false
		iter := v.MapRange()
		for iter.Next() {
			k, kc := u.value(iter.Key(), false, depth+1)
			e, ec := u.value(iter.Value(), false, depth+1)
			any = any || kc || ec
			keyChanged = keyChanged || kc
			kvs = append(kvs, kv{k, e})
		}
		if !any {
			return v, false
		}
		kt := t.Key()
		if keyChanged {
			kt = anyType
		}
		out := reflect.MakeMapWithSize(reflect.MapOf(kt, anyType), len(kvs))
		for _, p := range kvs {
			k, e := p.k, p.v
			if !k.IsValid() {
				k = reflect.Zero(kt)
			}
			if !e.IsValid() {
				e = reflect.Zero(anyType)
			}
			out.SetMapIndex(k, e)
		}
		return out, true
	case reflect.Struct:
		r := readable(v)
		n := t.NumField()
		vals := make([]reflect.Value, n)
		changedAny := false
		changed := make([]bool, n)
		for i := 0; i < n; i++ {
			vals[i], changed[i] = u.value(field(r, i), false, depth+1)
			changedAny = changedAny || changed[i]
		}
		if !changedAny {
			return v, false
		}
		fields := make([]reflect.StructField, n)
		for i := 0; i < n; i++ {
			f := t.Field(i)
			// Embedded fields become plain fields of the same name
			// (reflect.StructOf's support for embedding is partial);
			// unexported ones stay unexported, so fmt still calls no
			// methods on them.
			sf := reflect.StructField{Name: f.Name, PkgPath: f.PkgPath, Type: f.Type, Tag: f.Tag}
			if changed[i] {
				sf.Type = anyType
			}
			fields[i] = sf
		}
		out := reflect.New(reflect.StructOf(fields)).Elem()
		for i := 0; i < n; i++ {
			if !vals[i].IsValid() {
				continue
			}
			f := out.Field(i)
			if !f.CanSet() {
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			f.Set(vals[i])
		}
		return out, true
	}
	return v, false
}

// mayHold is mayHoldVI, and with a type switch (str) also a cell
// struct value or a pointer to one (rawPointer), anywhere in a
// container fmt prints (a slice element, say).
func (u *unwrapper) mayHold(t reflect.Type, top bool) bool {
	if mayHoldVI(t, top) {
		return true
	}
	if u.str == nil {
		return false
	}
	for {
		switch t.Kind() {
		case reflect.Pointer:
			return interpStruct(t.Elem())
		case reflect.Struct:
			return interpStruct(t)
		case reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return false
		}
	}
}

// interpStruct tells whether t may be the reflect type of a cell struct
// type: yaegi builds those as unnamed structs.
func interpStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Name() == ""
}

// rawPointer gives the text of a pointer to a cell struct type whose
// String or Error method fmt would call: yaegi stores such a pointer in
// an interface as a plain Go pointer, not a valueInterface, so the
// interpreter's type switch (str) gets the pointer itself (fmt printed
// &{4 } for S3<4>, an address inside a slice). Likewise a value of a cell
// struct type without methods, whose fields have them (withContainers in
// fmtargs.go). Types str has no text for are remembered per site.
func (u *unwrapper) rawPointer(v reflect.Value) (reflect.Value, bool) {
	t := v.Type()
	if u.str == nil || t.Kind() == reflect.Pointer && !interpStruct(t.Elem()) {
		return v, false
	}
	key := plainKey{unsafe.Pointer(reflect.ValueOf(t).Pointer()), u.site}
	if u.host != nil && u.site != 0 {
		u.host.mu.Lock()
		plain := u.host.plain[key]
		u.host.mu.Unlock()
		if plain {
			return v, false
		}
	}
	s, ok := func() (s string, ok bool) {
		defer func() {
			if r := recover(); r != nil {
				s, ok = fmt.Sprintf("%%!v(PANIC=String method: %v)", r), true
			}
		}()
		return u.str(v.Interface())
	}()
	if !ok {
		if u.host != nil && u.site != 0 {
			u.host.mu.Lock()
			u.host.plain[key] = true
			u.host.mu.Unlock()
		}
		return v, false
	}
	return reflect.ValueOf(textValue{s, v}), true
}

// textValue is what fmt prints for an interpreted value whose String or
// Error method the interpreter ran (text): as fmt treats a Stringer, the
// verbs v, s, x, X and q format the text; the others, and %#v, format
// the value itself.
type textValue struct {
	text string
	v    reflect.Value
}

// Format implements fmt.Formatter.
func (t textValue) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v', 's', 'x', 'X', 'q':
		if verb != 'v' || !f.Flag('#') {
			text := t.text
			// "%v text\x00%+v text" (withContainers in fmtargs.go).
			if i := strings.IndexByte(text, 0); i >= 0 {
				if verb == 'v' && f.Flag('+') {
					text = text[i+1:]
				} else {
					text = text[:i]
				}
			}
			fmt.Fprintf(f, fmt.FormatString(f, verb), text)
			return
		}
	}
	if !t.v.IsValid() {
		fmt.Fprintf(f, fmt.FormatString(f, verb), nil)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), t.v.Interface())
}

// unwrapHost holds, for one interpreter, what Unwrap's callers learned:
// the valueInterface nodes a call site's type switch gave no text for.
// (A node of an interpreter stays valid as long as the interpreter; the
// map's keys keep them alive, and the map dies with the interpreter.)
type unwrapHost struct {
	mu    sync.Mutex
	plain map[plainKey]bool
}

type plainKey struct {
	node unsafe.Pointer
	site int
}

// unwrapExports returns the host functions lowered cells call, bound to
// a fresh cache: one set per interpreter.
func unwrapExports() map[string]reflect.Value {
	h := &unwrapHost{plain: map[plainKey]bool{}}
	return map[string]reflect.Value{
		"Unwrap":     reflect.ValueOf(Unwrap),
		"UnwrapWith": reflect.ValueOf(h.UnwrapWith),
		"UnwrapAll":  reflect.ValueOf(h.UnwrapAll),
		"SprintWith": reflect.ValueOf(SprintWith),
		"Fields":     reflect.ValueOf(Fields),
		"Ptr":        reflect.ValueOf(Ptr),
		"MapOf":      reflect.ValueOf(MapOf),
	}
}

// UnwrapAll returns xs with each element unwrapped as Unwrap does, or
// xs itself when none changes. str, when not nil, gives the text of an
// interpreted value (a valueInterface, passed as it is) whose String or
// Error method fmt would call; ok is false for values without one.
// Lowered cells pass a type switch over the cell types that have such
// methods, with site identifying that switch (0: none, nothing is
// remembered), and box single values in a []any, which keeps yaegi's
// valueInterface of an interpreted value held in an interface.
func (h *unwrapHost) UnwrapAll(xs []any, site int, str func(any) (string, bool)) []any {
	u := &unwrapper{str: str, host: h, site: site}
	return u.all(xs)
}

// UnwrapWith returns the single element of box unwrapped (see
// UnwrapAll).
func (h *unwrapHost) UnwrapWith(box []any, site int, str func(any) (string, bool)) any {
	if len(box) != 1 {
		panic(fmt.Sprintf("godl: UnwrapWith needs one value, got %d", len(box)))
	}
	return h.UnwrapAll(box, site, str)[0]
}

// all unwraps each element of xs as a value of its own.
func (u *unwrapper) all(xs []any) []any {
	var out []any
	for i, x := range xs {
		if x == nil {
			continue
		}
		rv := reflect.ValueOf(x)
		if !u.mayHold(rv.Type(), true) {
			continue
		}
		r, changed := u.safeValue(rv)
		if !changed {
			continue
		}
		if out == nil {
			out = append([]any(nil), xs...)
		}
		out[i] = nil
		if r.IsValid() {
			out[i] = r.Interface()
		}
	}
	if out == nil {
		return xs
	}
	return out
}

// safeValue is value at the top level; a value reflect cannot copy (a
// panic in reflect.StructOf, say) stays as it is.
func (u *unwrapper) safeValue(v reflect.Value) (r reflect.Value, changed bool) {
	defer func() {
		if recover() != nil {
			r, changed = v, false
		}
	}()
	return u.value(v, true, 0)
}

// SprintWith is fmt.Sprint of the single element of box unwrapped with
// str (see UnwrapAll): the text of a cell's final value, in one compiled
// call as fmt.Sprint was.
func SprintWith(box []any, str func(any) (string, bool)) string {
	u := &unwrapper{str: str}
	return fmt.Sprint(u.all(box)...)
}

// Fields returns a copy of the struct v whose fields at idx are `any`
// fields holding vals (as the interpreter boxed them, see boxer in
// fmtargs.go), with the same names, so that fmt prints it as it prints v
// with those fields formatted through their methods. A v that is not a
// struct, or that reflect cannot copy, comes back as it is.
func Fields(v any, idx []int, vals []any) (out any) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct || len(idx) != len(vals) {
		return v
	}
	defer func() {
		if recover() != nil {
			out = v
		}
	}()
	t := rv.Type()
	boxed := map[int]int{}
	for j, i := range idx {
		if i < 0 || i >= t.NumField() {
			return v
		}
		boxed[i] = j
	}
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = reflect.StructField{Name: f.Name, PkgPath: f.PkgPath, Type: f.Type, Tag: f.Tag}
		if _, ok := boxed[i]; ok {
			fields[i].Type = anyType
		}
	}
	r := readable(rv)
	c := reflect.New(reflect.StructOf(fields)).Elem()
	vs := reflect.ValueOf(vals)
	for i := range fields {
		dst := c.Field(i)
		if !dst.CanSet() {
			dst = reflect.NewAt(dst.Type(), unsafe.Pointer(dst.UnsafeAddr())).Elem()
		}
		if j, ok := boxed[i]; ok {
			dst.Set(vs.Index(j))
		} else {
			dst.Set(field(r, i))
		}
	}
	return c.Interface()
}

// Ptr returns a pointer to a copy of v (nil for nil): fmt prints a
// pointer argument to a struct, slice, array or map as &{…}.
func Ptr(v any) any {
	if v == nil {
		return nil
	}
	p := reflect.New(reflect.TypeOf(v))
	p.Elem().Set(reflect.ValueOf(v))
	return p.Interface()
}

// mapView is a map whose keys the interpreter boxed (boxKeys in
// fmtargs.go): its entries, sorted as fmt sorts the original keys.
type mapView struct {
	keys, vals []any
}

var mapViewType = reflect.TypeFor[mapView]()

// MapOf returns the entries keys[i]: vals[i] of a map sorted by sortKeys
// (the keys' underlying values: integers, floats or strings), for
// Unwrap, which prints them as fmt prints a map.
func MapOf(sortKeys, keys, vals []any) any {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	less := func(a, b any) bool {
		va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
		switch {
		case va.CanInt() && vb.CanInt():
			return va.Int() < vb.Int()
		case va.CanUint() && vb.CanUint():
			return va.Uint() < vb.Uint()
		case va.CanFloat() && vb.CanFloat():
			x, y := va.Float(), vb.Float()
			return x < y || x != x && y == y // NaN first, as fmt
		case va.Kind() == reflect.String && vb.Kind() == reflect.String:
			return va.String() < vb.String()
		}
		return false
	}
	sort.SliceStable(idx, func(i, j int) bool { return less(sortKeys[idx[i]], sortKeys[idx[j]]) })
	m := mapView{keys: make([]any, len(keys)), vals: make([]any, len(keys))}
	for i, k := range idx {
		m.keys[i], m.vals[i] = keys[k], vals[k]
	}
	return m
}

// mapView unwraps a mapView's keys and values into a mapText.
func (u *unwrapper) mapView(m mapView, depth int) reflect.Value {
	one := func(x any) any {
		if x == nil {
			return nil
		}
		r, changed := u.value(reflect.ValueOf(x), false, depth+1)
		switch {
		case !changed:
			return x
		case !r.IsValid():
			return nil
		}
		return r.Interface()
	}
	out := mapText{keys: make([]any, len(m.keys)), vals: make([]any, len(m.vals))}
	for i := range m.keys {
		out.keys[i], out.vals[i] = one(m.keys[i]), one(m.vals[i])
	}
	return reflect.ValueOf(out)
}

// mapText prints its entries as fmt prints a map: map[k:v k:v], each
// with the directive's flags and verb.
type mapText struct {
	keys, vals []any
}

// Format implements fmt.Formatter.
func (m mapText) Format(f fmt.State, verb rune) {
	d := fmt.FormatString(f, verb)
	if verb == 'v' && f.Flag('#') {
		d = "%v" // Go syntax of the original map type is not known here
	}
	io.WriteString(f, "map[")
	for i := range m.keys {
		if i > 0 {
			io.WriteString(f, " ")
		}
		fmt.Fprintf(f, d, m.keys[i])
		io.WriteString(f, ":")
		fmt.Fprintf(f, d, m.vals[i])
	}
	io.WriteString(f, "]")
}
