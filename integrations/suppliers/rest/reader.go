package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/transport"
)

// Limits that keep a misbehaving API from running away with memory or time.
const (
	maxPageBytes = 64 << 20
	maxPages     = 100000
)

// Options tune the client; the zero value is right outside tests.
type Options struct {
	// Attempts is how often one page is tried on 5xx or a network error; 4 when zero.
	Attempts int
	// RateLimitAttempts is how often one page is tried on 429; 6 when zero.
	RateLimitAttempts int
	// Backoff is the wait before the first retry after a 5xx, doubled each time (with jitter); 1 s when zero.
	Backoff time.Duration
}

// Reader streams the records of every page, fetching the next page when the
// current one is used up. It implements suppliers.RecordReader.
type Reader struct {
	ctx     context.Context
	cfg     Config
	opts    Options
	client  *http.Client
	timeout time.Duration

	itemsPath []step
	fields    fieldPaths

	next    string // URL of the next page, "" when there is none
	page    int    // pages fetched so far
	pageNum int    // the page number asked for next (PageNumber)
	items   []any
	pos     int
	line    int
	seen    map[string]bool // cursors or Link URLs already followed
	done    bool
	// lastStatus is the HTTP status line of the last page, for TestConnection.
	lastStatus string
}

type fieldPaths struct {
	sku, quantity, cost, currency, leadTime, discontinued, barcode, title, observedAt []step
}

// NewReader checks cfg and prepares the first request; nothing is sent until Next.
func NewReader(ctx context.Context, cfg Config, opts Options) (*Reader, error) {
	if errs := cfg.Validate(); errs != nil {
		return nil, fmt.Errorf("rest: config: %s", joinErrs(errs))
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 4
	}
	if opts.RateLimitAttempts <= 0 {
		opts.RateLimitAttempts = 6
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	timeout := time.Duration(cfg.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = transport.DefaultTimeout
	}
	r := &Reader{
		ctx: ctx, cfg: cfg, opts: opts, timeout: timeout,
		client: transport.NewClient(timeout, 0, cfg.Auth),
		seen:   map[string]bool{},
	}
	var err error
	must := func(p string) []step {
		s, perr := parsePath(p)
		if perr != nil && err == nil {
			err = perr
		}
		return s
	}
	r.itemsPath = must(strings.TrimSuffix(strings.TrimSpace(cfg.ItemsPath), "[]"))
	f := cfg.Fields
	r.fields = fieldPaths{
		sku: must(f.SKU), quantity: must(f.Quantity), cost: must(f.Cost), currency: must(f.Currency),
		leadTime: must(f.LeadTimeDays), discontinued: must(f.Discontinued), barcode: must(f.Barcode),
		title: must(f.Title), observedAt: must(f.ObservedAt),
	}
	if err != nil {
		return nil, fmt.Errorf("rest: config: %w", err)
	}
	if cfg.Pagination.StartAtZero {
		r.pageNum = 0
	} else {
		r.pageNum = 1
	}
	r.next, err = r.firstURL()
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Reader) firstURL() (string, error) {
	u, err := url.Parse(strings.TrimSpace(r.cfg.URL))
	if err != nil {
		return "", fmt.Errorf("rest: url: %w", err)
	}
	p := r.cfg.Pagination
	q := u.Query()
	if p.Kind != PageNone && p.limitParam() != "-" {
		q.Set(p.limitParam(), strconv.Itoa(p.limit()))
	}
	if p.Kind == PageNumber {
		q.Set(p.pageParam(), strconv.Itoa(r.pageNum))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Pages is how many pages have been fetched so far.
func (r *Reader) Pages() int { return r.page }

// Next returns the next record, io.EOF after the last page, a *suppliers.RowError
// for an item that can't be read, and any other error when a page can't be had
// (then the whole poll must not be applied).
func (r *Reader) Next() (suppliers.StockRecord, error) {
	for r.pos >= len(r.items) {
		if r.done || r.next == "" {
			r.done = true
			return suppliers.StockRecord{}, io.EOF
		}
		if err := r.fetchPage(); err != nil {
			r.done = true
			return suppliers.StockRecord{}, err
		}
	}
	item := r.items[r.pos]
	r.items[r.pos] = nil // let the page go as it is read
	r.pos++
	r.line++
	return r.record(item)
}

// fetchPage gets the page at r.next, keeps its items and works out the next URL.
func (r *Reader) fetchPage() error {
	if r.page >= maxPages {
		return fmt.Errorf("rest: stopped after %d pages: the API keeps saying there is more", maxPages)
	}
	current := r.next
	resp, err := r.get(current)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	r.page++
	r.lastStatus = resp.Status
	var doc any
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxPageBytes))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("rest: page %d (%s): the answer is not valid JSON: %w", r.page, current, err)
	}
	list, err := lookup(doc, r.itemsPath)
	items, ok := list.([]any)
	if err != nil || !ok {
		return fmt.Errorf("rest: page %d (%s): no list of items at %q", r.page, current, r.cfg.ItemsPath)
	}
	r.items, r.pos = items, 0

	r.next = ""
	p := r.cfg.Pagination
	switch p.Kind {
	case PageNumber:
		if len(items) > 0 && (p.limitParam() == "-" || len(items) >= p.limit()) {
			r.pageNum++
			u, _ := url.Parse(current) // it was sent, so it parses
			q := u.Query()
			q.Set(p.pageParam(), strconv.Itoa(r.pageNum))
			u.RawQuery = q.Encode()
			r.next = u.String()
		}
	case PageCursor:
		steps, _ := parsePath(p.CursorPath) // validated
		v, err := lookup(doc, steps)
		cursor, _ := text(v)
		if err != nil || cursor == "" {
			break
		}
		if r.seen[cursor] {
			return fmt.Errorf("rest: page %d: the API returned the cursor %q a second time; stopping rather than looping", r.page, cursor)
		}
		r.seen[cursor] = true
		u, _ := url.Parse(current)
		q := u.Query()
		q.Set(p.cursorParam(), cursor)
		u.RawQuery = q.Encode()
		r.next = u.String()
	case PageLink:
		link := nextLink(resp.Header.Values("Link"))
		if link == "" {
			break
		}
		base, _ := url.Parse(current)
		u, err := base.Parse(link)
		if err != nil {
			return fmt.Errorf("rest: page %d: Link header %q: %w", r.page, link, err)
		}
		if u.Host != base.Host {
			return fmt.Errorf("rest: page %d: the next page is on another host (%s); not following it with our credentials", r.page, u.Host)
		}
		if r.seen[u.String()] || u.String() == current {
			return fmt.Errorf("rest: page %d: the Link header points back to a page already read; stopping rather than looping", r.page)
		}
		r.seen[u.String()] = true
		r.next = u.String()
	}
	return nil
}

