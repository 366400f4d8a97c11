package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// PayPal verifies, captures and refunds PayPal Orders v2 payments. It is our
// own small client (no PayPal Go SDK is available): OAuth2 client credentials,
// the token cached until shortly before it expires and fetched anew on a 401.
type PayPal struct {
	cfg  PayPalConfig
	base string
	http *http.Client
	now  func() time.Time

	mu          sync.Mutex // guards the token; held while fetching one so concurrent calls share it
	token       string
	tokenExpiry time.Time
}

var _ Gateway = (*PayPal)(nil)

// NewPayPal builds the PayPal gateway; httpClient nil means one with a 30 s timeout.
func NewPayPal(cfg PayPalConfig, httpClient *http.Client) (*PayPal, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("payments: paypal: %w", err)
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &PayPal{cfg: cfg, base: cfg.BaseURL(), http: httpClient, now: time.Now}, nil
}

// Provider returns ProviderPayPal.
func (p *PayPal) Provider() string { return ProviderPayPal }

// Verify accepts an order the buyer approved (authorized, to capture) or one
// captured already, for exactly want. An order whose capture is still PENDING
// at PayPal (e.g. an eCheck) is accepted with StatusPending: the money follows
// with a PAYMENT.CAPTURE.COMPLETED webhook.
func (p *PayPal) Verify(ctx context.Context, reference string, want Money) (Payment, error) {
	o, err := p.getOrder(ctx, reference)
	if err != nil {
		return Payment{Provider: ProviderPayPal, Reference: reference}, err
	}
	pay, err := paypalPayment(o)
	if err != nil {
		return pay, err
	}
	switch {
	case pay.Status == StatusAuthorized, pay.Status == StatusCaptured:
	case pay.Status == StatusPending && strings.HasPrefix(pay.ProviderStatus, "COMPLETED/"):
	case pay.Status == StatusRefunded:
		return pay, p.declined(reference, CodeRefunded, "the capture was refunded")
	default:
		return pay, p.declined(reference, CodeNotPaid, paypalStatusReason(pay))
	}
	return pay, checkAmount(ProviderPayPal, reference, pay.Amount, want)
}

// Capture captures an approved order. PayPal captures orders whole, so amount
// must be the order's amount. An order already captured is returned as it is.
func (p *PayPal) Capture(ctx context.Context, reference string, amount Money, idempotencyKey string) (Payment, error) {
	if idempotencyKey == "" {
		return Payment{}, errors.New("payments: paypal capture: idempotency key required")
	}
	o, err := p.getOrder(ctx, reference)
	if err != nil {
		return Payment{Provider: ProviderPayPal, Reference: reference}, err
	}
	pay, err := paypalPayment(o)
	if err != nil {
		return pay, err
	}
	if err := checkAmount(ProviderPayPal, reference, pay.Amount, amount); err != nil {
		return pay, err
	}
	if pay.Status == StatusAuthorized {
		captured, err := p.capture(ctx, reference, idempotencyKey)
		var pe *paypalError
		if errors.As(err, &pe) && pe.hasIssue("ORDER_ALREADY_CAPTURED") {
			// Captured meanwhile (another instance, a lost answer): take PayPal's state.
			captured, err = p.getOrder(ctx, reference)
		}
		if err != nil {
			return pay, p.apiError("capture order", reference, err)
		}
		if pay, err = paypalPayment(captured); err != nil {
			return pay, err
		}
	}
	switch {
	case pay.Status == StatusCaptured:
		return pay, nil
	case pay.Status == StatusPending && strings.HasPrefix(pay.ProviderStatus, "COMPLETED/"):
		return pay, nil // captured, PayPal still clearing it: the money follows by webhook
	case pay.Status == StatusFailed:
		return pay, p.declined(reference, CodeDeclined, paypalStatusReason(pay))
	case pay.Status == StatusRefunded:
		return pay, p.declined(reference, CodeRefunded, paypalStatusReason(pay))
	}
	return pay, p.declined(reference, CodeNotPaid, paypalStatusReason(pay))
}

