package api

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"

	"dropship/models"
)

// settingsCache keeps the store settings for a couple of seconds: every
// checkout needs them, and a change in Settings may take that long to show.
type settingsCache struct {
	db  *gorm.DB
	ttl time.Duration

	mu      sync.Mutex
	value   models.StoreSettings
	expires time.Time
}

func (c *settingsCache) get(ctx context.Context) (models.StoreSettings, error) {
	c.mu.Lock()
	value, fresh := c.value, time.Now().Before(c.expires)
	c.mu.Unlock()
	if fresh {
		return value, nil
	}
	// Read without holding the lock: a slow query must not stall every request.
	s, err := models.GetStoreSettings(ctx, c.db)
	if err != nil {
		return s, err
	}
	c.mu.Lock()
	c.value, c.expires = s, time.Now().Add(c.ttl)
	c.mu.Unlock()
	return s, nil
}