// nextLink finds rel="next" in Link headers (RFC 8288).
func nextLink(values []string) string {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok {
				continue
			}
			target = strings.TrimSpace(target)
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, param := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(strings.TrimSpace(k), "rel") {
					for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
						if strings.EqualFold(rel, "next") {
							return target[1 : len(target)-1]
						}
					}
				}
			}
		}
	}
	return ""
}

// get sends one page request, waiting out 429s (Retry-After, capped) and
// retrying 5xx and network errors with exponential backoff.
func (r *Reader) get(u string) (*http.Response, error) {
	maxWait := time.Duration(r.cfg.MaxRetryAfterSeconds) * time.Second
	if maxWait <= 0 {
		maxWait = defaultMaxRetryWait * time.Second
	}
	backoff := r.opts.Backoff
	var tries, limited int
	for {
		tries++
		resp, err := r.send(u)
		var wait time.Duration
		switch {
		case err != nil:
			if r.ctx.Err() != nil || tries >= r.opts.Attempts || !transient(err) {
				return nil, fmt.Errorf("rest: page %d: %w", r.page+1, err)
			}
			wait = jitter(backoff)
			backoff *= 2
		case resp.StatusCode == http.StatusTooManyRequests:
			limited++
			tries-- // rate limiting is not a failure of the supplier
			se := transport.NewStatusError(resp)
			wait = se.RetryAfter
			if wait <= 0 {
				wait = jitter(backoff)
				backoff *= 2
			}
			if wait > maxWait {
				return nil, fmt.Errorf("rest: page %d: the supplier asks us to wait %s, more than the %s allowed; the next sync will try again: %w", r.page+1, wait, maxWait, se)
			}
			if limited >= r.opts.RateLimitAttempts {
				return nil, fmt.Errorf("rest: page %d: still rate limited after %d tries: %w", r.page+1, limited, se)
			}
		case resp.StatusCode >= 500:
			se := transport.NewStatusError(resp)
			if tries >= r.opts.Attempts {
				return nil, fmt.Errorf("rest: page %d: gave up after %d tries: %w", r.page+1, tries, se)
			}
			wait = jitter(backoff)
			backoff *= 2
			if se.RetryAfter > 0 && se.RetryAfter <= maxWait {
				wait = se.RetryAfter
			}
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			return nil, fmt.Errorf("rest: page %d: %w", r.page+1, transport.NewStatusError(resp))
		default:
			return resp, nil
		}
		select {
		case <-r.ctx.Done():
			return nil, fmt.Errorf("rest: page %d: %w", r.page+1, r.ctx.Err())
		case <-time.After(wait):
		}
	}
}