// Refund refunds amount of the order's capture. An order that was approved
// but never captured has taken nothing: for its full amount there is nothing
// to do (it expires at PayPal) and the refund is reported done.
func (p *PayPal) Refund(ctx context.Context, reference string, amount Money, idempotencyKey string) (Payment, error) {
	if idempotencyKey == "" {
		return Payment{}, errors.New("payments: paypal refund: idempotency key required")
	}
	o, err := p.getOrder(ctx, reference)
	if err != nil {
		return Payment{Provider: ProviderPayPal, Reference: reference}, err
	}
	pay, err := paypalPayment(o)
	if err != nil {
		return pay, err
	}
	if pay.Amount.Currency != amount.Currency {
		return pay, checkAmount(ProviderPayPal, reference, pay.Amount, amount)
	}
	value, err := formatPayPalAmount(amount)
	if err != nil {
		return pay, err
	}
	if amount.AmountCents <= 0 {
		return pay, fmt.Errorf("payments: paypal refund %s: amount %s must be positive", reference, amount)
	}
	if pay.Status == StatusAuthorized || o.Status == "APPROVED" {
		if amount != pay.Amount {
			return pay, fmt.Errorf("payments: paypal refund %s: %s of an uncaptured %s: PayPal captures orders whole", reference, amount, pay.Amount)
		}
		pay.Status, pay.ProviderStatus = StatusRefunded, "APPROVED (never captured)"
		return pay, nil
	}
	var refundable []paypalCapture
	for _, c := range o.captures() {
		if c.Status == "COMPLETED" || c.Status == "PARTIALLY_REFUNDED" {
			refundable = append(refundable, c)
		}
	}
	switch len(refundable) {
	case 0:
		return pay, p.declined(reference, CodeNotPaid, "nothing captured to refund: "+paypalStatusReason(pay))
	case 1:
	default:
		return pay, fmt.Errorf("payments: paypal refund %s: the order has %d captures; refund each on its own", reference, len(refundable))
	}
	r, err := p.refund(ctx, refundable[0].ID, value, amount.Currency, idempotencyKey)
	if err != nil {
		return pay, p.apiError("refund capture", reference, err)
	}
	pay.Amount, pay.RefundID, pay.TransactionID = amount, r.ID, refundable[0].ID
	pay.ProviderStatus = r.Status
	switch r.Status {
	case "COMPLETED":
		pay.Status = StatusRefunded
	case "PENDING":
		pay.Status = StatusRefundPending
	default:
		if r.StatusDetails != nil {
			pay.FailureReason = r.StatusDetails.Reason
		}
		return pay, p.declined(reference, CodeDeclined, "refund "+r.Status+" "+pay.FailureReason)
	}
	return pay, nil
}

// PayPal's JSON shapes, the fields we use.

type paypalAmount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

type paypalStatusDetails struct {
	Reason string `json:"reason"`
}

type paypalCapture struct {
	ID            string               `json:"id"`
	Status        string               `json:"status"`
	Amount        paypalAmount         `json:"amount"`
	StatusDetails *paypalStatusDetails `json:"status_details"`
}

type paypalOrder struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Intent        string `json:"intent"`
	PurchaseUnits []struct {
		Amount   paypalAmount `json:"amount"`
		Payments *struct {
			Captures []paypalCapture `json:"captures"`
		} `json:"payments"`
	} `json:"purchase_units"`
	Payer *struct {
		PayerID string `json:"payer_id"`
		Address *struct {
			CountryCode string `json:"country_code"`
		} `json:"address"`
	} `json:"payer"`
}

func (o *paypalOrder) captures() []paypalCapture {
	var out []paypalCapture
	for _, pu := range o.PurchaseUnits {
		if pu.Payments != nil {
			out = append(out, pu.Payments.Captures...)
		}
	}
	return out
}

type paypalRefund struct {
	ID            string               `json:"id"`
	Status        string               `json:"status"`
	StatusDetails *paypalStatusDetails `json:"status_details"`
}

