// Command dropship is the back office: the web server, its jobs and the
// commands that set it up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `dropship — the back office of a dropshipping business.

Usage:
  dropship serve [--demo]        run the web server and background jobs
  dropship migrate up|down|status
  dropship seed --demo           add the demo owner (and demo data)
  dropship user create --email E --role R [--name N]
  dropship user set-password --email E
  dropship apikey create --name NAME   a storefront API key (printed once)
  dropship db start|stop|url     the private PostgreSQL under ./.data (when DATABASE_URL is unset)

Run "dropship serve --help" for the environment variables.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dropship:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, root, rest)
	case "migrate":
		return cmdMigrate(ctx, root, rest)
	case "seed":
		return cmdSeed(ctx, root, rest)
	case "user":
		return cmdUser(ctx, root, rest)
	case "db":
		return cmdDB(ctx, root, rest)
	case "apikey":
		return cmdAPIKey(ctx, root, rest)
	case "sandbox":
		return cmdSandbox(ctx, root, rest)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// cmdDB manages the private cluster; "start" prints its URL for scripts.
func cmdDB(ctx context.Context, root string, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: dropship db start|stop|url")
	}
	if u := os.Getenv("DATABASE_URL"); u != "" && args[0] != "stop" {
		fmt.Println(u) // an explicit database: nothing to start
		return nil
	}
	l, err := newLocalDB(root)
	if err != nil {
		return err
	}
	switch args[0] {
	case "start":
		if err := l.Start(ctx); err != nil {
			return err
		}
		fmt.Println(l.URL())
	case "stop":
		return l.Stop()
	case "url":
		fmt.Println(l.URL())
	default:
		return errors.New("usage: dropship db start|stop|url")
	}
	return nil
}
