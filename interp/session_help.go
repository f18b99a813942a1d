package interp

import "github.com/godl-kernel/godl/kernel"

// Placeholder until the help helper's inspect.go lands (complete.go
// and iscomplete.go have: helpComplete, helpIsComplete); this file is
// deleted then.

func inspect(prior []string, code string, cursor, detail int) kernel.InspectResult {
	return kernel.InspectResult{Found: false, Data: map[string]any{}, Metadata: map[string]any{}}
}
