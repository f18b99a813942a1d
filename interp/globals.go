package interp

import (
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// globalsOf returns yi's global variables, or ok false when yaegi cannot
// list them: yaegi v0.16.1's Globals panics (index out of range in its
// scope) once a compile that failed has left symbols in the global scope
// without slots in the global frame.
func globalsOf(yi *yaegi.Interpreter) (g map[string]reflect.Value, ok bool) {
	defer func() {
		if recover() != nil {
			g, ok = nil, false
		}
	}()
	return yi.Globals(), true
}
