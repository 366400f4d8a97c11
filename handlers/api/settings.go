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
	defer c.mu.Unlock()
	if time.Now().Before(c.expires) {
		return c.value, nil
	}
	s, err := models.GetStoreSettings(ctx, c.db)
	if err != nil {
		return s, err
	}
	c.value, c.expires = s, time.Now().Add(c.ttl)
	return s, nil
}
