package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"dropship/models"
	"dropship/models/demo"
)

// The demo owner's login, printed by `make run`. It is a local demo: change
// it (or add a real owner with `dropship user create`) before going live.
const (
	demoEmail    = "demo@dropship.local"
	demoPassword = "demo-password-1"
)

type demoCredentials struct{ Email, Password, APIKey string }

func cmdSeed(ctx context.Context, root string, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "add the demo owner and demo data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo {
		return errors.New("usage: dropship seed --demo")
	}
	e, err := openEnv(ctx, root)
	if err != nil {
		return err
	}
	defer e.close()
	if err := e.migrateUp(ctx); err != nil {
		return err
	}
	creds, err := seedDemo(ctx, e)
	if err != nil {
		return err
	}
	fmt.Printf("Demo login: %s  password: %s\n", creds.Email, creds.Password)
	return nil
}

// seedDemo adds the demo owner and the demo catalog once; later runs leave
// existing data alone (the catalog is seeded only while it is empty).
func seedDemo(ctx context.Context, e *env) (*demoCredentials, error) {
	_, err := models.GetUserByEmail(ctx, e.db, demoEmail)
	switch {
	case errors.Is(err, models.ErrNotFound):
		if _, err := models.CreateUser(ctx, e.db, nil, models.NewUser{
			Email: demoEmail, Name: "Demo Owner", Role: models.RoleOwner, Password: demoPassword,
		}); err != nil {
			return nil, fmt.Errorf("seed: demo owner: %w", err)
		}
		e.log.Info("demo owner added", "owner", demoEmail)
	case err != nil:
		return nil, err
	}
	box, err := models.NewSecretBox(e.cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	seeded, err := demo.Seed(ctx, e.db, box)
	if err != nil {
		return nil, fmt.Errorf("seed: demo catalog: %w", err)
	}
	if seeded {
		e.log.Info("demo catalog seeded")
	}
	orders, err := demo.SeedOrders(ctx, e.db)
	if err != nil {
		return nil, fmt.Errorf("seed: demo orders: %w", err)
	}
	creds := &demoCredentials{Email: demoEmail, Password: demoPassword}
	if orders > 0 {
		e.log.Info("demo orders placed", "orders", orders)
		// A storefront key for trying the API; shown once, like every key.
		if _, key, err := models.CreateAPIKey(ctx, e.db, nil, "Demo storefront"); err == nil {
			creds.APIKey = key
		}
	}
	return creds, nil
}
