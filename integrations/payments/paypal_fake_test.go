package payments

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePayPal is a small stateful stand-in for the PayPal REST endpoints the
// gateway uses: OAuth2 client credentials, Orders v2 get and capture, capture
// refunds and verify-webhook-signature. It insists on what the real API
// insists on (Basic auth and form body for the token, a live bearer token,
// JSON bodies, PayPal-Request-Id replays, amount strings with the currency's
// decimals) and signs webhooks the way PayPal does: SHA256withRSA over
// "transmission_id|transmission_time|webhook_id|crc32(body)".
type fakePayPal struct {
	t                      *testing.T
	url                    string
	clientID, clientSecret string
	webhookID              string
	key                    *rsa.PrivateKey

	mu            sync.Mutex
	orders        map[string]*fakeOrder
	tokens        map[string]bool
	tokenRequests int
	expiresIn     int
	requestIDs    map[string]fakeStored // path + PayPal-Request-Id -> first answer
	requests      []fakePayPalRequest
	failures      []fakeFailure
	failAfter     map[string]int // path suffix -> answer 500 after doing the work, n times
	nextID        int
}

type fakeOrder struct {
	ID, Status, Intent, Currency, Value, PayerID string
	// CaptureOutcome is what a capture turns into: COMPLETED (default), PENDING,
	// DECLINED, or INSTRUMENT_DECLINED for a 422 refusal.
	CaptureOutcome string
	Captures       []*fakeCapture
}

type fakeCapture struct {
	ID, Status, Currency, Value string
	Refunded                    *big.Rat
}

type fakePayPalRequest struct {
	Method, Path, RequestID, Body string
}

// fakePayPalKeyOnce makes one RSA key for all fakes: generating one per test is slow.
var fakePayPalKeyOnce = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func fakePayPalKey(t *testing.T) *rsa.PrivateKey {
	key, err := fakePayPalKeyOnce()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newFakePayPal(t *testing.T) *fakePayPal {
	key := fakePayPalKey(t)
	f := &fakePayPal{t: t, clientID: "AbCdClientID", clientSecret: "EFgHsecret", webhookID: "1JE4291016473214C", key: key,
		orders: map[string]*fakeOrder{}, tokens: map[string]bool{}, expiresIn: 32400,
		requestIDs: map[string]fakeStored{}, failAfter: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakePayPal) config() PayPalConfig {
	return PayPalConfig{ClientID: f.clientID, ClientSecret: f.clientSecret, WebhookID: f.webhookID, Environment: PayPalSandbox, APIURL: f.url}
}

func (f *fakePayPal) addOrder(o fakeOrder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.Intent == "" {
		o.Intent = "CAPTURE"
	}
	if o.PayerID == "" {
		o.PayerID = "PAYER" + o.ID
	}
	if o.Status == "COMPLETED" && len(o.Captures) == 0 {
		o.Captures = []*fakeCapture{{ID: "CAP" + o.ID, Status: "COMPLETED", Currency: o.Currency, Value: o.Value, Refunded: new(big.Rat)}}
	}
	f.orders[o.ID] = &o
}

func (f *fakePayPal) order(id string) fakeOrder {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.orders[id]
}

func (f *fakePayPal) revokeTokens() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

func (f *fakePayPal) tokenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenRequests
}

func (f *fakePayPal) fail(method, suffix string, n int) {
	f.mu.Lock()
	f.failures = append(f.failures, fakeFailure{method: method, suffix: suffix, n: n})
	f.mu.Unlock()
}

// failAfterWork makes the next n requests to paths ending in suffix do their
// work and then answer 500, like an answer lost on the way back.
func (f *fakePayPal) failAfterWork(suffix string, n int) {
	f.mu.Lock()
	f.failAfter[suffix] = n
	f.mu.Unlock()
}

func (f *fakePayPal) seen(method, suffix string) []fakePayPalRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakePayPalRequest
	for _, r := range f.requests {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakePayPal) certURL() string {
	return f.url + "/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270"
}

// signWebhook returns the headers PayPal would send with body.
func (f *fakePayPal) signWebhook(body []byte, transmissionID string, at time.Time) http.Header {
	ts := at.UTC().Format(time.RFC3339)
	msg := fmt.Sprintf("%s|%s|%s|%d", transmissionID, ts, f.webhookID, crc32.ChecksumIEEE(body))
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, sum[:])
	if err != nil {
		f.t.Fatal(err)
	}
	h := http.Header{}
	h.Set("PAYPAL-TRANSMISSION-ID", transmissionID)
	h.Set("PAYPAL-TRANSMISSION-TIME", ts)
	h.Set("PAYPAL-TRANSMISSION-SIG", base64.StdEncoding.EncodeToString(sig))
	h.Set("PAYPAL-CERT-URL", f.certURL())
	h.Set("PAYPAL-AUTH-ALGO", "SHA256withRSA")
	return h
}

