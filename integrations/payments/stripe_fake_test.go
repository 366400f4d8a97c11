package payments

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// fakeStripe is a small stateful stand-in for the few Stripe endpoints the
// gateway uses (retrieve, capture and cancel an intent; create a refund). It
// checks what the real API insists on (secret key, API version, form bodies,
// idempotency keys: same key and body replays, same key other body is refused)
// and moves intents through Stripe's states, which stripe-mock can't.
type fakeStripe struct {
	t   *testing.T
	key string

	mu       sync.Mutex
	intents  map[string]*fakeIntent
	idem     map[string]fakeStored
	failures []fakeFailure
	requests []fakeStripeRequest
	nextID   int
}

type fakeIntent struct {
	ID, Status, Currency, CaptureMethod string
	Amount, Capturable, Received        int64
	ChargeID, Fingerprint               string
	Refunded                            int64
	ErrMessage, ErrCode, DeclineCode    string
	CancellationReason                  string
}

// fakeFailure answers the next n requests matching method and path suffix
// (empty matches any) with Stripe's JSON 500, or with a proxy's HTML 503.
type fakeFailure struct {
	method, suffix string
	n              int
	html           bool
}

type fakeStored struct {
	bodyHash [32]byte
	status   int
	body     []byte
}

type fakeStripeRequest struct {
	Method, Path, IdempotencyKey string
	Form                         url.Values
}

func newFakeStripe(t *testing.T) (*fakeStripe, *httptest.Server) {
	f := &fakeStripe{t: t, key: "sk_test_fake", intents: map[string]*fakeIntent{}, idem: map[string]fakeStored{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

// addIntent stores an intent; amount is in Stripe's units, currency lower case.
func (f *fakeStripe) addIntent(in fakeIntent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.CaptureMethod == "" {
		in.CaptureMethod = "automatic"
	}
	switch in.Status {
	case "succeeded":
		if in.Received == 0 {
			in.Received = in.Amount
		}
	case "requires_capture":
		in.CaptureMethod = "manual"
		if in.Capturable == 0 {
			in.Capturable = in.Amount
		}
	}
	if in.ChargeID == "" && (in.Status == "succeeded" || in.Status == "requires_capture" || in.ErrCode != "") {
		in.ChargeID = "ch_" + strings.TrimPrefix(in.ID, "pi_")
		if in.Fingerprint == "" {
			in.Fingerprint = "fp" + strings.TrimPrefix(in.ID, "pi_")
		}
	}
	f.intents[in.ID] = &in
}

func (f *fakeStripe) intent(id string) fakeIntent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.intents[id]
}

// fail makes the next n requests matching method and path suffix fail.
func (f *fakeStripe) fail(method, suffix string, n int, html bool) {
	f.mu.Lock()
	f.failures = append(f.failures, fakeFailure{method, suffix, n, html})
	f.mu.Unlock()
}

func (f *fakeStripe) failure(r *http.Request) *fakeFailure {
	for i := range f.failures {
		fl := &f.failures[i]
		if fl.n > 0 && (fl.method == "" || fl.method == r.Method) && strings.HasSuffix(r.URL.Path, fl.suffix) {
			fl.n--
			return fl
		}
	}
	return nil
}

// seen returns the requests received so far whose path ends with suffix.
func (f *fakeStripe) seen(method, suffix string) []fakeStripeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeStripeRequest
	for _, r := range f.requests {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

func stripeErrorBody(typ, code, msg string) map[string]any {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	return map[string]any{"error": e}
}

func (f *fakeStripe) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reply := func(status int, v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			f.t.Errorf("fake stripe: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_fake")
		w.WriteHeader(status)
		_, _ = w.Write(b)
		return b
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		reply(401, stripeErrorBody("invalid_request_error", "", "Invalid API Key provided"))
		return
	}
	if v := r.Header.Get("Stripe-Version"); v != stripe.APIVersion {
		reply(400, stripeErrorBody("invalid_request_error", "", "Invalid Stripe API version: "+v))
		return
	}
	if err := r.ParseForm(); err != nil {
		reply(400, stripeErrorBody("invalid_request_error", "", err.Error()))
		return
	}
	req := fakeStripeRequest{Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key"), Form: r.Form}
	f.requests = append(f.requests, req)
	if fl := f.failure(r); fl != nil {
		if fl.html {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("<html><body>503 Service Temporarily Unavailable</body></html>"))
			return
		}
		reply(500, stripeErrorBody("api_error", "", "An unknown error occurred"))
		return
	}

	var bodyHash [32]byte
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			reply(400, stripeErrorBody("invalid_request_error", "", "bad content type "+ct))
			return
		}
		if req.IdempotencyKey == "" {
			f.t.Errorf("fake stripe: POST %s without Idempotency-Key", r.URL.Path)
		}
		bodyHash = sha256.Sum256([]byte(r.URL.Path + "?" + r.PostForm.Encode()))
		if prev, ok := f.idem[req.IdempotencyKey]; ok {
			if prev.bodyHash != bodyHash {
				reply(400, stripeErrorBody("idempotency_error", "",
					"Keys for idempotent requests can only be used with the same parameters they were first used with."))
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(prev.status)
			_, _ = w.Write(prev.body)
			return
		}
	}
	status, body := f.route(r)
	b := reply(status, body)
	if r.Method == http.MethodPost {
		f.idem[req.IdempotencyKey] = fakeStored{bodyHash: bodyHash, status: status, body: b}
	}
}

func (f *fakeStripe) route(r *http.Request) (int, any) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	notFound := func(kind, id string) (int, any) {
		return 404, stripeErrorBody("invalid_request_error", "resource_missing", fmt.Sprintf("No such %s: '%s'", kind, id))
	}
	unexpected := func(pi *fakeIntent, action string) (int, any) {
		return 400, stripeErrorBody("invalid_request_error", "payment_intent_unexpected_state",
			fmt.Sprintf("This PaymentIntent could not be %s because it has a status of %s.", action, pi.Status))
	}
	expand := r.Form["expand[0]"]
	expanded := len(expand) == 1 && expand[0] == "latest_charge"
	switch {
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "payment_intents":
		pi, ok := f.intents[parts[1]]
		if !ok {
			return notFound("payment_intent", parts[1])
		}
		return 200, pi.json(expanded)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "payment_intents" && parts[2] == "capture":
		pi, ok := f.intents[parts[1]]
		if !ok {
			return notFound("payment_intent", parts[1])
		}
		if pi.Status != "requires_capture" {
			return unexpected(pi, "captured")
		}
		amount := pi.Capturable
		if s := r.PostForm.Get("amount_to_capture"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 || n > pi.Capturable {
				return 400, stripeErrorBody("invalid_request_error", "amount_too_large", "amount_to_capture must be at most "+strconv.FormatInt(pi.Capturable, 10))
			}
			amount = n
		}
		pi.Status, pi.Received, pi.Capturable = "succeeded", amount, 0
		return 200, pi.json(expanded)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "payment_intents" && parts[2] == "cancel":
		pi, ok := f.intents[parts[1]]
		if !ok {
			return notFound("payment_intent", parts[1])
		}
		if pi.Status == "succeeded" || pi.Status == "canceled" {
			return unexpected(pi, "canceled")
		}
		pi.Status, pi.Capturable = "canceled", 0
		pi.CancellationReason = r.PostForm.Get("cancellation_reason")
		return 200, pi.json(expanded)
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "refunds":
		id := r.PostForm.Get("payment_intent")
		pi, ok := f.intents[id]
		if !ok {
			return notFound("payment_intent", id)
		}
		if pi.Status != "succeeded" {
			return 400, stripeErrorBody("invalid_request_error", "", "This PaymentIntent does not have a successful charge to refund.")
		}
		remaining := pi.Received - pi.Refunded
		if remaining == 0 {
			return 400, stripeErrorBody("invalid_request_error", "charge_already_refunded", "Charge "+pi.ChargeID+" has already been refunded.")
		}
		amount := remaining
		if s := r.PostForm.Get("amount"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				return 400, stripeErrorBody("invalid_request_error", "", "Invalid positive integer")
			}
			if n > remaining {
				return 400, stripeErrorBody("invalid_request_error", "amount_too_large",
					fmt.Sprintf("Refund amount (%d) is greater than unrefunded amount on charge (%d)", n, remaining))
			}
			amount = n
		}
		pi.Refunded += amount
		f.nextID++
		return 200, map[string]any{"id": fmt.Sprintf("re_fake%d", f.nextID), "object": "refund", "amount": amount,
			"currency": pi.Currency, "status": "succeeded", "payment_intent": pi.ID, "charge": pi.ChargeID}
	}
	return 404, stripeErrorBody("invalid_request_error", "", "Unrecognized request URL ("+r.Method+": "+r.URL.Path+")")
}

