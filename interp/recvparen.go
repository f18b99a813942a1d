package interp

import (
	"go/ast"
	"go/token"
)

// yaegi v0.16.1 stores a receive expression that is directly a function
// result badly: `return <-c` fails with "reflect.Value.Set using
// unaddressable value", and `r = <-c` on a named result r fails the same
// way, or leaves r zero before a bare return (a silent wrong result).
// Parenthesised, the receive goes through another path that works:
// `return (<-c)`, `r = (<-c)`. recvParens adds the parentheses around
// receives that are return operands or single-value assignments; comma-ok
// receives (v, ok = <-c) are left alone.
func (lw *lowering) recvParens() {
	var recvs []*ast.UnaryExpr
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if u, ok := r.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					recvs = append(recvs, u)
				}
			}
		case *ast.AssignStmt:
			if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) {
				for _, r := range n.Rhs {
					if u, ok := r.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
						recvs = append(recvs, u)
					}
				}
			}
		}
		return true
	})
	for _, u := range recvs {
		if lw.crossed(u.Pos(), u.End()) {
			continue // another rewrite moves or replaces this text
		}
		lw.insert(u.Pos(), "(")
		lw.insert(u.End(), ")")
	}
}
