package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"dropship/integrations/webhooks/standardwebhooks"
)

// Config describes one sandbox supplier. Addresses left empty are not served;
// ":0" picks a free port. A host left out of an address means 127.0.0.1.
type Config struct {
	Code     string // short supplier code, e.g. "acme": SKU prefix and webhook path
	Seed     int64
	SKUs     int
	Currency string // ISO 4217 of costs; USD when empty
	// Drift is how often stock moves in demo mode; 0 keeps it still (tests call Step).
	Drift time.Duration
	// Dir keeps the SSH host key (so its fingerprint survives restarts), the FTPS
	// certificate and the served files; a temporary folder, removed on Close, when empty.
	Dir string

	HTTPAddr string
	SFTPAddr string
	FTPAddr  string

	// Token is the REST API's bearer token.
	Token string
	// User and Password log in to SFTP and FTP.
	User     string
	Password string
	// AuthorizedKeys may also log in to SFTP.
	AuthorizedKeys []ssh.PublicKey
	// FTPTLS serves explicit FTPS (AUTH TLS) with a self-signed certificate kept in Dir.
	FTPTLS bool

	// WebhookURL receives signed stock.updated webhooks; a URL with no path
	// gets /webhooks/suppliers/{code}. Empty sends none.
	WebhookURL    string
	WebhookSecret standardwebhooks.Secret
	// WebhookBackoff is the first retry wait of a webhook delivery; 1 s when zero.
	WebhookBackoff time.Duration

	Faults Faults
	Log    *slog.Logger
}

// Supplier is one running sandbox supplier: its catalog and the servers that
// show it. Later protocols (purchase orders over REST or X12 850, 855/856
// answers, tracking) become more methods and more routes on it.
type Supplier struct {
	cfg     Config
	log     *slog.Logger
	catalog *Catalog
	dice    dice
	tempDir bool
	filesMu sync.Mutex
	hooks   chan []Item
	hostKey ssh.Signer
	ftpCA   string

	httpSrv *http.Server
	httpLn  net.Listener
	sftp    *SFTPServer
	ftp     *FTPServer

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// New checks cfg and builds the supplier's catalog; Start serves it.
func New(cfg Config) (*Supplier, error) {
	if cfg.Code == "" || strings.ContainsAny(cfg.Code, "/ ") {
		return nil, errors.New("sandbox: a supplier code (letters and digits) is required")
	}
	if cfg.SKUs <= 0 {
		return nil, errors.New("sandbox: the catalog needs at least one SKU")
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	if cfg.Token == "" {
		cfg.Token = "tok_" + cfg.Code
	}
	if cfg.User == "" {
		cfg.User = cfg.Code
	}
	if cfg.Password == "" {
		cfg.Password = cfg.Code + "-pass"
	}
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("sandbox: webhook URL %q is not an http(s) URL", cfg.WebhookURL)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/webhooks/suppliers/" + cfg.Code
		}
		cfg.WebhookURL = u.String()
		if len(cfg.WebhookSecret) == 0 {
			return nil, errors.New("sandbox: a webhook URL needs a webhook secret")
		}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Supplier{
		cfg:     cfg,
		log:     log.With("supplier", cfg.Code),
		catalog: NewCatalog(cfg.Code, cfg.Seed, cfg.SKUs, cfg.Currency, time.Now()),
		dice:    dice{rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0xfa17))},
	}
	return s, nil
}

// Catalog is the supplier's stock.
func (s *Supplier) Catalog() *Catalog { return s.catalog }

// Start writes the files, opens the listeners and starts drifting and
// sending webhooks; it returns once everything is reachable.
func (s *Supplier) Start(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.cfg.Dir == "" {
		if s.cfg.Dir, err = os.MkdirTemp("", "sandbox-"+s.cfg.Code+"-"); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		s.tempDir = true
	}
	if err := os.MkdirAll(s.filesDir(), 0o755); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if s.hostKey, err = LoadOrCreateHostKey(filepath.Join(s.cfg.Dir, "ssh_host_ed25519_key")); err != nil {
		return err
	}
	if err := s.writeFiles(time.Now()); err != nil {
		return err
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))

	if s.cfg.HTTPAddr != "" {
		if s.httpLn, err = net.Listen("tcp", loopback(s.cfg.HTTPAddr)); err != nil {
			return fmt.Errorf("sandbox: http: %w", err)
		}
		s.httpSrv = &http.Server{Handler: s.faultMiddleware(s.routes()), ReadHeaderTimeout: 10 * time.Second}
		s.wg.Go(func() {
			if err := s.httpSrv.Serve(s.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("sandbox: http server stopped", "err", err)
			}
		})
	}
	if s.cfg.SFTPAddr != "" {
		s.sftp = &SFTPServer{
			Root: s.filesDir(), User: s.cfg.User, Password: s.cfg.Password,
			AuthorizedKeys: s.cfg.AuthorizedKeys, HostKey: s.hostKey, Latency: s.cfg.Faults.Latency, Log: s.log,
		}
		if err := s.sftp.Listen(loopback(s.cfg.SFTPAddr)); err != nil {
			return err
		}
	}
	if s.cfg.FTPAddr != "" {
		s.ftp = &FTPServer{Root: s.filesDir(), User: s.cfg.User, Password: s.cfg.Password, Latency: s.cfg.Faults.Latency, Log: s.log}
		if s.cfg.FTPTLS {
			cert, caPEM, err := LoadOrCreateCertificate(filepath.Join(s.cfg.Dir, "ftp_tls"))
			if err != nil {
				return err
			}
			s.ftp.TLS, s.ftpCA = &cert, caPEM
		}
		if err := s.ftp.Listen(loopback(s.cfg.FTPAddr)); err != nil {
			return err
		}
	}
	if s.cfg.WebhookURL != "" {
		s.hooks = make(chan []Item, 64)
		s.wg.Go(func() { s.sendWebhooks(ctx) })
	}
	if s.cfg.Drift > 0 {
		s.wg.Go(func() {
			t := time.NewTicker(s.cfg.Drift)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case now := <-t.C:
					s.Step(now)
				}
			}
		})
	}
	return nil
}