func paypalIssue(status int, name, issue, description string) (int, any) {
	return status, map[string]any{"name": name, "message": description, "debug_id": "f00dfeed",
		"details": []map[string]string{{"issue": issue, "description": description}}}
}

func (f *fakePayPal) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	req := fakePayPalRequest{Method: r.Method, Path: r.URL.Path, RequestID: r.Header.Get("PayPal-Request-Id"), Body: string(raw)}
	f.requests = append(f.requests, req)
	reply := func(status int, v any) []byte {
		b, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Paypal-Debug-Id", "f00dfeed")
		w.WriteHeader(status)
		_, _ = w.Write(b)
		return b
	}
	if fl := f.failure(r); fl != nil {
		reply(paypalIssue(500, "INTERNAL_SERVER_ERROR", "INTERNAL_SERVICE_ERROR", "An internal service error has occurred."))
		return
	}
	if r.URL.Path == "/v1/oauth2/token" {
		reply(f.token(r, raw))
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || !f.tokens[strings.TrimPrefix(auth, "Bearer ")] {
		reply(401, map[string]string{"error": "invalid_token", "error_description": "Token signature verification failed"})
		return
	}
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			reply(paypalIssue(415, "UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_MEDIA_TYPE", "Content-Type "+ct))
			return
		}
		if !json.Valid(raw) {
			reply(paypalIssue(400, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed."))
			return
		}
	}
	idemKey := ""
	if r.Method == http.MethodPost && !strings.HasPrefix(r.URL.Path, "/v1/notifications/") {
		if req.RequestID == "" {
			f.t.Errorf("fake paypal: POST %s without PayPal-Request-Id", r.URL.Path)
		}
		idemKey = r.URL.Path + "|" + req.RequestID
		if prev, ok := f.requestIDs[idemKey]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(prev.status)
			_, _ = w.Write(prev.body)
			return
		}
	}
	status, body := f.route(r, raw)
	for suffix, n := range f.failAfter {
		if n > 0 && strings.HasSuffix(r.URL.Path, suffix) {
			f.failAfter[suffix] = n - 1
			if idemKey != "" {
				b, _ := json.Marshal(body)
				f.requestIDs[idemKey] = fakeStored{status: status, body: b}
			}
			reply(paypalIssue(500, "INTERNAL_SERVER_ERROR", "INTERNAL_SERVICE_ERROR", "An internal service error has occurred."))
			return
		}
	}
	b := reply(status, body)
	if idemKey != "" && status < 500 {
		f.requestIDs[idemKey] = fakeStored{status: status, body: b}
	}
}

func (f *fakePayPal) failure(r *http.Request) *fakeFailure {
	for i := range f.failures {
		fl := &f.failures[i]
		if fl.n > 0 && (fl.method == "" || fl.method == r.Method) && strings.HasSuffix(r.URL.Path, fl.suffix) {
			fl.n--
			return fl
		}
	}
	return nil
}

func (f *fakePayPal) token(r *http.Request, raw []byte) (int, any) {
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != f.clientID || secret != f.clientSecret {
		return 401, map[string]string{"error": "invalid_client", "error_description": "Client Authentication failed"}
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" || string(raw) != "grant_type=client_credentials" {
		return 400, map[string]string{"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"}
	}
	f.tokenRequests++
	tok := fmt.Sprintf("A21AAfake%d", f.tokenRequests)
	f.tokens[tok] = true
	return 200, map[string]any{"scope": "https://uri.paypal.com/services/payments/payment", "access_token": tok,
		"token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": f.expiresIn, "nonce": "2026-11-27T10:00:00Z"}
}