func (pi *fakeIntent) json(expandCharge bool) map[string]any {
	out := map[string]any{"id": pi.ID, "object": "payment_intent", "amount": pi.Amount,
		"amount_capturable": pi.Capturable, "amount_received": pi.Received, "currency": pi.Currency,
		"status": pi.Status, "capture_method": pi.CaptureMethod, "latest_charge": nil, "last_payment_error": nil,
		"cancellation_reason": nil}
	if pi.CancellationReason != "" {
		out["cancellation_reason"] = pi.CancellationReason
	}
	if pi.ErrCode != "" {
		out["last_payment_error"] = map[string]any{"type": "card_error", "code": pi.ErrCode,
			"decline_code": pi.DeclineCode, "message": pi.ErrMessage}
	}
	if pi.ChargeID != "" {
		if !expandCharge {
			out["latest_charge"] = pi.ChargeID
		} else {
			out["latest_charge"] = map[string]any{"id": pi.ChargeID, "object": "charge", "amount": pi.Amount,
				"amount_captured": pi.Received, "amount_refunded": pi.Refunded, "refunded": pi.Received > 0 && pi.Refunded == pi.Received,
				"currency": pi.Currency, "payment_intent": pi.ID,
				"payment_method_details": map[string]any{"type": "card",
					"card": map[string]any{"brand": "visa", "last4": "4242", "fingerprint": pi.Fingerprint}}}
		}
	}
	return out
}
