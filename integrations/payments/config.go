package payments

import (
	"fmt"
	"net/url"
	"strings"
)

// FieldError is one invalid setting, named by its JSON field.
type FieldError struct {
	Field   string
	Message string
}

// ConfigErrors lists every invalid setting of a gateway config; a settings form
// shows each beside its field.
type ConfigErrors []FieldError

func (e ConfigErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "payments: invalid config: " + strings.Join(parts, "; ")
}

func (e ConfigErrors) orNil() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Default API base URLs.
const (
	StripeAPIURL        = "https://api.stripe.com"
	PayPalSandboxAPIURL = "https://api-m.sandbox.paypal.com"
	PayPalLiveAPIURL    = "https://api-m.paypal.com"
)

// StripeConfig is what the owner enters for Stripe. SecretKey and WebhookSecret
// are secrets: encrypt them at rest and never show them back in full.
type StripeConfig struct {
	// SecretKey is the API key: sk_live_..., sk_test_... or a restricted rk_... key.
	SecretKey string `json:"secret_key"`
	// WebhookSecret signs the events sent to /webhooks/stripe (whsec_...).
	WebhookSecret string `json:"webhook_secret"`
	// APIURL overrides https://api.stripe.com (stripe-mock, a local fake).
	APIURL string `json:"api_url,omitempty"`
	// MaxNetworkRetries is how often stripe-go itself retries a network error or
	// a response without a Stripe error body (a proxy's 5xx), with the same
	// idempotency key; nil means its default, 2. Stripe's own 5xx answers come
	// back as a TemporaryError for the caller to retry.
	MaxNetworkRetries *int64 `json:"max_network_retries,omitempty"`
}

// Validate reports every invalid field.
func (c StripeConfig) Validate() error {
	var errs ConfigErrors
	switch {
	case c.SecretKey == "":
		errs = append(errs, FieldError{"secret_key", "is required"})
	case !strings.HasPrefix(c.SecretKey, "sk_") && !strings.HasPrefix(c.SecretKey, "rk_"):
		errs = append(errs, FieldError{"secret_key", "must be a secret key (sk_...) or restricted key (rk_...), not a publishable key"})
	}
	switch {
	case c.WebhookSecret == "":
		errs = append(errs, FieldError{"webhook_secret", "is required"})
	case !strings.HasPrefix(c.WebhookSecret, "whsec_"):
		errs = append(errs, FieldError{"webhook_secret", "must be a webhook signing secret (whsec_...)"})
	}
	if c.APIURL != "" {
		if msg := checkBaseURL(c.APIURL); msg != "" {
			errs = append(errs, FieldError{"api_url", msg})
		}
	}
	if c.MaxNetworkRetries != nil && (*c.MaxNetworkRetries < 0 || *c.MaxNetworkRetries > 10) {
		errs = append(errs, FieldError{"max_network_retries", "must be between 0 and 10"})
	}
	return errs.orNil()
}

// Redacted returns c with its secrets masked, for pages and logs.
func (c StripeConfig) Redacted() StripeConfig {
	c.SecretKey = redact(c.SecretKey)
	c.WebhookSecret = redact(c.WebhookSecret)
	return c
}

// PayPal environments.
const (
	PayPalSandbox = "sandbox"
	PayPalLive    = "live"
)

// PayPalConfig is what the owner enters for PayPal (a REST app's credentials).
// ClientSecret is a secret: encrypt it at rest and never show it back in full.
type PayPalConfig struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// WebhookID is the id PayPal gave the webhook pointing at /webhooks/paypal;
	// signature verification needs it.
	WebhookID string `json:"webhook_id"`
	// Environment is "sandbox" or "live"; it picks the API URL.
	Environment string `json:"environment"`
	// APIURL overrides the environment's URL (a local fake).
	APIURL string `json:"api_url,omitempty"`
}

// Validate reports every invalid field.
func (c PayPalConfig) Validate() error {
	var errs ConfigErrors
	if strings.TrimSpace(c.ClientID) == "" {
		errs = append(errs, FieldError{"client_id", "is required"})
	}
	if strings.TrimSpace(c.ClientSecret) == "" {
		errs = append(errs, FieldError{"client_secret", "is required"})
	}
	if c.WebhookID == "" {
		errs = append(errs, FieldError{"webhook_id", "is required"})
	} else if strings.ContainsAny(c.WebhookID, " /?#") {
		errs = append(errs, FieldError{"webhook_id", "is not a PayPal webhook id"})
	}
	if c.Environment != PayPalSandbox && c.Environment != PayPalLive {
		errs = append(errs, FieldError{"environment", `must be "sandbox" or "live"`})
	}
	if c.APIURL != "" {
		if msg := checkBaseURL(c.APIURL); msg != "" {
			errs = append(errs, FieldError{"api_url", msg})
		}
	}
	return errs.orNil()
}

// BaseURL is the API URL the client talks to.
func (c PayPalConfig) BaseURL() string {
	switch {
	case c.APIURL != "":
		return strings.TrimRight(c.APIURL, "/")
	case c.Environment == PayPalLive:
		return PayPalLiveAPIURL
	default:
		return PayPalSandboxAPIURL
	}
}

// Redacted returns c with its secret masked, for pages and logs.
func (c PayPalConfig) Redacted() PayPalConfig {
	c.ClientSecret = redact(c.ClientSecret)
	return c
}

// ManualConfig is the manual "pay later" method (bank transfer, invoice).
type ManualConfig struct {
	// Instructions tell the customer how to pay (shown in the order mail).
	Instructions string `json:"instructions"`
}

// Validate reports every invalid field.
func (c ManualConfig) Validate() error {
	var errs ConfigErrors
	if len(c.Instructions) > 2000 {
		errs = append(errs, FieldError{"instructions", "must be at most 2000 characters"})
	}
	return errs.orNil()
}

func checkBaseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "must be an absolute http(s) URL"
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "must be a plain base URL (no credentials, query or fragment)"
	}
	return ""
}

// redact keeps a secret's kind prefix and last four characters.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	prefix := ""
	if i := strings.LastIndex(secret, "_"); i >= 0 && i < len(secret)-8 {
		prefix = secret[:i+1]
	}
	if len(secret)-len(prefix) <= 8 {
		return prefix + "…"
	}
	return fmt.Sprintf("%s…%s", prefix, secret[len(secret)-4:])
}
