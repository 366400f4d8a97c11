package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"dropship/integrations/suppliers"
)

// DefaultMaxRedirects is how many redirects an HTTP fetch follows when the config doesn't say.
const DefaultMaxRedirects = 5

// HTTPConfig is where a feed is on the web and how to ask for it.
type HTTPConfig struct {
	URL  string `json:"url"`
	Auth Auth   `json:"auth"`
	// TimeoutSeconds bounds connecting, waiting for the answer and any stall while reading; 30 when 0.
	TimeoutSeconds int `json:"timeout_seconds,omitempty"`
	// MaxRedirects is how many redirects to follow; DefaultMaxRedirects when 0, none when negative.
	MaxRedirects int `json:"max_redirects,omitempty"`
}

// Validate returns a message per wrong field, nil when the config can be used.
func (c HTTPConfig) Validate() map[string]string {
	errs := map[string]string{}
	if msg := checkHTTPURL(c.URL); msg != "" {
		errs["url"] = msg
	}
	c.Auth.Validate("auth.", errs)
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > 3600 {
		errs["timeout_seconds"] = "enter a timeout between 1 and 3600 seconds, or leave it empty for 30"
	}
	if c.MaxRedirects > 20 {
		errs["max_redirects"] = "follow at most 20 redirects"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func checkHTTPURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "enter the full address, starting with https:// (or http://)"
	}
	return ""
}

// HTTP fetches a feed with a conditional GET, so an unchanged feed costs one request.
type HTTP struct {
	cfg     HTTPConfig
	client  *http.Client
	timeout time.Duration
}

// NewHTTP checks cfg and builds its fetcher.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	if errs := cfg.Validate(); errs != nil {
		return nil, fmt.Errorf("transport: http config: %s", joinErrs(errs))
	}
	timeout := timeoutOf(cfg.TimeoutSeconds)
	return &HTTP{cfg: cfg, client: NewClient(timeout, cfg.MaxRedirects, cfg.Auth), timeout: timeout}, nil
}

// NewClient is the HTTP client suppliers are fetched with: no overall deadline
// (a large feed may take minutes) but connecting and waiting for headers are
// bounded by timeout, at most maxRedirects redirects are followed
// (DefaultMaxRedirects when 0, none when negative), and an API-key header is
// dropped when a redirect leaves the host (Go drops Authorization itself).
func NewClient(timeout time.Duration, maxRedirects int, auth Auth) *http.Client {
	if maxRedirects == 0 {
		maxRedirects = DefaultMaxRedirects
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if maxRedirects < 0 || len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", len(via))
			}
			if auth.Kind == AuthAPIKey && req.URL.Host != via[0].URL.Host {
				req.Header.Del(auth.Header)
			}
			return nil
		},
	}
}

// Fetch GETs the feed with If-None-Match / If-Modified-Since from the validators
// stored last time; a 304 (or a 200 with the very ETag sent) is suppliers.ErrNotModified.
func (h *HTTP) Fetch(ctx context.Context, etag, lastModified string) (*suppliers.Fetched, error) {
	resp, cancel, err := h.get(ctx, etag, lastModified)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		resp.Body.Close()
		cancel(nil)
		return nil, suppliers.ErrNotModified
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		err := NewStatusError(resp)
		cancel(nil)
		return nil, fmt.Errorf("transport: %w", err)
	case etag != "" && resp.Header.Get("ETag") == etag:
		resp.Body.Close() // a server that ignores If-None-Match but says the ETag is unchanged
		cancel(nil)
		return nil, suppliers.ErrNotModified
	}
	name := path.Base(resp.Request.URL.Path)
	if name == "/" || name == "." {
		name = resp.Request.URL.Host
	}
	body := newStallGuard(resp.Body, h.timeout, "GET "+redact(h.cfg.URL),
		func() { cancel(errors.New("stalled")) },
		func() error { err := resp.Body.Close(); cancel(nil); return err })
	return &suppliers.Fetched{
		Body: body, Name: name, Size: resp.ContentLength,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

// get sends the GET; the returned cancel ends the request (call it once done with the body).
func (h *HTTP) get(ctx context.Context, etag, lastModified string) (*http.Response, context.CancelCauseFunc, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.cfg.URL, nil)
	if err != nil {
		cancel(nil)
		return nil, nil, fmt.Errorf("transport: %w", err)
	}
	h.cfg.Auth.Apply(req)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		cancel(nil)
		return nil, nil, fmt.Errorf("transport: GET %s: %w", redact(h.cfg.URL), err)
	}
	return resp, cancel, nil
}

// TestConnection GETs the feed unconditionally and reports what came back,
// reading only its first lines.
func (h *HTTP) TestConnection(ctx context.Context) (Probe, error) {
	resp, cancel, err := h.get(ctx, "", "")
	if err != nil {
		return Probe{}, err
	}
	defer cancel(nil)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Probe{}, fmt.Errorf("transport: %w", NewStatusError(resp))
	}
	defer resp.Body.Close()
	p := Probe{
		Status: resp.Status, Name: path.Base(resp.Request.URL.Path), Size: resp.ContentLength,
		ContentType: resp.Header.Get("Content-Type"),
	}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		p.ModTime = t
	}
	body := newStallGuard(resp.Body, h.timeout, "GET "+redact(h.cfg.URL), func() { cancel(errors.New("stalled")) }, resp.Body.Close)
	p.FirstLines, p.Note = firstLines(body)
	return p, nil
}

func joinErrs(errs map[string]string) string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + errs[k]
	}
	return strings.Join(parts, "; ")
}
