package sandbox_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/rest"
	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/suppliers/transport"
	"dropship/integrations/webhooks/standardwebhooks"
)

func TestCatalogIsDeterministic(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	a := sandbox.NewCatalog("acme", 1, 200, "USD", now).Snapshot().Items
	again := sandbox.NewCatalog("acme", 1, 200, "USD", now).Snapshot().Items
	other := sandbox.NewCatalog("globex", 1, 200, "USD", now).Snapshot().Items
	reseeded := sandbox.NewCatalog("acme", 2, 200, "USD", now).Snapshot().Items
	sameTerms, zeros := 0, 0
	for i := range a {
		if a[i] != again[i] {
			t.Fatalf("item %d differs between two runs with the same seed", i)
		}
		if a[i].SKU != "ACME-"+leftPad(i+1) || other[i].SKU != "GLOBEX-"+leftPad(i+1) {
			t.Fatalf("SKUs %s / %s", a[i].SKU, other[i].SKU)
		}
		if !sandbox.ValidUPCA(a[i].Barcode) {
			t.Fatalf("%s: barcode %s has a wrong check digit", a[i].SKU, a[i].Barcode)
		}
		// Same seed, another supplier: the same products, its own terms.
		if a[i].Barcode != other[i].Barcode || a[i].Title != other[i].Title {
			t.Fatalf("item %d: suppliers with one seed carry different products", i)
		}
		if a[i].CostCents == other[i].CostCents && a[i].Quantity == other[i].Quantity {
			sameTerms++
		}
		if a[i].Quantity == 0 {
			zeros++
		}
	}
	if sameTerms > 20 {
		t.Fatalf("%d of 200 items have the same cost and stock at two suppliers", sameTerms)
	}
	if a[0].Barcode == reseeded[0].Barcode && a[1].Barcode == reseeded[1].Barcode {
		t.Fatal("another seed gave the same catalog")
	}
	if zeros == 0 || zeros > 40 {
		t.Fatalf("%d sold-out items at start, want a few", zeros)
	}
	if sandbox.ValidUPCA("012345678906") || !sandbox.ValidUPCA("012345678905") {
		t.Fatal("ValidUPCA disagrees with the known UPC 012345678905")
	}
}

func leftPad(n int) string { return strings.Repeat("0", 6-len(strconv.Itoa(n))) + strconv.Itoa(n) }

func TestDriftSellsOutAndRestocks(t *testing.T) {
	t.Parallel()
	c := sandbox.NewCatalog("acme", 7, 100, "USD", time.Now())
	start := c.Snapshot()
	soldOut, restocked := map[string]bool{}, map[string]bool{}
	now := time.Now()
	for step := 0; step < 60; step++ {
		now = now.Add(time.Second)
		for _, it := range c.Drift(now) {
			if it.Quantity == 0 {
				soldOut[it.SKU] = true
			} else if soldOut[it.SKU] {
				restocked[it.SKU] = true
			}
			if it.Quantity < 0 {
				t.Fatalf("%s went negative", it.SKU)
			}
			if !it.UpdatedAt.Equal(now) {
				t.Fatalf("%s changed without a new UpdatedAt", it.SKU)
			}
		}
	}
	end := c.Snapshot()
	if end.Version <= start.Version || !end.ModTime.After(start.ModTime) {
		t.Fatalf("version %d -> %d, mod %s -> %s", start.Version, end.Version, start.ModTime, end.ModTime)
	}
	if len(soldOut) == 0 || len(restocked) == 0 {
		t.Fatalf("in 60 steps %d SKUs sold out and %d came back; want some of each", len(soldOut), len(restocked))
	}
	for i, it := range end.Items {
		if it.Discontinued && it.Quantity != start.Items[i].Quantity {
			t.Fatalf("discontinued %s drifted", it.SKU)
		}
	}
}

// receiver is the back office's end of the webhooks: it verifies each delivery.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	messages []sandbox.StockUpdated
	ids      []string
	refusals []error
	failNext int // answer 503 this many times first
	got      chan struct{}
}

