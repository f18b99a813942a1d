package interp

import (
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/godl-kernel/godl/kernel"
)

// Statuses of is_complete_reply.
const (
	codeComplete   = "complete"
	codeIncomplete = "incomplete"
	codeInvalid    = "invalid"
)

// helpIsComplete answers an is_complete_request for a REPL cell (any mix
// of imports, declarations and statements): "incomplete" while a bracket,
// a raw string or a block comment is open or the last line ends with an
// operator that continues the expression, with four spaces of indent per
// line that opened a bracket still open; "invalid" for syntax that more
// lines cannot fix (a stray closing bracket, a broken string, a parse
// error); "complete" otherwise.
func helpIsComplete(code string) (res kernel.IsCompleteResult) {
	defer func() {
		if recover() != nil {
			helpPanics.Add(1)
			res = kernel.IsCompleteResult{Status: "unknown"}
		}
	}()
	code = blankMagicLines(code)
	if strings.TrimSpace(code) == "" {
		return kernel.IsCompleteResult{Status: codeComplete}
	}
	var s scanner.Scanner
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(code))
	var incomplete, invalid bool
	s.Init(f, []byte(code), func(_ token.Position, msg string) {
		switch {
		case strings.Contains(msg, "raw string literal not terminated"),
			strings.Contains(msg, "comment not terminated"):
			incomplete = true
		default:
			invalid = true
		}
	}, scanner.ScanComments)

	type open struct {
		tok  token.Token
		line int
	}
	var stack []open
	last := token.ILLEGAL
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.COMMENT || (tok == token.SEMICOLON && lit == "\n") {
			continue
		}
		line := f.Line(pos)
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			stack = append(stack, open{tok, line})
		case token.RPAREN, token.RBRACK, token.RBRACE:
			want := map[token.Token]token.Token{token.RPAREN: token.LPAREN, token.RBRACK: token.LBRACK, token.RBRACE: token.LBRACE}[tok]
			if len(stack) == 0 || stack[len(stack)-1].tok != want {
				return kernel.IsCompleteResult{Status: codeInvalid}
			}
			stack = stack[:len(stack)-1]
		}
		last = tok
	}
	if invalid {
		return kernel.IsCompleteResult{Status: codeInvalid}
	}
	if incomplete {
		return kernel.IsCompleteResult{Status: codeIncomplete, Indent: ""}
	}
	if len(stack) > 0 {
		lines := 0
		for i, o := range stack {
			if i == 0 || o.line != stack[i-1].line {
				lines++
			}
		}
		return kernel.IsCompleteResult{Status: codeIncomplete, Indent: strings.Repeat("    ", lines)}
	}
	if continues(last) {
		return kernel.IsCompleteResult{Status: codeIncomplete, Indent: "    "}
	}
	if cellSyntaxError(code) {
		return kernel.IsCompleteResult{Status: codeInvalid}
	}
	return kernel.IsCompleteResult{Status: codeComplete}
}

// continues tells whether a line ending with tok goes on at the next line.
func continues(tok token.Token) bool {
	switch tok {
	case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR,
		token.SHL, token.SHR, token.AND_NOT, token.LAND, token.LOR, token.ARROW,
		token.EQL, token.LSS, token.GTR, token.NEQ, token.LEQ, token.GEQ,
		token.ASSIGN, token.DEFINE, token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN,
		token.QUO_ASSIGN, token.REM_ASSIGN, token.AND_ASSIGN, token.OR_ASSIGN, token.XOR_ASSIGN,
		token.SHL_ASSIGN, token.SHR_ASSIGN, token.AND_NOT_ASSIGN,
		token.COMMA, token.PERIOD, token.COLON, token.ELSE:
		return true
	}
	return false
}

// blankMagicLines blanks the lines that are magics (%time, !ls ...), which
// are not Go, keeping every offset.
func blankMagicLines(code string) string {
	if !strings.ContainsAny(code, "%!") {
		return code
	}
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "%time ") || strings.HasPrefix(t, "%%time"):
			// %time runs the Go code after it.
			j := strings.Index(l, "time") + len("time")
			lines[i] = strings.Repeat(" ", j) + l[j:]
		case strings.HasPrefix(t, "%") || (strings.HasPrefix(t, "!") && !strings.HasPrefix(t, "!=")):
			lines[i] = strings.Repeat(" ", len(l))
		}
	}
	return strings.Join(lines, "\n")
}

// cellSyntaxError tells whether a balanced cell has a syntax error: its
// declarations and statements are parsed apart, as the evaluator runs them.
func cellSyntaxError(code string) bool {
	segs := splitCell(code)
	const mode = parser.SkipObjectResolution | parser.AllErrors
	var decl, stmt bool
	for _, s := range segs {
		if s.decl {
			decl = true
		} else {
			stmt = true
		}
	}
	if decl {
		if _, err := parser.ParseFile(token.NewFileSet(), "", helpDeclPrefix+blankOut(code, segs, true), mode); err != nil {
			return true
		}
	}
	if stmt {
		if _, err := parser.ParseFile(token.NewFileSet(), "", helpStmtPrefix+blankOut(code, segs, false)+"\n}", mode); err != nil {
			return true
		}
	}
	return false
}