// loopback puts 127.0.0.1 in front of an address given as ":port".
func loopback(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

func (s *Supplier) filesDir() string { return filepath.Join(s.cfg.Dir, "files") }

// Step drifts the stock once and publishes the change (files, 846, webhook).
func (s *Supplier) Step(now time.Time) []Item {
	changed := s.catalog.Drift(now)
	if len(changed) > 0 {
		s.publish(now, changed)
	}
	return changed
}

// PublishAll publishes the whole catalog as one change (files and one
// webhook with every SKU), for a receiver that starts without our figures.
func (s *Supplier) PublishAll() {
	s.publish(time.Now(), s.catalog.Snapshot().Items)
}

// SetQuantity changes one SKU's stock and publishes the change.
func (s *Supplier) SetQuantity(sku string, qty int64) (Item, error) {
	now := time.Now()
	it, ok := s.catalog.Set(sku, qty, now)
	if !ok {
		return Item{}, fmt.Errorf("sandbox: no SKU %q", sku)
	}
	s.publish(now, []Item{it})
	return it, nil
}

func (s *Supplier) publish(now time.Time, changed []Item) {
	if err := s.writeFiles(now); err != nil {
		s.log.Error("sandbox: write files", "err", err)
	}
	if s.hooks != nil {
		select {
		case s.hooks <- changed:
		default:
			s.log.Warn("sandbox: webhook queue full, dropping an update (the feeds still carry it)", "items", len(changed))
		}
	}
}

// Close stops every server and goroutine; a temporary Dir is removed. Later calls do nothing.
func (s *Supplier) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Supplier) close() error {
	if s.cancel != nil {
		s.cancel()
	}
	var errs []error
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		errs = append(errs, s.httpSrv.Shutdown(ctx))
		cancel()
	} else if s.httpLn != nil {
		errs = append(errs, s.httpLn.Close())
	}
	if s.sftp != nil {
		errs = append(errs, s.sftp.Close())
	}
	if s.ftp != nil {
		errs = append(errs, s.ftp.Close())
	}
	s.wg.Wait()
	if s.tempDir {
		errs = append(errs, os.RemoveAll(s.cfg.Dir))
	}
	return errors.Join(errs...)
}

// Info is what a running supplier serves and how to log in, for people and scripts.
type Info struct {
	Code string `json:"code"`
	SKUs int    `json:"skus"`
	Dir  string `json:"dir"`

	RESTURL string `json:"rest_url,omitempty"`
	Token   string `json:"token,omitempty"`
	CSVURL  string `json:"csv_url,omitempty"`
	XMLURL  string `json:"xml_url,omitempty"`

	User     string `json:"user"`
	Password string `json:"password"`

	SFTPAddr    string `json:"sftp_addr,omitempty"`
	SFTPHostKey string `json:"sftp_host_key,omitempty"`
	FTPAddr     string `json:"ftp_addr,omitempty"`
	FTPTLS      bool   `json:"ftp_tls,omitempty"`
	FTPCACert   string `json:"ftp_ca_cert,omitempty"`

	// Files are the paths served over SFTP and FTP.
	StockFile   string `json:"stock_file"`
	DatedFiles  string `json:"dated_files"`
	X12846Files string `json:"x12_846_files"`

	WebhookURL    string `json:"webhook_url,omitempty"`
	WebhookSecret string `json:"webhook_secret,omitempty"`
}

// Info describes the running servers.
func (s *Supplier) Info() Info {
	in := Info{
		Code: s.cfg.Code, SKUs: s.cfg.SKUs, Dir: s.cfg.Dir, User: s.cfg.User, Password: s.cfg.Password,
		StockFile: "/" + stockFile, DatedFiles: "/" + datedPattern, X12846Files: "/" + x12Dir + "/",
	}
	if s.httpLn != nil {
		base := "http://" + s.httpLn.Addr().String()
		in.RESTURL, in.Token = base+inventoryPath, s.cfg.Token
		in.CSVURL, in.XMLURL = base+csvPath, base+xmlPath
	}
	if s.sftp != nil {
		in.SFTPAddr = s.sftp.Addr()
		in.SFTPHostKey = ssh.FingerprintSHA256(s.hostKey.PublicKey())
	}
	if s.ftp != nil {
		in.FTPAddr, in.FTPTLS, in.FTPCACert = s.ftp.Addr(), s.cfg.FTPTLS, s.ftpCA
	}
	if s.cfg.WebhookURL != "" {
		in.WebhookURL, in.WebhookSecret = s.cfg.WebhookURL, s.cfg.WebhookSecret.String()
	}
	return in
}
