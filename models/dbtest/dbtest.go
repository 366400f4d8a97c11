// Package dbtest gives each test its own PostgreSQL database, cloned from a
// template that is migrated once per schema version (the idea of pgtestdb).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for goose
	"gorm.io/gorm"

	"dropship/migrations"
	"dropship/models"
)

// BaseURL is the server the tests use: DATABASE_URL, which `make test` sets
// (starting the private cluster when needed).
func BaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("dbtest: DATABASE_URL is unset; run the tests with `make test` (it starts the local PostgreSQL), or export DATABASE_URL=$(go run ./cmd/dropship db start)")
	}
	return u
}

var templateOnce sync.Map // template name -> *sync.Once (per process; other processes use the lock)

// NewURL creates an empty-of-data, fully migrated database for t, dropped when t ends, and returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	ctx := context.Background()
	tpl, err := templateName()
	if err != nil {
		t.Fatal(err)
	}
	once, _ := templateOnce.LoadOrStore(tpl, &sync.Once{})
	var tplErr error
	once.(*sync.Once).Do(func() { tplErr = ensureTemplate(ctx, base, tpl) })
	if tplErr != nil {
		templateOnce.Delete(tpl)
		t.Fatal(tplErr)
	}

	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("dbtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	name := "dropship_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", pgx.Identifier{name}.Sanitize(), pgx.Identifier{tpl}.Sanitize())); err != nil {
		t.Fatalf("dbtest: clone template: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, base, name) })
	return withDatabase(t, base, name)
}

// New returns a GORM handle on a fresh migrated database for t.
func New(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, NewURL(t))
}

// Open connects GORM to url and closes the pool when t ends.
func Open(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	db, err := models.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

func withDatabase(t testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: parse DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// templateName fingerprints the migration files, so a changed schema gets a new template.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("dbtest: hash migrations: %w", err)
	}
	return "dropship_tpl_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureTemplate creates and migrates the template once across every test
// process, under an advisory lock held on one connection.
func ensureTemplate(ctx context.Context, base, tpl string) error {
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("dbtest: connect %s: %w", redact(base), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext('dropship.dbtest.template'))"); err != nil {
		return fmt.Errorf("dbtest: lock: %w", err)
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(hashtext('dropship.dbtest.template'))") //nolint:errcheck

	var ready bool
	err = admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", tpl).Scan(&ready)
	if err != nil {
		return fmt.Errorf("dbtest: %w", err)
	}
	if ready {
		return nil
	}
	// A half-made template from a crashed run is not marked datistemplate: start over.
	if _, err := admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pgx.Identifier{tpl}.Sanitize())); err != nil {
		return fmt.Errorf("dbtest: drop stale template: %w", err)
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s", pgx.Identifier{tpl}.Sanitize())); err != nil {
		return fmt.Errorf("dbtest: create template: %w", err)
	}
	u, _ := url.Parse(base)
	u.Path = "/" + tpl
	sqlDB, err := sql.Open("pgx", u.String())
	if err != nil {
		return fmt.Errorf("dbtest: open template: %w", err)
	}
	p, err := migrations.NewProvider(sqlDB, nil)
	if err != nil {
		sqlDB.Close()
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		sqlDB.Close()
		return fmt.Errorf("dbtest: migrate template: %w", err)
	}
	sqlDB.Close()
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s IS_TEMPLATE true", pgx.Identifier{tpl}.Sanitize())); err != nil {
		return fmt.Errorf("dbtest: mark template: %w", err)
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck // crypto/rand never fails on Linux
	return hex.EncodeToString(b)
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "DATABASE_URL"
	}
	return u.Redacted()
}

// NewEmptyURL creates a database with no schema at all (for migration tests), dropped when t ends.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("dbtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	name := "dropship_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, base, name) })
	return withDatabase(t, base, name)
}

func dropDatabase(t testing.TB, base, name string) {
	c, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Logf("dbtest: drop %s: %v", name, err)
		return
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pgx.Identifier{name}.Sanitize())); err != nil {
		t.Logf("dbtest: drop %s: %v", name, err)
	}
}
