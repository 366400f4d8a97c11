package x12

import (
	"os"
	"path/filepath"
	"testing"
)

// fixture reads a file of the shared fixtures (never copied into the repo):
// from $DROPSHIP_FIXTURES, else from the first "shared/fixtures" found walking
// up from the package directory (the repo root's parent holds shared/).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	dir := os.Getenv("DROPSHIP_FIXTURES")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for d := wd; ; d = filepath.Dir(d) {
			if fi, err := os.Stat(filepath.Join(d, "shared", "fixtures")); err == nil && fi.IsDir() {
				dir = filepath.Join(d, "shared", "fixtures")
				break
			}
			if filepath.Dir(d) == d {
				t.Fatalf("shared/fixtures not found above %s; set DROPSHIP_FIXTURES", wd)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
