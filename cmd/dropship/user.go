package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"dropship/models"
)

func cmdUser(ctx context.Context, root string, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: dropship user create --email E --role R [--name N] | set-password --email E")
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	email := fs.String("email", "", "the user's email (their sign-in name)")
	role := fs.String("role", "", "owner, manager, cs_rep or viewer")
	name := fs.String("name", "", "the user's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	password, generated, err := readPassword()
	if err != nil {
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
	switch args[0] {
	case "create":
		u, err := models.CreateUser(ctx, e.db, nil, models.NewUser{Email: *email, Name: *name, Role: models.Role(*role), Password: password})
		if err != nil {
			return err
		}
		fmt.Printf("created %s (%s)\n", u.Email, u.Role.Label())
	case "set-password":
		u, err := models.GetUserByEmail(ctx, e.db, *email)
		if err != nil {
			return err
		}
		if err := models.SetPassword(ctx, e.db, u, password); err != nil {
			return err
		}
		fmt.Printf("password set for %s\n", u.Email)
	default:
		return fmt.Errorf("unknown user command %q", args[0])
	}
	if generated {
		fmt.Printf("password: %s\n", password)
	}
	return nil
}

// readPassword takes the first line of stdin when it is piped, or generates one.
func readPassword() (password string, generated bool, err error) {
	st, err := os.Stdin.Stat()
	if err == nil && st.Mode()&os.ModeCharDevice == 0 {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return models.GeneratePassword(), true, nil // empty stdin (</dev/null)
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	return models.GeneratePassword(), true, nil
}