// paypalPayment maps an order to a Payment; the amount is the sum of its
// purchase units, which must share one currency.
func paypalPayment(o *paypalOrder) (Payment, error) {
	pay := Payment{Provider: ProviderPayPal, Reference: o.ID, ProviderStatus: o.Status}
	if o.Payer != nil {
		pay.Fingerprint = o.Payer.PayerID
		if o.Payer.Address != nil {
			pay.Country = o.Payer.Address.CountryCode
		}
	}
	if len(o.PurchaseUnits) == 0 {
		return pay, fmt.Errorf("payments: paypal order %s has no purchase units", o.ID)
	}
	for i, pu := range o.PurchaseUnits {
		n, err := ParseAmount(pu.Amount.Value, pu.Amount.CurrencyCode)
		if err != nil {
			return pay, &DeclinedError{Provider: ProviderPayPal, Reference: o.ID, Code: CodeCurrencyMismatch,
				Reason: fmt.Sprintf("purchase unit %d: %v", i, err)}
		}
		if i > 0 && pu.Amount.CurrencyCode != pay.Amount.Currency {
			return pay, &DeclinedError{Provider: ProviderPayPal, Reference: o.ID, Code: CodeCurrencyMismatch,
				Reason: "purchase units in several currencies"}
		}
		pay.Amount.Currency = pu.Amount.CurrencyCode
		pay.Amount.AmountCents += n
	}
	switch o.Status {
	case "APPROVED":
		pay.Status = StatusAuthorized
	case "COMPLETED":
		pay.Status = StatusFailed
		// With several captures the best one tells: completed, else refunded, else pending.
		rank := map[string]int{"COMPLETED": 4, "PARTIALLY_REFUNDED": 3, "REFUNDED": 3, "PENDING": 2}
		best := -1
		for _, c := range o.captures() {
			if rank[c.Status] <= best {
				continue
			}
			best = rank[c.Status]
			pay.TransactionID = c.ID
			pay.ProviderStatus = "COMPLETED/" + c.Status
			pay.FailureReason = ""
			switch c.Status {
			case "COMPLETED":
				pay.Status = StatusCaptured
			case "PARTIALLY_REFUNDED", "REFUNDED":
				pay.Status = StatusRefunded
			case "PENDING":
				pay.Status = StatusPending
			default: // DECLINED, FAILED
				if c.StatusDetails != nil {
					pay.FailureReason = c.StatusDetails.Reason
				}
			}
		}
	case "VOIDED":
		pay.Status = StatusFailed
		pay.FailureReason = "voided"
	default: // CREATED, SAVED, PAYER_ACTION_REQUIRED
		pay.Status = StatusPending
	}
	if o.Intent != "" && o.Intent != "CAPTURE" && pay.Status == StatusAuthorized {
		// An AUTHORIZE order needs authorize-then-capture calls we don't make.
		pay.Status = StatusPending
		pay.FailureReason = "intent " + o.Intent + " is not supported: create PayPal orders with intent CAPTURE"
	}
	return pay, nil
}

func paypalStatusReason(p Payment) string {
	if p.FailureReason != "" {
		return "status " + p.ProviderStatus + ": " + p.FailureReason
	}
	return "status " + p.ProviderStatus
}

func (p *PayPal) declined(reference, code, reason string) *DeclinedError {
	return &DeclinedError{Provider: ProviderPayPal, Reference: reference, Code: code, Reason: reason}
}

// The calls to PayPal.

func (p *PayPal) getOrder(ctx context.Context, reference string) (*paypalOrder, error) {
	if err := CheckReference(ProviderPayPal, reference); err != nil {
		return nil, p.declined(reference, CodeNotFound, err.Error())
	}
	var o paypalOrder
	if err := p.call(ctx, http.MethodGet, "/v2/checkout/orders/"+reference, nil, "", &o); err != nil {
		return nil, p.apiError("get order", reference, err)
	}
	return &o, nil
}

