package engine

import (
	"fmt"
	"slices"
	"strings"
)

// Order returns the codes of defs (segment code → condition) so that every segment
// comes after the segments it refers to, which is the order to evaluate them in.
// References to codes not in defs are ignored (Index.Check reports them). A cycle
// of references is an error wrapping ErrInvalid that names it: "a → b → a".
func Order(defs map[string]Cond) ([]string, error) {
	codes := make([]string, 0, len(defs))
	for code := range defs {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	const (
		unseen = iota
		active
		done
	)
	state := make(map[string]int, len(defs))
	var out, stack []string
	var visit func(code string) error
	visit = func(code string) error {
		switch state[code] {
		case done:
			return nil
		case active:
			i := slices.Index(stack, code)
			cycle := append(append([]string(nil), stack[i:]...), code)
			return fmt.Errorf("segment: cycle of segment references %s: %w", strings.Join(cycle, " → "), ErrInvalid)
		}
		state[code] = active
		stack = append(stack, code)
		for _, ref := range Refs(defs[code]) {
			if _, ok := defs[ref]; !ok {
				continue
			}
			if err := visit(ref); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[code] = done
		out = append(out, code)
		return nil
	}
	for _, code := range codes {
		if err := visit(code); err != nil {
			return nil, err
		}
	}
	return out, nil
}