func newReceiver(t *testing.T, secret standardwebhooks.Secret) *receiver {
	rv := &receiver{got: make(chan struct{}, 100)}
	ver, err := standardwebhooks.NewVerifier(secret.String())
	if err != nil {
		t.Fatal(err)
	}
	rv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/webhooks/suppliers/acme" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		msg, err := ver.Verify(r.Header, body)
		rv.mu.Lock()
		defer rv.mu.Unlock()
		if err != nil {
			rv.refusals = append(rv.refusals, err)
			rv.got <- struct{}{}
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		rv.ids = append(rv.ids, msg.ID)
		if rv.failNext > 0 {
			rv.failNext--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var m sandbox.StockUpdated
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rv.messages = append(rv.messages, m)
		rv.got <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rv.Close)
	return rv
}

func (rv *receiver) wait(t *testing.T) {
	t.Helper()
	select {
	case <-rv.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook arrived")
	}
}

func start(t *testing.T, cfg sandbox.Config) *sandbox.Supplier {
	t.Helper()
	if cfg.Code == "" {
		cfg.Code = "acme"
	}
	if cfg.SKUs == 0 {
		cfg.SKUs = 120
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	s, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func restConfig(in sandbox.Info, kind string) rest.Config { return in.RESTConfig(kind) }

func fetch(t *testing.T, f suppliers.Fetcher, etag, lm string) (*suppliers.Fetched, []byte) {
	t.Helper()
	got, err := f.Fetch(context.Background(), etag, lm)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	b, err := io.ReadAll(got.Body)
	if err != nil {
		t.Fatal(err)
	}
	return got, b
}

func TestSandboxEndToEnd(t *testing.T) {
	t.Parallel()
	secret := standardwebhooks.NewSecret()
	rv := newReceiver(t, secret)
	s := start(t, sandbox.Config{
		HTTPAddr: ":0", SFTPAddr: ":0", FTPAddr: ":0", FTPTLS: true,
		WebhookURL: rv.URL, WebhookSecret: secret, WebhookBackoff: 10 * time.Millisecond,
	})
	in := s.Info()
	ctx := context.Background()
	want := s.Catalog().Snapshot().Items

	t.Run("REST", func(t *testing.T) {
		for _, kind := range []string{rest.PageNumber, rest.PageCursor, rest.PageLink} {
			r, err := rest.NewReader(ctx, restConfig(in, kind), rest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				w := want[n]
				if rec.SKU != w.SKU || rec.Quantity != w.Quantity || *rec.CostCents != w.CostCents ||
					rec.Barcode != w.Barcode || rec.Title != w.Title || *rec.LeadTimeDays != w.LeadTimeDays || rec.Currency != "USD" {
					t.Fatalf("%s: record %d = %+v, catalog has %+v", kind, n, rec, w)
				}
				n++
			}
			if n != len(want) || r.Pages() != 3 {
				t.Fatalf("%s: %d records over %d pages, want %d over 3", kind, n, r.Pages(), len(want))
			}
		}
		bad := restConfig(in, rest.PageNumber)
		bad.Auth.Token = "stolen"
		r, _ := rest.NewReader(ctx, bad, rest.Options{})
		if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("wrong token: %v", err)
		}
	})

	t.Run("CSV and XML over HTTP", func(t *testing.T) {
		h, err := transport.NewHTTP(transport.HTTPConfig{URL: in.CSVURL})
		if err != nil {
			t.Fatal(err)
		}
		got, body := fetch(t, h, "", "")
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(rows) != len(want)+1 || strings.Join(rows[0], ",") != strings.Join(sandbox.CSVHeader, ",") {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		if rows[3][0] != want[2].SKU || rows[3][3] != strconv.FormatInt(want[2].Quantity, 10) {
			t.Fatalf("CSV row 3 = %v", rows[3])
		}
		if got.ETag == "" || got.LastModified == "" {
			t.Fatalf("no validators: %+v", got)
		}
		if _, err := h.Fetch(ctx, got.ETag, got.LastModified); !errors.Is(err, suppliers.ErrNotModified) {
			t.Fatalf("unchanged CSV: %v", err)
		}

		x, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.XMLURL})
		_, xbody := fetch(t, x, "", "")
		var doc struct {
			Items []struct {
				SKU      string `xml:"sku"`
				Quantity int64  `xml:"quantity"`
				Cost     struct {
					Currency string `xml:"currency,attr"`
					Amount   string `xml:",chardata"`
				} `xml:"cost"`
			} `xml:"item"`
		}
		if err := xml.Unmarshal(xbody, &doc); err != nil || len(doc.Items) != len(want) {
			t.Fatalf("XML: %d items, %v", len(doc.Items), err)
		}
		if doc.Items[0].SKU != want[0].SKU || doc.Items[0].Cost.Currency != "USD" || doc.Items[0].Cost.Amount == "" {
			t.Fatalf("XML item 0 = %+v", doc.Items[0])
		}
	})

	t.Run("SFTP with trust on first use", func(t *testing.T) {
		cfg := transport.SFTPConfig{Host: in.SFTPAddr, User: in.User, Password: in.Password, Path: in.StockFile}
		f, _ := transport.NewSFTP(cfg)
		got, body := fetch(t, f, "", "")
		if got.HostKey != in.SFTPHostKey {
			t.Fatalf("host key %s, the sandbox says %s", got.HostKey, in.SFTPHostKey)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(rows) != len(want)+1 {
			t.Fatalf("stock.csv: %d rows, %v", len(rows), err)
		}
		cfg.HostKey, cfg.Path = got.HostKey, in.DatedFiles
		f, _ = transport.NewSFTP(cfg)
		dated, datedBody := fetch(t, f, "", "")
		if !strings.HasPrefix(dated.Name, "/stock_") || !bytes.Equal(datedBody, body) {
			t.Fatalf("dated copy %s differs from stock.csv", dated.Name)
		}
		cfg.Path = in.X12846Files
		f, _ = transport.NewSFTP(cfg)
		edi, ediBody := fetch(t, f, "", "")
		if !strings.HasPrefix(edi.Name, "/846/846_") || !strings.HasSuffix(edi.Name, ".edi") {
			t.Fatalf("846 file %s", edi.Name)
		}
		check846(t, ediBody, want)
	})

	t.Run("FTP over explicit TLS", func(t *testing.T) {
		f, err := transport.NewFTP(transport.FTPConfig{Host: in.FTPAddr, User: in.User, Password: in.Password, Path: in.StockFile, TLS: true, TLSCACert: in.FTPCACert})
		if err != nil {
			t.Fatal(err)
		}
		_, body := fetch(t, f, "", "")
		if rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll(); err != nil || len(rows) != len(want)+1 {
			t.Fatalf("FTP stock.csv: %d rows, %v", len(rows), err)
		}
	})

	t.Run("a stock change reaches every surface and the webhook", func(t *testing.T) {
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.CSVURL})
		before, _ := fetch(t, h, "", "")
		sku := want[10].SKU
		changed, err := s.SetQuantity(sku, 0)
		if err != nil {
			t.Fatal(err)
		}
		rv.wait(t)
		rv.mu.Lock()
		msg := rv.messages[len(rv.messages)-1]
		rv.mu.Unlock()
		if msg.Type != "stock.updated" || len(msg.Data.Items) != 1 {
			t.Fatalf("webhook %+v", msg)
		}
		u := msg.Data.Items[0]
		if u.SKU != sku || u.Quantity != 0 || !u.ObservedAt.Equal(changed.UpdatedAt) {
			t.Fatalf("webhook item %+v, want %s at 0 observed %s", u, sku, changed.UpdatedAt)
		}

		after, body := fetch(t, h, before.ETag, before.LastModified)
		if after.ETag == before.ETag || !bytes.Contains(body, []byte(sku+",")) {
			t.Fatal("the CSV feed did not change with the stock")
		}
		f, _ := transport.NewSFTP(transport.SFTPConfig{Host: in.SFTPAddr, User: in.User, Password: in.Password, Path: in.StockFile, HostKey: in.SFTPHostKey})
		_, sftpBody := fetch(t, f, "", "")
		rows, _ := csv.NewReader(bytes.NewReader(sftpBody)).ReadAll()
		if rows[11][0] != sku || rows[11][3] != "0" {
			t.Fatalf("SFTP stock.csv row for %s = %v", sku, rows[11])
		}
	})
}