var (
	fakeOrderPath   = regexp.MustCompile(`^/v2/checkout/orders/([^/]+)$`)
	fakeCapturePath = regexp.MustCompile(`^/v2/checkout/orders/([^/]+)/capture$`)
	fakeRefundPath  = regexp.MustCompile(`^/v2/payments/captures/([^/]+)/refund$`)
)

func (f *fakePayPal) route(r *http.Request, raw []byte) (int, any) {
	notFound := func() (int, any) {
		return paypalIssue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.")
	}
	switch {
	case r.Method == http.MethodGet && fakeOrderPath.MatchString(r.URL.Path):
		o, ok := f.orders[fakeOrderPath.FindStringSubmatch(r.URL.Path)[1]]
		if !ok {
			return notFound()
		}
		return 200, o.json()
	case r.Method == http.MethodPost && fakeCapturePath.MatchString(r.URL.Path):
		o, ok := f.orders[fakeCapturePath.FindStringSubmatch(r.URL.Path)[1]]
		if !ok {
			return notFound()
		}
		if r.Header.Get("Prefer") != "return=representation" {
			f.t.Errorf("fake paypal: capture without Prefer: return=representation")
		}
		switch {
		case o.Status == "COMPLETED":
			return paypalIssue(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED", "Order already captured.")
		case o.Status != "APPROVED":
			return paypalIssue(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment.")
		case o.Intent != "CAPTURE":
			return paypalIssue(422, "UNPROCESSABLE_ENTITY", "ACTION_DOES_NOT_MATCH_INTENT", "Order was created with an intent of AUTHORIZE.")
		case o.CaptureOutcome == "INSTRUMENT_DECLINED":
			return paypalIssue(422, "UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED", "The instrument presented was either declined by the processor or bank.")
		}
		outcome := o.CaptureOutcome
		if outcome == "" {
			outcome = "COMPLETED"
		}
		f.nextID++
		o.Status = "COMPLETED"
		o.Captures = append(o.Captures, &fakeCapture{ID: fmt.Sprintf("CAP%d%s", f.nextID, o.ID), Status: outcome,
			Currency: o.Currency, Value: o.Value, Refunded: new(big.Rat)})
		return 201, o.json()
	case r.Method == http.MethodPost && fakeRefundPath.MatchString(r.URL.Path):
		return f.refund(fakeRefundPath.FindStringSubmatch(r.URL.Path)[1], raw)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/notifications/verify-webhook-signature":
		return f.verifyWebhook(raw)
	}
	return notFound()
}

// fakeDecimals is PayPal's rule for amount strings, written apart from the
// code under test: no decimals for HUF, JPY, TWD; two for the rest it supports.
func fakeDecimals(currency string) (int, bool) {
	switch currency {
	case "HUF", "JPY", "TWD":
		return 0, true
	case "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "MXN", "BRL":
		return 2, true
	}
	return 0, false
}

var fakeValue = regexp.MustCompile(`^\d{1,10}(\.\d+)?$`)

func fakeParseValue(value, currency string) (*big.Rat, bool) {
	dec, ok := fakeDecimals(currency)
	if !ok || !fakeValue.MatchString(value) {
		return nil, false
	}
	if _, frac, hasPoint := strings.Cut(value, "."); hasPoint && len(frac) > dec {
		return nil, false
	}
	v, ok := new(big.Rat).SetString(value)
	return v, ok
}

func (f *fakePayPal) refund(captureID string, raw []byte) (int, any) {
	var capture *fakeCapture
	for _, o := range f.orders {
		for _, c := range o.Captures {
			if c.ID == captureID {
				capture = c
			}
		}
	}
	if capture == nil {
		return paypalIssue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
	}
	var body struct {
		Amount *paypalAmount `json:"amount"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Amount == nil {
		return paypalIssue(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "amount is required here")
	}
	if body.Amount.CurrencyCode != capture.Currency {
		return paypalIssue(422, "UNPROCESSABLE_ENTITY", "REFUND_CAPTURE_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture.")
	}
	amount, ok := fakeParseValue(body.Amount.Value, body.Amount.CurrencyCode)
	if !ok || amount.Sign() <= 0 {
		return paypalIssue(422, "UNPROCESSABLE_ENTITY", "DECIMAL_PRECISION", "The value field has too many decimals for "+body.Amount.CurrencyCode)
	}
	total, _ := new(big.Rat).SetString(capture.Value)
	left := new(big.Rat).Sub(total, capture.Refunded)
	if capture.Status != "COMPLETED" && capture.Status != "PARTIALLY_REFUNDED" {
		return paypalIssue(422, "UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.")
	}
	if amount.Cmp(left) > 0 {
		return paypalIssue(422, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
	}
	capture.Refunded.Add(capture.Refunded, amount)
	capture.Status = "PARTIALLY_REFUNDED"
	if capture.Refunded.Cmp(total) == 0 {
		capture.Status = "REFUNDED"
	}
	f.nextID++
	return 201, map[string]any{"id": fmt.Sprintf("RF%d", f.nextID), "status": "COMPLETED", "amount": body.Amount,
		"links": []map[string]string{{"rel": "up", "href": f.url + "/v2/payments/captures/" + captureID}}}
}

func (f *fakePayPal) verifyWebhook(raw []byte) (int, any) {
	var req struct {
		AuthAlgo         string          `json:"auth_algo"`
		CertURL          string          `json:"cert_url"`
		TransmissionID   string          `json:"transmission_id"`
		TransmissionSig  string          `json:"transmission_sig"`
		TransmissionTime string          `json:"transmission_time"`
		WebhookID        string          `json:"webhook_id"`
		WebhookEvent     json.RawMessage `json:"webhook_event"` // the exact bytes sent
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return paypalIssue(400, "VALIDATION_ERROR", "INVALID_JSON", err.Error())
	}
	if req.AuthAlgo == "" || req.CertURL == "" || req.TransmissionID == "" || req.TransmissionSig == "" ||
		req.TransmissionTime == "" || req.WebhookID == "" || len(req.WebhookEvent) == 0 || req.WebhookEvent[0] != '{' {
		return paypalIssue(400, "VALIDATION_ERROR", "MISSING_REQUIRED_PARAMETER", "Invalid data provided")
	}
	failure := map[string]string{"verification_status": "FAILURE"}
	if req.AuthAlgo != "SHA256withRSA" || req.CertURL != f.certURL() {
		return 200, failure
	}
	sig, err := base64.StdEncoding.DecodeString(req.TransmissionSig)
	if err != nil {
		return 200, failure
	}
	msg := fmt.Sprintf("%s|%s|%s|%d", req.TransmissionID, req.TransmissionTime, req.WebhookID, crc32.ChecksumIEEE(req.WebhookEvent))
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(&f.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return 200, failure
	}
	return 200, map[string]string{"verification_status": "SUCCESS"}
}

func (o *fakeOrder) json() map[string]any {
	pu := map[string]any{"reference_id": "default", "amount": map[string]string{"currency_code": o.Currency, "value": o.Value}}
	if len(o.Captures) > 0 {
		var caps []map[string]any
		for _, c := range o.Captures {
			cm := map[string]any{"id": c.ID, "status": c.Status, "amount": map[string]string{"currency_code": c.Currency, "value": c.Value},
				"final_capture": true}
			if c.Status == "DECLINED" {
				cm["status_details"] = map[string]string{"reason": "DECLINED_BY_RISK_FRAUD_FILTERS"}
			}
			if c.Status == "PENDING" {
				cm["status_details"] = map[string]string{"reason": "ECHECK"}
			}
			caps = append(caps, cm)
		}
		pu["payments"] = map[string]any{"captures": caps}
	}
	return map[string]any{"id": o.ID, "intent": o.Intent, "status": o.Status, "purchase_units": []any{pu},
		"payer": map[string]any{"payer_id": o.PayerID, "email_address": "buyer@example.com"},
		"links": []map[string]string{{"rel": "self", "href": "/v2/checkout/orders/" + o.ID, "method": "GET"}}}
}
