package rest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// step is one hop of a JSON path: an object key or an array index.
type step struct {
	key   string
	index int // -1 when none
}

// parsePath reads "data.items", "stock.available", "prices[0].amount" or ""
// (the value itself). Keys are separated by dots; [N] picks an array element.
func parsePath(p string) ([]step, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return nil, nil
	}
	bad := fmt.Errorf("%q is not a field path: use names separated by dots, such as stock.available (and [0] for the first of a list)", p)
	var steps []step
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return nil, bad
		}
		key, rest, bracket := strings.Cut(part, "[")
		if strings.Contains(key, "]") || bracket && rest == "" {
			return nil, bad
		}
		if key != "" {
			steps = append(steps, step{key: key, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || n < 0 {
				return nil, bad
			}
			steps = append(steps, step{index: n})
			if after == "" {
				break
			}
			if !strings.HasPrefix(after, "[") {
				return nil, bad
			}
			rest = after[1:]
		}
	}
	return steps, nil
}

var errNoValue = errors.New("no value")

// lookup follows steps through decoded JSON (map[string]any, []any, json.Number…).
func lookup(v any, steps []step) (any, error) {
	for _, s := range steps {
		if s.index < 0 {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, errNoValue
			}
			if v, ok = obj[s.key]; !ok {
				return nil, errNoValue
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok || s.index >= len(arr) {
			return nil, errNoValue
		}
		v = arr[s.index]
	}
	if v == nil {
		return nil, errNoValue
	}
	return v, nil
}
