package kernel

import "context"

// Evaluator runs code on behalf of the kernel. The kernel holds the sockets
// and speaks the protocol; an Evaluator knows the language. It plays the role
// of xeus's interpreter class.
//
// Execute is never called concurrently with itself, but Complete, Inspect,
// IsComplete and Interrupt may be called while Execute runs: the kernel
// answers those requests while a cell is busy.
type Evaluator interface {
	// Execute runs one cell. Output produced while it runs goes to out,
	// in order. A cell that fails is reported in the result, not as an
	// error; a non-nil error means the evaluator itself failed.
	Execute(ctx context.Context, req ExecuteRequest, out Output) (ExecuteResult, error)
	// Complete returns completions for code at cursor (in Unicode code points).
	Complete(ctx context.Context, code string, cursor int) (CompleteResult, error)
	// Inspect returns what is known about the name at cursor.
	Inspect(ctx context.Context, code string, cursor, detailLevel int) (InspectResult, error)
	// IsComplete tells whether code is ready to run.
	IsComplete(ctx context.Context, code string) (IsCompleteResult, error)
	// Interrupt stops the cell that is running, if any, keeping state.
	Interrupt() error
	// Restart discards all state and starts afresh.
	Restart(ctx context.Context) error
	// Close releases the evaluator and everything it started.
	Close() error
}

// Info describes the language an Evaluator runs, for kernel_info_reply.
type Info struct {
	Implementation        string
	ImplementationVersion string
	Banner                string
	LanguageInfo          LanguageInfo
	HelpLinks             []HelpLink
}

// LanguageInfo is the language_info object of kernel_info_reply.
type LanguageInfo struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	Mimetype          string `json:"mimetype"`
	FileExtension     string `json:"file_extension"`
	PygmentsLexer     string `json:"pygments_lexer"`
	CodemirrorMode    string `json:"codemirror_mode"`
	NbconvertExporter string `json:"nbconvert_exporter,omitempty"`
}

// HelpLink is one entry of kernel_info_reply's help_links.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// ExecuteRequest is what the evaluator needs from an execute_request.
type ExecuteRequest struct {
	Code            string
	Silent          bool
	StoreHistory    bool
	UserExpressions map[string]string
	AllowStdin      bool
	StopOnError     bool
	// ExecutionCount is the count this cell runs as (In[n]); evaluators
	// use it to name the cell in positions ("cell3:2:5").
	ExecutionCount int
}

// Status values of an execute reply.
const (
	StatusOK      = "ok"
	StatusError   = "error"
	StatusAborted = "aborted"
)

// ExecuteResult is the outcome of one cell.
type ExecuteResult struct {
	// Status is StatusOK or StatusError.
	Status string
	// Value is the cell's Out[n] (execute_result), or nil for none.
	Value *Bundle
	// Error is set when Status is StatusError.
	Error *ExecError
	// UserExpressions holds one result per requested expression, each
	// shaped as the protocol wants: {"status":"ok","data":{...},"metadata":{...}}
	// or an error object.
	UserExpressions map[string]any
	// Payload is the deprecated execute_reply payload list; usually nil.
	Payload []map[string]any
}

// ExecError is an error raised by user code.
type ExecError struct {
	Name      string   `json:"ename"`
	Value     string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// Bundle is a MIME bundle: data keyed by MIME type, with metadata.
type Bundle struct {
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata"`
}

// Display is one display_data or update_display_data message.
type Display struct {
	Bundle
	// ID is the display id (transient.display_id), or "" for none.
	ID string
	// Update makes this an update_display_data of an earlier display with ID.
	Update bool
}

// Output receives what a running cell produces. Methods may be called
// from several goroutines; implementations serialise.
type Output interface {
	// Stream sends text to "stdout" or "stderr".
	Stream(name, text string)
	// Display shows or updates rich output.
	Display(d Display)
	// ClearOutput clears the cell's output, now or (wait) at the next output.
	ClearOutput(wait bool)
	// Input asks the user for a line of text through the stdin channel.
	// It fails when the request did not allow stdin.
	Input(ctx context.Context, prompt string, password bool) (string, error)
}

// CompleteResult is the body of complete_reply.
type CompleteResult struct {
	Matches     []string       `json:"matches"`
	CursorStart int            `json:"cursor_start"`
	CursorEnd   int            `json:"cursor_end"`
	Metadata    map[string]any `json:"metadata"`
}

// InspectResult is the body of inspect_reply.
type InspectResult struct {
	Found    bool           `json:"found"`
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata"`
}

// IsCompleteResult is the body of is_complete_reply.
type IsCompleteResult struct {
	// Status is "complete", "incomplete", "invalid" or "unknown".
	Status string `json:"status"`
	// Indent is the indentation for the next line when incomplete.
	Indent string `json:"indent,omitempty"`
}
