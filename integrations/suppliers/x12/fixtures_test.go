package x12

import (
	"testing"

	"dropship/integrations/internal/fixtures"
)

// fixture reads a file of the shared fixtures.
func fixture(t testing.TB, name string) []byte { return fixtures.Read(t, name) }
