package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"dropship/migrations"
	"dropship/models"
)

// env is what every command needs: configuration, logger, database.
type env struct {
	cfg   *config
	log   *slog.Logger
	db    *gorm.DB
	sqlDB *sql.DB
}

// openEnv loads the configuration and connects, starting the private
// cluster when DATABASE_URL is unset.
func openEnv(ctx context.Context, root string) (*env, error) {
	cfg, err := loadConfig(root)
	if err != nil {
		return nil, err
	}
	log := newLogger(cfg)
	slog.SetDefault(log)
	if cfg.DatabaseURL == "" {
		l, err := newLocalDB(root)
		if err != nil {
			return nil, err
		}
		if err := l.Start(ctx); err != nil {
			return nil, err
		}
		cfg.DatabaseURL = l.URL()
		log.Info("using the private PostgreSQL cluster", "dir", l.dataDir, "port", l.port)
	}
	db, err := models.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, log: log, db: db, sqlDB: sqlDB}, nil
}

func (e *env) close() {
	e.sqlDB.Close()
}

func (e *env) migrator() (*goose.Provider, error) {
	return migrations.NewProvider(e.sqlDB, e.log)
}

// migrateUp applies pending migrations under goose's session lock.
func (e *env) migrateUp(ctx context.Context) error {
	p, err := e.migrator()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		e.log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

func cmdMigrate(ctx context.Context, root string, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: dropship migrate up|down|status")
	}
	e, err := openEnv(ctx, root)
	if err != nil {
		return err
	}
	defer e.close()
	p, err := e.migrator()
	if err != nil {
		return err
	}
	switch args[0] {
	case "up":
		return e.migrateUp(ctx)
	case "down":
		r, err := p.Down(ctx)
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		fmt.Printf("rolled back %d %s\n", r.Source.Version, r.Source.Path)
	case "status":
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, s := range st {
			when := "pending"
			if s.State == goose.StateApplied {
				when = "applied " + s.AppliedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(os.Stdout, "%5d  %-40s %s\n", s.Source.Version, s.Source.Path, when)
		}
	default:
		return fmt.Errorf("usage: dropship migrate up|down|status")
	}
	return nil
}
