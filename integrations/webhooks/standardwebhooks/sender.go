package standardwebhooks

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// Sender signs and POSTs webhooks, retrying a delivery that did not get a 2xx.
type Sender struct {
	Secret Secret
	// Client sends the requests; a client with a 10 s timeout when nil.
	Client *http.Client
	// Attempts is how many times one delivery is tried; 5 when zero.
	Attempts int
	// Backoff is the wait before the first retry, doubled (with jitter) each time; 1 s when zero.
	Backoff time.Duration
	// Now is the clock that stamps webhook-timestamp; time.Now when nil.
	Now func() time.Time
}

// Delivery is the outcome of one Send.
type Delivery struct {
	ID       string
	Attempts int
	Status   int // the last HTTP status seen, 0 when no answer came
}

// NewMessageID returns a fresh "msg_<hex>" id.
func NewMessageID() string {
	b := make([]byte, 16)
	_, _ = crand.Read(b) // never fails
	return "msg_" + hex.EncodeToString(b)
}

// Send POSTs body as one message: the same webhook-id on every attempt (so the
// receiver can drop duplicates), re-signed with a fresh timestamp each time.
func (s *Sender) Send(ctx context.Context, url string, body []byte) (Delivery, error) {
	d := Delivery{ID: NewMessageID()}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	attempts := s.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	wait := s.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	var lastErr error
	for d.Attempts < attempts {
		if d.Attempts > 0 {
			jittered := wait/2 + rand.N(wait/2+1)
			select {
			case <-ctx.Done():
				return d, fmt.Errorf("standardwebhooks: send %s: %w (last: %v)", d.ID, ctx.Err(), lastErr)
			case <-time.After(jittered):
			}
			wait *= 2
		}
		d.Attempts++
		status, err := s.post(ctx, client, url, d.ID, body)
		d.Status = status
		if err == nil {
			return d, nil
		}
		lastErr = err
	}
	return d, fmt.Errorf("standardwebhooks: send %s: gave up after %d attempts: %w", d.ID, d.Attempts, lastErr)
}

func (s *Sender) post(ctx context.Context, client *http.Client, url, id string, body []byte) (int, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range s.Secret.Headers(id, now, body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("%s answered %s: %q", url, resp.Status, snippet)
	}
	return resp.StatusCode, nil
}
