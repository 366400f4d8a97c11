package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// errNotLeader tells gocron that another instance holds the leadership.
var errNotLeader = errors.New("jobs: another instance is the leader")

// Elector makes one instance the leader by holding a Postgres advisory lock
// on one pinned connection: advisory locks belong to a connection, so a
// pooled *sql.DB could hand the lock's connection to someone else or lose it.
// When the connection dies, Postgres releases the lock and another instance
// takes over on its next try.
type Elector struct {
	db  *sql.DB
	key int64

	mu   sync.Mutex
	conn *sql.Conn // non-nil only while this instance holds the lock
}

// NewElector returns an elector over db for the lock named by key.
func NewElector(db *sql.DB, key int64) *Elector {
	return &Elector{db: db, key: key}
}

// IsLeader returns nil when this instance holds (or has just taken) the lock.
func (e *Elector) IsLeader(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn != nil {
		if err := e.conn.PingContext(ctx); err == nil {
			return nil
		}
		// The connection is gone, and the lock with it.
		e.conn.Close()
		e.conn = nil
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("jobs: elector connection: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", e.key).Scan(&got); err != nil {
		conn.Close()
		return fmt.Errorf("jobs: elector lock: %w", err)
	}
	if !got {
		conn.Close()
		return errNotLeader
	}
	e.conn = conn
	return nil
}

// Resign releases the lock (if held) and returns the connection to the pool.
func (e *Elector) Resign(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return
	}
	e.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", e.key) //nolint:errcheck // closing below releases it anyway
	e.conn.Close()
	e.conn = nil
}
