package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/webhooks/standardwebhooks"
	"dropship/models"
	"dropship/models/demo"
)

// demoSandboxSeed makes the sandboxes' catalogs the same on every start.
const demoSandboxSeed = 20261127

// startDemoSandboxes runs, in this process, the sandbox suppliers behind the
// demo suppliers: ACME's REST API, BOLT's CSV files over SFTP, CRANE's CSV
// over HTTP, and DELTA's signed stock webhooks to this server. Ports are
// SANDBOX_PORT_BASE (9100) + 1, + 22 and + 3. Their stock drifts; each
// catalog carries exactly the SKUs the demo data maps. The returned stop
// closes them all.
func startDemoSandboxes(ctx context.Context, e *env, box *models.SecretBox, root string) (stop func(), err error) {
	base := 9100
	if v := os.Getenv("SANDBOX_PORT_BASE"); v != "" {
		if base, err = strconv.Atoi(v); err != nil || base < 1 || base > 65000 {
			return nil, fmt.Errorf("serve: SANDBOX_PORT_BASE %q is not a port number", v)
		}
	}
	skus, err := demo.SandboxSKUs(ctx, e.db)
	if err != nil {
		return nil, err
	}
	secret, err := standardwebhooks.ParseSecret(demo.DELTASecret)
	if err != nil {
		return nil, err
	}
	addr := func(off int) string { return fmt.Sprintf("127.0.0.1:%d", base+off) }
	log := e.log.With("component", "sandbox")
	configs := []sandbox.Config{
		{Code: "acme", SKUs: skus["ACME"], HTTPAddr: addr(1), Token: demo.ACMEToken, Drift: 20 * time.Second},
		{Code: "bolt", SKUs: skus["BOLT"], SFTPAddr: addr(22), User: demo.BOLTUser, Password: demo.BOLTPassword, Currency: "EUR",
			Drift: 30 * time.Second},
		{Code: "crane", SKUs: skus["CRANE"], HTTPAddr: addr(3), Drift: 45 * time.Second},
		{Code: "delta", SKUs: skus["DELTA"], Currency: "GBP", Drift: 15 * time.Second,
			WebhookURL: e.cfg.BaseURL + "/webhooks/suppliers/DELTA", WebhookSecret: secret},
	}
	var running []*sandbox.Supplier
	stop = func() {
		for _, s := range running {
			s.Close()
		}
	}
	for _, cfg := range configs {
		if cfg.SKUs == 0 {
			continue // that demo supplier was removed or renamed
		}
		cfg.Seed, cfg.Log = demoSandboxSeed, log
		cfg.Dir = filepath.Join(root, ".data", "sandbox", "demo-"+cfg.Code)
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			stop()
			return nil, fmt.Errorf("serve: sandbox %s: %w", cfg.Code, err)
		}
		s, err := sandbox.New(cfg)
		if err == nil {
			err = s.Start(ctx)
		}
		if err != nil {
			stop()
			return nil, fmt.Errorf("serve: sandbox supplier %s (is another server using port %d and up?): %w", cfg.Code, base, err)
		}
		running = append(running, s)
	}
	var a demo.SandboxAddrs
	for _, s := range running {
		in := s.Info()
		switch strings.ToUpper(in.Code) {
		case "ACME":
			a.ACMEInventoryURL = in.RESTURL
		case "BOLT":
			a.BOLTSFTPAddr = in.SFTPAddr
		case "CRANE":
			a.CRANEFeedURL = in.CSVURL
		}
	}
	if err := demo.ConnectSandboxes(ctx, e.db, box, a); err != nil {
		stop()
		return nil, err
	}
	for _, s := range running {
		in := s.Info()
		switch {
		case in.WebhookURL != "":
			// A webhook-only supplier sends its whole stock once, so the pool starts with its figures.
			s.PublishAll()
			log.Info("sandbox supplier sends webhooks", "code", in.Code, "to", in.WebhookURL, "skus", in.SKUs)
		case in.RESTURL != "":
			log.Info("sandbox supplier serves REST and feeds", "code", in.Code, "url", in.RESTURL, "skus", in.SKUs)
		default:
			log.Info("sandbox supplier serves SFTP", "code", in.Code, "addr", in.SFTPAddr, "skus", in.SKUs)
		}
	}
	if len(running) == 0 {
		return stop, errors.New("serve: no demo supplier to run a sandbox for")
	}
	return stop, nil
}