func (r *Reader) send(u string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	r.cfg.Auth.Apply(req)
	resp, err := r.client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// transient reports whether a failed request is worth trying again.
func transient(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded)
}

func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }

// record maps one item to a StockRecord; a missing or unreadable field is a RowError.
func (r *Reader) record(item any) (suppliers.StockRecord, error) {
	rec := suppliers.StockRecord{Line: r.line}
	f, cfg := r.fields, r.cfg.Fields
	rowErr := func(format string, args ...any) (suppliers.StockRecord, error) {
		return suppliers.StockRecord{}, &suppliers.RowError{Line: r.line, Reason: fmt.Sprintf(format, args...)}
	}
	if _, ok := item.(map[string]any); !ok {
		return rowErr("item %d is %s, not an object", r.line, describe(item))
	}
	v, err := lookup(item, f.sku)
	rec.SKU, _ = text(v)
	if err != nil || rec.SKU == "" {
		return rowErr("no SKU at %q", cfg.SKU)
	}
	if v, err = lookup(item, f.quantity); err != nil {
		return rowErr("%s: no quantity at %q", rec.SKU, cfg.Quantity)
	}
	if rec.Quantity, err = whole(v); err != nil {
		return rowErr("%s: quantity %v", rec.SKU, err)
	}
	if rec.Quantity < 0 {
		return rowErr("%s: quantity %d is negative", rec.SKU, rec.Quantity)
	}
	rec.Currency = r.cfg.DefaultCurrency
	if f.currency != nil {
		if v, err := lookup(item, f.currency); err == nil {
			cur, _ := text(v)
			cur = strings.ToUpper(cur)
			if !isCurrencyCode(cur) {
				return rowErr("%s: currency %q is not a three-letter code", rec.SKU, cur)
			}
			rec.Currency = cur
		}
	}
	if f.cost != nil {
		if v, err := lookup(item, f.cost); err == nil {
			var cents int64
			if r.cfg.CostInMinorUnits {
				cents, err = whole(v)
			} else {
				cents, err = minorUnits(v, rec.Currency)
			}
			if err != nil {
				return rowErr("%s: cost %v", rec.SKU, err)
			}
			if cents < 0 {
				return rowErr("%s: cost is negative", rec.SKU)
			}
			rec.CostCents = &cents
		}
	}
	if f.leadTime != nil {
		if v, err := lookup(item, f.leadTime); err == nil {
			days, err := whole(v)
			if err != nil || days < 0 || days > 3650 {
				return rowErr("%s: lead time %v is not a number of days", rec.SKU, v)
			}
			d := int(days)
			rec.LeadTimeDays = &d
		}
	}
	if f.discontinued != nil {
		if v, err := lookup(item, f.discontinued); err == nil {
			if rec.Discontinued, err = truth(v); err != nil {
				return rowErr("%s: discontinued %v", rec.SKU, err)
			}
		}
	}
	if f.barcode != nil {
		if v, err := lookup(item, f.barcode); err == nil {
			rec.Barcode, _ = text(v)
		}
	}
	if f.title != nil {
		if v, err := lookup(item, f.title); err == nil {
			rec.Title, _ = text(v)
		}
	}
	if f.observedAt != nil {
		if v, err := lookup(item, f.observedAt); err == nil {
			if rec.ObservedAt, err = when(v); err != nil {
				return rowErr("%s: %v", rec.SKU, err)
			}
		}
	}
	return rec, nil
}

func joinErrs(errs map[string]string) string {
	parts := make([]string, 0, len(errs))
	for k, v := range errs {
		parts = append(parts, k+": "+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
