package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"dropship/handlers"
	"dropship/integrations/payments"
	"dropship/jobs"
	"dropship/models"
)

func cmdServe(ctx context.Context, root string, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "seed the demo data on first start and print the demo login")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: dropship serve [--demo]\n\nRuns the web server and the background jobs; applies pending migrations first.")
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output())
		printEnvHelp(fs.Output())
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := openEnv(ctx, root)
	if err != nil {
		return err
	}
	defer e.close()
	if err := e.migrateUp(ctx); err != nil {
		return err
	}
	var demoLogin *demoCredentials
	if *demo {
		if demoLogin, err = seedDemo(ctx, e); err != nil {
			return err
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	migrator, err := e.migrator()
	if err != nil {
		return err
	}
	box, err := models.NewSecretBox(e.cfg.SecretKey)
	if err != nil {
		return err
	}
	gateways, err := loadPaymentGateways()
	if err != nil {
		return err
	}
	sched, err := jobs.NewScheduler(e.db, e.log, reg)
	if err != nil {
		return err
	}
	inv := jobs.NewInventory(e.db, box, e.log, sched)
	defer inv.Close()
	deps := handlers.Deps{
		DB: e.db, Log: e.log, Registry: reg, Payments: gateways, Secrets: box, Inventory: inv,
		Ready: func(ctx context.Context) error {
			if err := e.sqlDB.PingContext(ctx); err != nil {
				return fmt.Errorf("database unreachable: %w", err)
			}
			pending, err := migrator.HasPending(ctx)
			if err != nil {
				return fmt.Errorf("migrations: %w", err)
			}
			if pending {
				return errors.New("migrations pending")
			}
			return nil
		},
	}
	if s, ok := gateways[payments.ProviderStripe].(*payments.Stripe); ok {
		deps.StripeHooks = s
	}
	if p, ok := gateways[payments.ProviderPayPal].(*payments.PayPal); ok {
		deps.PayPalHooks = p
	}
	app, err := handlers.New(handlers.Config{BaseURL: e.cfg.BaseURL, ProxyHeader: e.cfg.ProxyHeader, TrustedProxies: e.cfg.TrustedProxies}, deps)
	if err != nil {
		return err
	}

	for _, j := range append([]jobs.Job{jobs.Housekeeping(e.db), jobs.ExpireHolds(e.db), jobs.VerifyPendingPayments(e.db, gateways),
		jobs.CapturePayments(e.db, gateways, payments.IsTemporary)}, inv.Jobs()...) {
		if err := sched.Add(j); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", e.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", e.cfg.ListenAddr, err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	if demoLogin != nil {
		stopSandboxes, err := startDemoSandboxes(ctx, e, box, root)
		if err != nil {
			return err
		}
		defer stopSandboxes()
	}
	sched.Start()

	e.log.Info("dropship is up", "url", e.cfg.BaseURL, "listen", e.cfg.ListenAddr)
	if demoLogin != nil {
		fmt.Fprintf(os.Stdout, "\n  dropship is running at %s/login\n  Demo login: %s  password: %s\n", e.cfg.BaseURL, demoLogin.Email, demoLogin.Password)
		if demoLogin.APIKey != "" {
			fmt.Fprintf(os.Stdout, "  Storefront API key (shown once): %s\n  Try: curl -H 'Authorization: Bearer %s' %s/api/v1/products?limit=2\n", demoLogin.APIKey, demoLogin.APIKey, e.cfg.BaseURL)
		}
		fmt.Fprintln(os.Stdout)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	e.log.Info("shutting down: finishing in-flight requests and jobs")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(shutdownCtx); err != nil {
		e.log.Error("http shutdown", "err", err)
	}
	if err := sched.Shutdown(shutdownCtx); err != nil {
		e.log.Error("scheduler shutdown", "err", err)
	}
	e.log.Info("stopped")
	return nil
}