// capture returns the raw error so Capture can look at PayPal's issue codes.
func (p *PayPal) capture(ctx context.Context, reference, idempotencyKey string) (*paypalOrder, error) {
	var o paypalOrder
	if err := p.call(ctx, http.MethodPost, "/v2/checkout/orders/"+reference+"/capture", []byte("{}"), idempotencyKey, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func (p *PayPal) refund(ctx context.Context, captureID, value, currency, idempotencyKey string) (*paypalRefund, error) {
	body, err := json.Marshal(map[string]paypalAmount{"amount": {CurrencyCode: currency, Value: value}})
	if err != nil {
		return nil, err
	}
	var r paypalRefund
	if err := p.call(ctx, http.MethodPost, "/v2/payments/captures/"+url.PathEscape(captureID)+"/refund", body, idempotencyKey, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// paypalError is an error answer of PayPal's REST API.
type paypalError struct {
	StatusCode int
	Name       string `json:"name"`
	Message    string `json:"message"`
	DebugID    string `json:"debug_id"`
	Details    []struct {
		Issue       string `json:"issue"`
		Description string `json:"description"`
	} `json:"details"`
	// OAuth errors use other names.
	OAuthError       string `json:"error"`
	OAuthDescription string `json:"error_description"`
}

func (e *paypalError) Error() string {
	var issues []string
	for _, d := range e.Details {
		issues = append(issues, d.Issue+": "+d.Description)
	}
	msg := firstNonEmpty(strings.TrimSpace(e.Name+" "+e.Message), strings.TrimSpace(e.OAuthError+" "+e.OAuthDescription))
	if len(issues) > 0 {
		msg += " [" + strings.Join(issues, "; ") + "]"
	}
	if e.DebugID != "" {
		msg += " debug_id=" + e.DebugID
	}
	return fmt.Sprintf("HTTP %d %s", e.StatusCode, strings.TrimSpace(msg))
}

func (e *paypalError) hasIssue(issue string) bool {
	for _, d := range e.Details {
		if d.Issue == issue {
			return true
		}
	}
	return false
}

// apiError sorts an error of call into declined, temporary or other.
func (p *PayPal) apiError(op, reference string, err error) error {
	var pe *paypalError
	var te *TemporaryError
	switch {
	case errors.As(err, &te):
		return err
	case !errors.As(err, &pe):
		return fmt.Errorf("payments: paypal %s %s: %w", op, reference, err)
	case pe.StatusCode >= 500 || pe.StatusCode == http.StatusTooManyRequests:
		return &TemporaryError{Provider: ProviderPayPal, Op: op, StatusCode: pe.StatusCode, Err: pe}
	case pe.StatusCode == http.StatusNotFound:
		return p.declined(reference, CodeNotFound, pe.Error())
	case pe.StatusCode == http.StatusUnprocessableEntity:
		// Business refusals: INSTRUMENT_DECLINED, ORDER_NOT_APPROVED, REFUND_AMOUNT_EXCEEDED, ...
		return p.declined(reference, CodeDeclined, pe.Error())
	}
	return fmt.Errorf("payments: paypal %s %s: %w", op, reference, err)
}

// call sends one API request with a bearer token; on a 401 it fetches a new
// token and tries once more. idempotencyKey goes out as PayPal-Request-Id.
func (p *PayPal) call(ctx context.Context, method, path string, body []byte, idempotencyKey string, out any) error {
	for attempt := 0; ; attempt++ {
		token, err := p.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, p.base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Prefer", "return=representation")
		}
		if idempotencyKey != "" {
			req.Header.Set("PayPal-Request-Id", idempotencyKey)
		}
		status, respBody, err := p.send(req, path)
		if err != nil {
			return err
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			p.dropToken(token) // expired or revoked early: fetch a new one and try again
			continue
		}
		if status < 200 || status > 299 {
			return paypalErrorFrom(status, respBody)
		}
		if err := json.Unmarshal(respBody, out); err != nil {
			return fmt.Errorf("payments: paypal %s %s: answer is not the JSON expected: %w", method, path, err)
		}
		return nil
	}
}

// send does the HTTP round trip; transport failures are temporary.
func (p *PayPal) send(req *http.Request, op string) (int, []byte, error) {
	resp, err := p.http.Do(req)
	if err != nil {
		return 0, nil, &TemporaryError{Provider: ProviderPayPal, Op: op, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, nil, &TemporaryError{Provider: ProviderPayPal, Op: op, StatusCode: resp.StatusCode, Err: err}
	}
	return resp.StatusCode, b, nil
}

func paypalErrorFrom(status int, body []byte) error {
	pe := &paypalError{}
	if err := json.Unmarshal(body, pe); err != nil {
		pe.Message = strings.TrimSpace(string(body))
		if len(pe.Message) > 200 {
			pe.Message = pe.Message[:200] + "..."
		}
	}
	pe.StatusCode = status
	return pe
}

// accessToken returns the cached token or fetches one (client credentials).
func (p *PayPal) accessToken(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token != "" && p.now().Before(p.tokenExpiry) {
		return p.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/v1/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(p.cfg.ClientID, p.cfg.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, body, err := p.send(req, "get access token")
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		pe := paypalErrorFrom(status, body)
		if status >= 500 || status == http.StatusTooManyRequests {
			return "", &TemporaryError{Provider: ProviderPayPal, Op: "get access token", StatusCode: status, Err: pe}
		}
		return "", fmt.Errorf("payments: paypal: client credentials refused: %w", pe)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "Bearer") {
		return "", fmt.Errorf("payments: paypal: unusable token answer (%v)", err)
	}
	// Renew a minute early (or halfway for short-lived tokens) so a token never
	// expires between our check and PayPal's.
	life := time.Duration(tok.ExpiresIn) * time.Second
	margin := min(time.Minute, life/2)
	p.token, p.tokenExpiry = tok.AccessToken, p.now().Add(life-margin)
	return p.token, nil
}

func (p *PayPal) dropToken(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token == token {
		p.token = ""
	}
}
