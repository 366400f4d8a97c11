package handlers

import (
	"fmt"
	"net/url"

	"dropship/views/components"
)

// keysetPage trims a list read with one row past limit (newest first) and
// links the newer and older pages of path, keeping the filters in q (empty
// values are dropped). before is the id the current page started below.
func keysetPage[T any](list []T, limit int, before int64, path string, q url.Values, id func(T) int64) ([]T, components.Pager) {
	filters := url.Values{}
	for k, vs := range q {
		if len(vs) > 0 && vs[0] != "" {
			filters.Set(k, vs[0])
		}
	}
	link := func(v url.Values) string {
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	var p components.Pager
	if len(list) > limit {
		list = list[:limit]
		next := url.Values{}
		for k, vs := range filters {
			next[k] = vs
		}
		next.Set("before", fmt.Sprint(id(list[len(list)-1])))
		p.Next = link(next)
	}
	if before > 0 {
		p.Prev = link(filters)
	}
	return list, p
}
