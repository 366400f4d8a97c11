package sandbox

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults make the sandbox misbehave the ways real suppliers do.
type Faults struct {
	// Latency delays every HTTP answer and every SFTP/FTP login.
	Latency time.Duration
	// ErrorRate is the share (0..1) of HTTP requests answered 503.
	ErrorRate float64
	// RateLimitRate is the share (0..1) of HTTP requests answered 429 with Retry-After: 1.
	RateLimitRate float64
	// Truncate cuts HTTP feeds and API pages off mid-transfer (the connection
	// closes before Content-Length bytes) and writes files cut mid-row.
	Truncate bool
	// Garble recodes feeds and API pages to Latin-1 and overwrites bytes with NUL/0xFF/0xFE.
	Garble bool
	// WrongSignature signs webhooks with a secret the receiver doesn't know.
	WrongSignature bool
	// StaleTimestamp stamps webhooks 10 minutes in the past (outside the 5-minute tolerance).
	StaleTimestamp bool
}

// dice draws the fault decisions from a seeded source, so runs repeat.
type dice struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func (d *dice) hit(rate float64) bool {
	if rate <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.Float64() < rate
}

// faultMiddleware applies latency and the 503/429 rates to every HTTP request.
func (s *Supplier) faultMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.cfg.Faults
		if f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if s.dice.hit(f.ErrorRate) {
			http.Error(w, "sandbox: injected failure, try again later", http.StatusServiceUnavailable)
			return
		}
		if s.dice.hit(f.RateLimitRate) {
			w.Header().Set("Retry-After", strconv.Itoa(1))
			http.Error(w, "sandbox: too many requests", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// garbleIfAsked applies the Garble fault to a rendered feed or page.
func (f Faults) garbleIfAsked(b []byte) []byte {
	if f.Garble {
		return garble(b)
	}
	return b
}