// check846 reads the 846 the sandbox wrote and checks its envelope and counts.
func check846(t *testing.T, doc []byte, items []sandbox.Item) {
	t.Helper()
	var segs [][]string
	for _, s := range strings.Split(strings.TrimSpace(string(doc)), "~") {
		if s = strings.TrimSpace(s); s != "" {
			segs = append(segs, strings.Split(s, "*"))
		}
	}
	if len(segs[0]) != 17 || segs[0][0] != "ISA" || len(strings.Join(segs[0], "*")) != 105 {
		t.Fatalf("ISA is not the fixed 106-character segment: %q", strings.Join(segs[0], "*"))
	}
	last := segs[len(segs)-1]
	if last[0] != "IEA" || last[2] != segs[0][13] {
		t.Fatalf("IEA %v does not close ISA control %s", last, segs[0][13])
	}
	ge := segs[len(segs)-2]
	if ge[0] != "GE" || ge[2] != segs[1][6] {
		t.Fatalf("GE %v does not close GS %v", ge, segs[1])
	}
	se := segs[len(segs)-3]
	stToSE := len(segs) - 4 // everything but ISA, GS, GE, IEA
	if se[0] != "SE" || se[1] != strconv.Itoa(stToSE) || se[2] != segs[2][2] {
		t.Fatalf("SE %v, want %d segments and control %s", se, stToSE, segs[2][2])
	}
	lin, qty := 0, 0
	for _, s := range segs {
		switch s[0] {
		case "LIN":
			if s[3] != items[lin].SKU || s[5] != items[lin].Barcode {
				t.Fatalf("LIN %v, want %s", s, items[lin].SKU)
			}
			lin++
		case "QTY":
			if s[1] != "33" || s[2] != strconv.FormatInt(items[qty].Quantity, 10) {
				t.Fatalf("QTY %v for %s, want %d", s, items[qty].SKU, items[qty].Quantity)
			}
			qty++
		case "CTT":
			if s[1] != strconv.Itoa(len(items)) {
				t.Fatalf("CTT %v", s)
			}
		}
	}
	if lin != len(items) || qty != len(items) {
		t.Fatalf("%d LIN, %d QTY for %d items", lin, qty, len(items))
	}
}

func TestHostKeySurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := start(t, sandbox.Config{Dir: dir, SFTPAddr: ":0"})
	fp := a.Info().SFTPHostKey
	a.Close()
	b := start(t, sandbox.Config{Dir: dir, SFTPAddr: ":0"})
	if got := b.Info().SFTPHostKey; got != fp || !strings.HasPrefix(fp, "SHA256:") {
		t.Fatalf("fingerprint %s after restart, was %s", got, fp)
	}
	// X12 control numbers keep growing across the restart: 1 from the first run, 2 from the second.
	names, err := filepath.Glob(filepath.Join(dir, "files", "846", "846_*.edi"))
	if err != nil {
		t.Fatal(err)
	}
	var controls []string
	for _, n := range names {
		controls = append(controls, strings.TrimSuffix(n[strings.LastIndex(n, "_")+1:], ".edi"))
	}
	sort.Strings(controls)
	if strings.Join(controls, ",") != "000000001,000000002" {
		t.Fatalf("846 control numbers %v", controls)
	}
}

func TestWebhookRetriedWithTheSameID(t *testing.T) {
	t.Parallel()
	secret := standardwebhooks.NewSecret()
	rv := newReceiver(t, secret)
	rv.failNext = 2
	s := start(t, sandbox.Config{WebhookURL: rv.URL, WebhookSecret: secret, WebhookBackoff: 10 * time.Millisecond})
	if _, err := s.SetQuantity("ACME-000001", 42); err != nil {
		t.Fatal(err)
	}
	rv.wait(t)
	if _, err := s.SetQuantity("ACME-000002", 7); err != nil {
		t.Fatal(err)
	}
	rv.wait(t)
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if len(rv.ids) != 4 || rv.ids[0] != rv.ids[1] || rv.ids[1] != rv.ids[2] || rv.ids[3] == rv.ids[0] {
		t.Fatalf("ids %v: want one id over three attempts, then a new one", rv.ids)
	}
	if len(rv.messages) != 2 || rv.messages[0].Data.Items[0].Quantity != 42 || rv.messages[1].Data.Items[0].SKU != "ACME-000002" {
		t.Fatalf("messages %+v", rv.messages)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("5xx rate", func(t *testing.T) {
		t.Parallel()
		s := start(t, sandbox.Config{HTTPAddr: ":0", Faults: sandbox.Faults{ErrorRate: 1}})
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: s.Info().CSVURL})
		if _, err := h.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("Fetch = %v, want 503", err)
		}
		r, _ := rest.NewReader(ctx, restConfig(s.Info(), rest.PageNumber), rest.Options{Backoff: time.Millisecond})
		if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "gave up after 4 tries") {
			t.Fatalf("REST = %v", err)
		}
	})

	t.Run("half of the requests fail", func(t *testing.T) {
		t.Parallel()
		s := start(t, sandbox.Config{HTTPAddr: ":0", Faults: sandbox.Faults{ErrorRate: 0.5}})
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: s.Info().CSVURL})
		failed := 0
		for i := 0; i < 40; i++ {
			if f, err := h.Fetch(ctx, "", ""); err != nil {
				failed++
			} else {
				f.Body.Close()
			}
		}
		if failed < 8 || failed > 32 {
			t.Fatalf("%d of 40 failed at a 50%% rate", failed)
		}
	})

	t.Run("429 rate", func(t *testing.T) {
		t.Parallel()
		s := start(t, sandbox.Config{HTTPAddr: ":0", Faults: sandbox.Faults{RateLimitRate: 1}})
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: s.Info().CSVURL})
		_, err := h.Fetch(ctx, "", "")
		var se *transport.StatusError
		if !errors.As(err, &se) || se.Code != 429 || se.RetryAfter != time.Second {
			t.Fatalf("Fetch = %v, want 429 with Retry-After 1s", err)
		}
	})

	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		s := start(t, sandbox.Config{HTTPAddr: ":0", SFTPAddr: ":0", Faults: sandbox.Faults{Latency: 1500 * time.Millisecond}})
		in := s.Info()
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.CSVURL, TimeoutSeconds: 1})
		if _, err := h.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Fatalf("HTTP with a 1s timeout against 1.5s latency: %v", err)
		}
		f, _ := transport.NewSFTP(transport.SFTPConfig{Host: in.SFTPAddr, User: in.User, Password: in.Password, Path: in.StockFile, TimeoutSeconds: 1})
		if _, err := f.Fetch(ctx, "", ""); err == nil {
			t.Fatal("SFTP with a 1s timeout against 1.5s latency succeeded")
		}
		patient, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.CSVURL, TimeoutSeconds: 5})
		fetch(t, patient, "", "")
	})

	t.Run("truncated feed", func(t *testing.T) {
		t.Parallel()
		s := start(t, sandbox.Config{HTTPAddr: ":0", SFTPAddr: ":0", Faults: sandbox.Faults{Truncate: true}})
		in := s.Info()
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.CSVURL})
		got, err := h.Fetch(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(got.Body)
		got.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("reading a cut-off HTTP feed: %v, want unexpected EOF", err)
		}
		r, _ := rest.NewReader(ctx, restConfig(in, rest.PageNumber), rest.Options{Backoff: time.Millisecond, Attempts: 2})
		if _, err := r.Next(); err == nil || suppliers.IsRowError(err) {
			t.Fatalf("REST page cut off: %v, want a feed error", err)
		}
		f, _ := transport.NewSFTP(transport.SFTPConfig{Host: in.SFTPAddr, User: in.User, Password: in.Password, Path: in.StockFile})
		_, body := fetch(t, f, "", "")
		full := sandbox.RenderCSV(s.Catalog().Snapshot().Items)
		if len(body) >= len(full) || bytes.HasSuffix(body, []byte("\n")) || !bytes.HasPrefix(full, body) {
			t.Fatalf("SFTP stock.csv is %d of %d bytes, ends %q: want a prefix cut mid-row", len(body), len(full), body[len(body)-10:])
		}
	})

	t.Run("garbled feed", func(t *testing.T) {
		t.Parallel()
		s := start(t, sandbox.Config{HTTPAddr: ":0", FTPAddr: ":0", Faults: sandbox.Faults{Garble: true}})
		in := s.Info()
		h, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.CSVURL})
		_, body := fetch(t, h, "", "")
		if utf8.Valid(body) || !bytes.ContainsRune(body, 0) {
			t.Fatal("garbled CSV is still valid UTF-8 without NUL bytes")
		}
		x, _ := transport.NewHTTP(transport.HTTPConfig{URL: in.XMLURL})
		_, xbody := fetch(t, x, "", "")
		if err := xml.Unmarshal(xbody, new(struct{})); err == nil {
			t.Fatal("garbled XML parsed")
		}
		r, _ := rest.NewReader(ctx, restConfig(in, rest.PageNumber), rest.Options{})
		if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
			t.Fatalf("garbled REST page: %v", err)
		}
		f, _ := transport.NewFTP(transport.FTPConfig{Host: in.FTPAddr, User: in.User, Password: in.Password, Path: in.StockFile})
		_, ftpBody := fetch(t, f, "", "")
		if utf8.Valid(ftpBody) {
			t.Fatal("garbled FTP file is valid UTF-8")
		}
	})

	t.Run("wrong webhook signature", func(t *testing.T) {
		t.Parallel()
		secret := standardwebhooks.NewSecret()
		rv := newReceiver(t, secret)
		s := start(t, sandbox.Config{WebhookURL: rv.URL, WebhookSecret: secret, WebhookBackoff: time.Millisecond, Faults: sandbox.Faults{WrongSignature: true}})
		s.SetQuantity("ACME-000001", 1)
		rv.wait(t)
		rv.mu.Lock()
		defer rv.mu.Unlock()
		if len(rv.refusals) == 0 || !errors.Is(rv.refusals[0], standardwebhooks.ErrNoMatchingSignature) || len(rv.messages) != 0 {
			t.Fatalf("refusals %v, messages %d", rv.refusals, len(rv.messages))
		}
	})

	t.Run("stale webhook timestamp", func(t *testing.T) {
		t.Parallel()
		secret := standardwebhooks.NewSecret()
		rv := newReceiver(t, secret)
		s := start(t, sandbox.Config{WebhookURL: rv.URL, WebhookSecret: secret, WebhookBackoff: time.Millisecond, Faults: sandbox.Faults{StaleTimestamp: true}})
		s.SetQuantity("ACME-000001", 1)
		rv.wait(t)
		rv.mu.Lock()
		defer rv.mu.Unlock()
		if len(rv.refusals) == 0 || !errors.Is(rv.refusals[0], standardwebhooks.ErrTimestampTooOld) || len(rv.messages) != 0 {
			t.Fatalf("refusals %v, messages %d", rv.refusals, len(rv.messages))
		}
	})
}

func TestConfigChecks(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]sandbox.Config{
		"no code":            {SKUs: 1},
		"no SKUs":            {Code: "acme"},
		"webhook, no secret": {Code: "acme", SKUs: 1, WebhookURL: "http://127.0.0.1:8080"},
		"webhook not a URL":  {Code: "acme", SKUs: 1, WebhookURL: "nope", WebhookSecret: standardwebhooks.NewSecret()},
		"code with a slash":  {Code: "a/b", SKUs: 1},
	} {
		if _, err := sandbox.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	s, err := sandbox.New(sandbox.Config{Code: "acme", SKUs: 1, WebhookURL: "http://127.0.0.1:8080", WebhookSecret: standardwebhooks.NewSecret()})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Info().WebhookURL; got != "http://127.0.0.1:8080/webhooks/suppliers/acme" {
		t.Fatalf("webhook URL from a base: %s", got)
	}
}
