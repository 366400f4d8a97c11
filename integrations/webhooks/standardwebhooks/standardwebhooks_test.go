package standardwebhooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dropship/integrations/internal/fixtures"
)

// fixture reads a file of the shared fixtures.
func fixture(t testing.TB, name string) []byte { return fixtures.Read(t, name) }

type vector struct {
	Secret    string `json:"secret"`
	ID        string `json:"webhook-id"`
	Timestamp string `json:"webhook-timestamp"`
	Body      string `json:"body"`
	Signature string `json:"webhook-signature"`
}

func loadVector(t *testing.T) (vector, time.Time) {
	var v vector
	if err := json.Unmarshal(fixture(t, "webhooks/standard-webhooks-vector.json"), &v); err != nil {
		t.Fatal(err)
	}
	sec, err := strconv.ParseInt(v.Timestamp, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v, time.Unix(sec, 0)
}

func (v vector) headers() http.Header {
	h := http.Header{}
	h.Set(HeaderID, v.ID)
	h.Set(HeaderTimestamp, v.Timestamp)
	h.Set(HeaderSignature, v.Signature)
	return h
}

func TestVectorSignsAndVerifies(t *testing.T) {
	t.Parallel()
	v, sent := loadVector(t)
	secret, err := ParseSecret(v.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := secret.Sign(v.ID, sent, []byte(v.Body)); got != v.Signature {
		t.Fatalf("Sign = %s, the vector says %s", got, v.Signature)
	}
	if secret.String() != v.Secret {
		t.Fatalf("secret round trip: %s != %s", secret.String(), v.Secret)
	}
	ver, err := NewVerifier(v.Secret)
	if err != nil {
		t.Fatal(err)
	}
	ver.Now = func() time.Time { return sent.Add(10 * time.Second) }
	msg, err := ver.Verify(v.headers(), []byte(v.Body))
	if err != nil {
		t.Fatalf("the vector does not verify: %v", err)
	}
	if msg.ID != v.ID || !msg.Timestamp.Equal(sent) {
		t.Fatalf("message = %+v", msg)
	}
}

func TestToleranceEdges(t *testing.T) {
	t.Parallel()
	v, sent := loadVector(t)
	cases := []struct {
		name string
		now  time.Time
		want error
	}{
		{"exactly 5 minutes late", sent.Add(5 * time.Minute), nil},
		{"5 minutes 1 second late", sent.Add(5*time.Minute + time.Second), ErrTimestampTooOld},
		{"exactly 5 minutes early", sent.Add(-5 * time.Minute), nil},
		{"5 minutes 1 second early", sent.Add(-5*time.Minute - time.Second), ErrTimestampTooNew},
		{"an hour late", sent.Add(time.Hour), ErrTimestampTooOld},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ver, err := NewVerifier(v.Secret)
			if err != nil {
				t.Fatal(err)
			}
			ver.Now = func() time.Time { return c.now }
			_, err = ver.Verify(v.headers(), []byte(v.Body))
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestRefusesTamperingAndGarbage(t *testing.T) {
	t.Parallel()
	v, sent := loadVector(t)
	ver, err := NewVerifier(v.Secret)
	if err != nil {
		t.Fatal(err)
	}
	ver.Now = func() time.Time { return sent }
	check := func(name string, h http.Header, body string, want error) {
		t.Helper()
		if _, err := ver.Verify(h, []byte(body)); !errors.Is(err, want) {
			t.Errorf("%s: Verify = %v, want %v", name, err, want)
		}
	}
	check("tampered body", v.headers(), strings.Replace(v.Body, "2432232314", "2432232315", 1), ErrNoMatchingSignature)
	check("body with a trailing newline", v.headers(), v.Body+"\n", ErrNoMatchingSignature)
	h := v.headers()
	h.Set(HeaderID, v.ID+"x")
	check("another message id", h, v.Body, ErrNoMatchingSignature)
	h = v.headers()
	h.Set(HeaderTimestamp, strconv.FormatInt(sent.Unix()+1, 10))
	ver2 := *ver
	ver2.Now = func() time.Time { return sent.Add(time.Second) }
	if _, err := ver2.Verify(h, []byte(v.Body)); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("a replayed signature with a new timestamp: %v", err)
	}
	h = v.headers()
	h.Set(HeaderSignature, "v1a,"+strings.TrimPrefix(v.Signature, "v1,"))
	check("right bytes under another scheme", h, v.Body, ErrNoMatchingSignature)
	h = v.headers()
	h.Set(HeaderSignature, "v1,not-base64!!")
	check("garbage signature", h, v.Body, ErrNoMatchingSignature)
	h = v.headers()
	h.Del(HeaderSignature)
	check("no signature header", h, v.Body, ErrMissingHeaders)
	h = v.headers()
	h.Set(HeaderTimestamp, "2021-02-25T15:02:10Z")
	check("timestamp not in seconds", h, v.Body, ErrBadTimestamp)

	other, err := NewVerifier(NewSecret().String())
	if err != nil {
		t.Fatal(err)
	}
	other.Now = ver.Now
	if _, err := other.Verify(v.headers(), []byte(v.Body)); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("another secret verified the vector: %v", err)
	}
	if _, err := ParseSecret("whsec_%%%"); err == nil {
		t.Error("a secret that is not base64 was accepted")
	}
}

func TestRotatedSecrets(t *testing.T) {
	t.Parallel()
	old, next := NewSecret(), NewSecret()
	body := []byte(`{"type":"stock.updated"}`)
	now := time.Now()

	// During rotation the sender signs with both secrets in one header.
	h := next.Headers("msg_1", now, body)
	h.Set(HeaderSignature, old.Sign("msg_1", now, body)+" "+next.Sign("msg_1", now, body))
	onlyOld, _ := NewVerifier(old.String())
	onlyNew, _ := NewVerifier(next.String())
	for name, v := range map[string]*Verifier{"old secret": onlyOld, "new secret": onlyNew} {
		if _, err := v.Verify(h, body); err != nil {
			t.Errorf("receiver with the %s refused a header carrying both signatures: %v", name, err)
		}
	}

	// A receiver that knows both secrets accepts a message signed with either.
	both, err := NewVerifier(next.String(), old.String())
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Secret{"old": old, "new": next} {
		if _, err := both.Verify(s.Headers("msg_2", now, body), body); err != nil {
			t.Errorf("signed with the %s secret: %v", name, err)
		}
	}
	// Once the old secret is dropped, messages signed with it are refused.
	if _, err := onlyNew.Verify(old.Headers("msg_3", now, body), body); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("retired secret still accepted: %v", err)
	}
}

func TestSenderRetriesWithTheSameID(t *testing.T) {
	t.Parallel()
	secret := NewSecret()
	ver, _ := NewVerifier(secret.String())
	var (
		mu       sync.Mutex
		ids      []string
		attempts atomic.Int32
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg, err := ver.Verify(r.Header, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		ids = append(ids, msg.ID)
		mu.Unlock()
		if attempts.Add(1) < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	s := &Sender{Secret: secret, Backoff: 10 * time.Millisecond}
	d, err := s.Send(context.Background(), srv.URL, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Attempts != 3 || d.Status != http.StatusNoContent {
		t.Fatalf("delivery = %+v, want 3 attempts ending in 204", d)
	}
	for _, id := range ids {
		if id != d.ID {
			t.Fatalf("retries carried ids %v, want all %s", ids, d.ID)
		}
	}
	d2, err := s.Send(context.Background(), srv.URL, []byte(`{"a":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if d2.ID == d.ID {
		t.Fatal("two deliveries share a webhook-id")
	}
}

func TestSenderGivesUpAndSaysWhy(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "signature refused", http.StatusUnauthorized)
	}))
	defer srv.Close()
	s := &Sender{Secret: NewSecret(), Attempts: 2, Backoff: time.Millisecond}
	d, err := s.Send(context.Background(), srv.URL, []byte(`{}`))
	if err == nil || d.Attempts != 2 || d.Status != http.StatusUnauthorized {
		t.Fatalf("Send = %+v, %v", d, err)
	}
	if !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "signature refused") {
		t.Fatalf("error does not say what the receiver answered: %v", err)
	}
}
