package layout

import (
	"context"
	"encoding/json"
)

// csrfHeader is the hx-headers value that makes htmx send the CSRF token.
func csrfHeader(ctx context.Context) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": CSRFToken(ctx)})
	return string(b)
}
