package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"dropship/models"
)

// cmdAPIKey makes a storefront API key and prints it once.
func cmdAPIKey(ctx context.Context, root string, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: dropship apikey create --name NAME")
	}
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	name := fs.String("name", "", "what the key is for, e.g. the storefront's name")
	if err := fs.Parse(args[1:]); err != nil {
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
	k, plain, err := models.CreateAPIKey(ctx, e.db, nil, *name)
	if err != nil {
		return err
	}
	fmt.Printf("API key %q created. It is shown once; store it now:\n%s\n", k.Name, plain)
	return nil
}
