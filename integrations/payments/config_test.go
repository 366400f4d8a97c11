package payments

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ce ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("Validate returned %T (%v), want ConfigErrors", err, err)
	}
	var fields []string
	for _, fe := range ce {
		fields = append(fields, fe.Field)
	}
	return fields
}

func TestStripeConfigValidate(t *testing.T) {
	t.Parallel()
	retries := func(n int64) *int64 { return &n }
	good := StripeConfig{SecretKey: "sk_test_123", WebhookSecret: "whsec_abc"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for name, tc := range map[string]struct {
		cfg  StripeConfig
		want []string
	}{
		"empty":           {StripeConfig{}, []string{"secret_key", "webhook_secret"}},
		"publishable key": {StripeConfig{SecretKey: "pk_live_1", WebhookSecret: "whsec_1"}, []string{"secret_key"}},
		"restricted key":  {StripeConfig{SecretKey: "rk_live_1", WebhookSecret: "whsec_1"}, nil},
		"bad secret":      {StripeConfig{SecretKey: "sk_live_1", WebhookSecret: "secret"}, []string{"webhook_secret"}},
		"relative url":    {StripeConfig{SecretKey: "sk_live_1", WebhookSecret: "whsec_1", APIURL: "localhost:12111"}, []string{"api_url"}},
		"url with creds":  {StripeConfig{SecretKey: "sk_live_1", WebhookSecret: "whsec_1", APIURL: "https://u:p@x.test"}, []string{"api_url"}},
		"local url":       {StripeConfig{SecretKey: "sk_test_1", WebhookSecret: "whsec_1", APIURL: "http://127.0.0.1:12111"}, nil},
		"retries":         {StripeConfig{SecretKey: "sk_test_1", WebhookSecret: "whsec_1", MaxNetworkRetries: retries(-1)}, []string{"max_network_retries"}},
	} {
		if got := fieldsOf(t, tc.cfg.Validate()); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: invalid fields %v, want %v", name, got, tc.want)
		}
	}
}

func TestPayPalConfigValidate(t *testing.T) {
	t.Parallel()
	good := PayPalConfig{ClientID: "id", ClientSecret: "secret", WebhookID: "8PT597110X687430LKGECATA", Environment: "sandbox"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	if got := good.BaseURL(); got != PayPalSandboxAPIURL {
		t.Errorf("sandbox BaseURL = %s", got)
	}
	live := good
	live.Environment = "live"
	if got := live.BaseURL(); got != PayPalLiveAPIURL {
		t.Errorf("live BaseURL = %s", got)
	}
	local := good
	local.APIURL = "http://127.0.0.1:4000/"
	if got := local.BaseURL(); got != "http://127.0.0.1:4000" {
		t.Errorf("override BaseURL = %s", got)
	}
	got := fieldsOf(t, PayPalConfig{Environment: "prod", WebhookID: "a/b"}.Validate())
	want := []string{"client_id", "client_secret", "webhook_id", "environment"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("invalid fields %v, want %v", got, want)
	}
}

func TestManualConfigValidate(t *testing.T) {
	t.Parallel()
	if err := (ManualConfig{Instructions: "IBAN DE02 1203 0000 0000 2020 51"}).Validate(); err != nil {
		t.Fatal(err)
	}
	if got := fieldsOf(t, ManualConfig{Instructions: strings.Repeat("x", 2001)}.Validate()); !reflect.DeepEqual(got, []string{"instructions"}) {
		t.Errorf("invalid fields %v", got)
	}
}

func TestConfigJSONRoundTripAndRedaction(t *testing.T) {
	t.Parallel()
	n := int64(1)
	in := StripeConfig{SecretKey: "sk_live_51HabcdefghijklmnWXYZ", WebhookSecret: "whsec_0123456789abcdef", APIURL: "http://127.0.0.1:1", MaxNetworkRetries: &n}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"secret_key":"sk_live_51HabcdefghijklmnWXYZ"`) || !strings.Contains(string(b), `"webhook_secret"`) {
		t.Errorf("secrets are not in clearly named fields: %s", b)
	}
	var out StripeConfig
	if err := json.Unmarshal(b, &out); err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	r := in.Redacted()
	if r.SecretKey != "sk_live_…WXYZ" || strings.Contains(r.WebhookSecret, "0123456789") {
		t.Errorf("redacted = %+v", r)
	}
	if in.SecretKey != "sk_live_51HabcdefghijklmnWXYZ" {
		t.Error("Redacted changed the original")
	}
	p := PayPalConfig{ClientID: "AbC", ClientSecret: "EBWKjlELKMYqRNQ6sYvFo64FtaRLRR5BdHEESmha49TM"}.Redacted()
	if p.ClientSecret != "…49TM" || p.ClientID != "AbC" {
		t.Errorf("redacted = %+v", p)
	}
}
