package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"

	"dropship/handlers/problem"
	"dropship/models"
)

// authenticate requires a valid API key (Authorization: Bearer <key>) on
// every API route but the OpenAPI document. Session cookies open nothing here.
func (a *API) authenticate(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), Base+"/openapi.") {
		return c.Next()
	}
	auth := c.Get(fiber.HeaderAuthorization)
	plain, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || plain == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="dropship"`)
		return writeProblem(c, problem.New(http.StatusUnauthorized, "unauthorized", "Send an API key as Authorization: Bearer <key>."))
	}
	key, err := a.keys.get(c.UserContext(), plain, func(ctx context.Context) (*models.APIKey, error) {
		return models.AuthenticateAPIKey(ctx, a.db, plain)
	})
	if errors.Is(err, models.ErrUnknownAPIKey) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="dropship", error="invalid_token"`)
		return writeProblem(c, problem.New(http.StatusUnauthorized, "unauthorized", "This API key is unknown or was revoked."))
	}
	if err != nil {
		return err
	}
	if a.keys.touchDue(key.ID) {
		// last_used_at for the keys page, written at most once a minute per key and instance.
		if err := models.TouchAPIKey(c.UserContext(), a.db, key.ID); err != nil {
			a.log.Warn("touch API key", "err", err)
		}
	}
	c.SetUserContext(context.WithValue(c.UserContext(), apiKeyCtx{}, key))
	return c.Next()
}

// rateLimit allows each key RatePerSecond requests with bursts of Burst;
// beyond that, 429 with Retry-After.
func (a *API) rateLimit(c *fiber.Ctx) error {
	key := apiKeyFrom(c.UserContext())
	if key == nil {
		return c.Next()
	}
	r := a.limits.get(key.ID, rate.Limit(a.cfg.RatePerSecond), a.cfg.Burst).Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(math.Ceil(max(d.Seconds(), 1)))))
		return writeProblem(c, problem.New(http.StatusTooManyRequests, "rate-limited",
			fmt.Sprintf("This API key may make %g requests a second. Retry after the time in Retry-After.", a.cfg.RatePerSecond)))
	}
	return c.Next()
}

// keyCache remembers authenticated keys briefly, so a busy storefront costs
// one lookup per key every ttl rather than one per request. A revoked key
// stops working within ttl.
type keyCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	m       map[string]cachedKey
	touched map[int64]time.Time
}

// touchDue reports whether key id's last use should be written now.
func (kc *keyCache) touchDue(id int64) bool {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if time.Since(kc.touched[id]) < time.Minute {
		return false
	}
	kc.touched[id] = time.Now()
	return true
}

type cachedKey struct {
	key     *models.APIKey
	expires time.Time
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, m: map[string]cachedKey{}, touched: map[int64]time.Time{}}
}

func (kc *keyCache) get(ctx context.Context, plain string, load func(context.Context) (*models.APIKey, error)) (*models.APIKey, error) {
	hash := string(models.HashAPIKey(plain))
	kc.mu.Lock()
	e, ok := kc.m[hash]
	kc.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.key, nil
	}
	key, err := load(ctx)
	if err != nil {
		return nil, err
	}
	kc.mu.Lock()
	if len(kc.m) > 10000 { // unbounded growth guard: start over
		kc.m = map[string]cachedKey{}
	}
	kc.m[hash] = cachedKey{key: key, expires: time.Now().Add(kc.ttl)}
	kc.mu.Unlock()
	return key, nil
}
