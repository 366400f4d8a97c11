package api

import (
	"context"
	"sync"
	"time"
)

// cached keeps a value read from the database for a short time: every
// request needs the store settings and the transit table, and a change made
// in Settings may take that long to show.
type cached[T any] struct {
	ttl  time.Duration
	load func(context.Context) (T, error)

	mu      sync.Mutex
	value   T
	expires time.Time
}

func newCached[T any](ttl time.Duration, load func(context.Context) (T, error)) *cached[T] {
	return &cached[T]{ttl: ttl, load: load}
}

func (c *cached[T]) get(ctx context.Context) (T, error) {
	c.mu.Lock()
	value, fresh := c.value, time.Now().Before(c.expires)
	c.mu.Unlock()
	if fresh {
		return value, nil
	}
	// Read without holding the lock: a slow query must not stall every request.
	v, err := c.load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.value, c.expires = v, time.Now().Add(c.ttl)
	c.mu.Unlock()
	return v, nil
}
