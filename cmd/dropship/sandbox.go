package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/webhooks/standardwebhooks"
)

// cmdSandbox runs one sandbox supplier until interrupted.
func cmdSandbox(ctx context.Context, root string, args []string) error {
	return runSandbox(ctx, root, args, os.Stdout)
}

// runSandbox prints what the supplier serves to out once it is reachable.
func runSandbox(ctx context.Context, root string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	var cfg sandbox.Config
	fs.StringVar(&cfg.Code, "code", "acme", "supplier code: SKU prefix and webhook path")
	fs.Int64Var(&cfg.Seed, "seed", 1, "catalog seed (suppliers with one seed carry the same products)")
	fs.IntVar(&cfg.SKUs, "skus", 200, "number of SKUs")
	fs.StringVar(&cfg.Currency, "currency", "USD", "currency of costs")
	fs.DurationVar(&cfg.Drift, "drift", 0, "how often stock moves, e.g. 10s (0: never)")
	fs.StringVar(&cfg.Dir, "dir", "", "folder for the host key, certificate and files (default .data/sandbox/CODE)")
	fs.StringVar(&cfg.HTTPAddr, "http", ":0", "REST API and feeds address (:0 picks a port, empty: off)")
	fs.StringVar(&cfg.SFTPAddr, "sftp", ":0", "SFTP address (:0 picks a port, empty: off)")
	fs.StringVar(&cfg.FTPAddr, "ftp", ":0", "FTP address (:0 picks a port, empty: off)")
	fs.BoolVar(&cfg.FTPTLS, "ftp-tls", false, "serve explicit FTPS (AUTH TLS) with a self-signed certificate")
	fs.StringVar(&cfg.Token, "token", "", "REST bearer token (default tok_CODE)")
	fs.StringVar(&cfg.User, "user", "", "SFTP/FTP user (default CODE)")
	fs.StringVar(&cfg.Password, "password", "", "SFTP/FTP password (default CODE-pass)")
	authorizedKeys := fs.String("authorized-keys", "", "file of SSH public keys that may log in to SFTP")
	fs.StringVar(&cfg.WebhookURL, "webhook-url", "", "where stock webhooks go; a URL without a path gets /webhooks/suppliers/CODE (empty: none)")
	secret := fs.String("webhook-secret", "", "Standard Webhooks secret whsec_... (generated and printed when empty)")
	fs.DurationVar(&cfg.Faults.Latency, "latency", 0, "fault: delay every HTTP answer and SFTP/FTP login")
	fs.Float64Var(&cfg.Faults.ErrorRate, "error-rate", 0, "fault: share (0..1) of HTTP requests answered 503")
	fs.Float64Var(&cfg.Faults.RateLimitRate, "rate-limit-rate", 0, "fault: share (0..1) of HTTP requests answered 429")
	fs.BoolVar(&cfg.Faults.Truncate, "truncate", false, "fault: cut feeds off mid-transfer and files mid-row")
	fs.BoolVar(&cfg.Faults.Garble, "garble", false, "fault: Latin-1 and junk bytes in feeds and API pages")
	fs.BoolVar(&cfg.Faults.WrongSignature, "wrong-signature", false, "fault: sign webhooks with a secret nobody knows")
	fs.BoolVar(&cfg.Faults.StaleTimestamp, "stale-timestamp", false, "fault: stamp webhooks 10 minutes in the past")
	asJSON := fs.Bool("json", false, "print what is served as one JSON line (for scripts)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: dropship sandbox [flags]\n\nRuns a sandbox supplier on loopback: REST API, CSV/XML feeds, SFTP, FTP, X12 846 files and signed stock webhooks.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sandbox: unexpected argument %q", fs.Arg(0))
	}
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(root, ".data", "sandbox", cfg.Code)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if *authorizedKeys != "" {
		keys, err := readAuthorizedKeys(*authorizedKeys)
		if err != nil {
			return err
		}
		cfg.AuthorizedKeys = keys
	}
	if cfg.WebhookURL != "" {
		if *secret == "" {
			cfg.WebhookSecret = standardwebhooks.NewSecret()
		} else {
			s, err := standardwebhooks.ParseSecret(*secret)
			if err != nil {
				return err
			}
			cfg.WebhookSecret = s
		}
	}
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	s, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	defer s.Close()
	if *asJSON {
		if err := json.NewEncoder(out).Encode(s.Info()); err != nil {
			return err
		}
	} else {
		printSandboxInfo(out, s.Info(), cfg)
	}
	<-ctx.Done()
	return s.Close()
}

