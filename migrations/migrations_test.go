package migrations_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"dropship/migrations"
	"dropship/models/dbtest"
)

// TestUpFromEmpty migrates an empty database all the way up, back down to
// nothing and up again: every migration applies on a fresh server and the
// down steps really undo the up steps.
func TestUpFromEmpty(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("pgx", dbtest.NewEmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	p, err := migrations.NewProvider(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	sources := p.ListSources()
	if len(sources) == 0 {
		t.Fatal("no migrations embedded")
	}
	latest := sources[len(sources)-1].Version

	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up from empty: %v", err)
	}
	assertVersion(t, p, latest)
	if pending, _ := p.HasPending(ctx); pending {
		t.Error("pending migrations after up")
	}
	var tables int
	db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('users', 'sessions', 'job_runs', 'audit_entries')").Scan(&tables)
	if tables != 4 {
		t.Errorf("%d of the foundation tables exist, want 4", tables)
	}

	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down to zero: %v", err)
	}
	assertVersion(t, p, 0)
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	assertVersion(t, p, latest)
}

func assertVersion(t *testing.T, p *goose.Provider, want int64) {
	t.Helper()
	got, err := p.GetDBVersion(context.Background())
	if err != nil || got != want {
		t.Fatalf("database version %d (%v), want %d", got, err, want)
	}
}