func readAuthorizedKeys(path string) ([]ssh.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sandbox: authorized keys: %w", err)
	}
	var keys []ssh.PublicKey
	for len(strings.TrimSpace(string(b))) > 0 {
		key, _, _, rest, err := ssh.ParseAuthorizedKey(b)
		if err != nil {
			return nil, fmt.Errorf("sandbox: authorized keys %s: %w", path, err)
		}
		keys = append(keys, key)
		b = rest
	}
	return keys, nil
}

func printSandboxInfo(w io.Writer, in sandbox.Info, cfg sandbox.Config) {
	drift := "stock stays still"
	if cfg.Drift > 0 {
		drift = "stock drifts every " + cfg.Drift.String()
	}
	fmt.Fprintf(w, "sandbox supplier %s: %d SKUs, seed %d, %s\n", in.Code, in.SKUs, cfg.Seed, drift)
	if in.RESTURL != "" {
		fmt.Fprintf(w, "  REST API   %s  (Authorization: Bearer %s; ?page=&limit=, ?cursor=, Link)\n", in.RESTURL, in.Token)
		fmt.Fprintf(w, "  CSV feed   %s\n", in.CSVURL)
		fmt.Fprintf(w, "  XML feed   %s\n", in.XMLURL)
	}
	if in.SFTPAddr != "" {
		fmt.Fprintf(w, "  SFTP       %s  user %s  password %s  host key %s\n", in.SFTPAddr, in.User, in.Password, in.SFTPHostKey)
	}
	if in.FTPAddr != "" {
		tls := ""
		if in.FTPTLS {
			tls = "  explicit TLS, certificate " + filepath.Join(in.Dir, "ftp_tls.crt")
		}
		fmt.Fprintf(w, "  FTP        %s  user %s  password %s%s\n", in.FTPAddr, in.User, in.Password, tls)
	}
	if in.SFTPAddr != "" || in.FTPAddr != "" {
		fmt.Fprintf(w, "  files      %s  %s  %s\n", in.StockFile, in.DatedFiles, in.X12846Files)
	}
	if in.WebhookURL != "" {
		fmt.Fprintf(w, "  webhooks   POST %s  secret %s\n", in.WebhookURL, in.WebhookSecret)
	}
	var faults []string
	f := cfg.Faults
	if f.Latency > 0 {
		faults = append(faults, "latency "+f.Latency.String())
	}
	if f.ErrorRate > 0 {
		faults = append(faults, fmt.Sprintf("503 rate %.0f%%", f.ErrorRate*100))
	}
	if f.RateLimitRate > 0 {
		faults = append(faults, fmt.Sprintf("429 rate %.0f%%", f.RateLimitRate*100))
	}
	if f.Truncate {
		faults = append(faults, "truncated feeds")
	}
	if f.Garble {
		faults = append(faults, "garbled feeds")
	}
	if f.WrongSignature {
		faults = append(faults, "wrong webhook signatures")
	}
	if f.StaleTimestamp {
		faults = append(faults, "stale webhook timestamps")
	}
	if len(faults) > 0 {
		fmt.Fprintf(w, "  FAULTS     %s\n", strings.Join(faults, ", "))
	}
	fmt.Fprintf(w, "  state      %s\n", in.Dir)
}
