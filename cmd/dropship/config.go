package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// config is the process configuration, read from the environment only.
type config struct {
	DatabaseURL    string
	ListenAddr     string
	BaseURL        string
	SecretKey      []byte
	LogLevel       slog.Level
	LogFormat      string
	ProxyHeader    string
	TrustedProxies []string
}

// envVars documents every variable for --help, in the order people need them.
var envVars = []struct{ Name, Default, Help string }{
	{"DATABASE_URL", "(private cluster under ./.data/postgres)", "PostgreSQL connection URL. Unset: a local cluster is started for you."},
	{"LISTEN_ADDR", ":8080", "Address the HTTP server listens on."},
	{"BASE_URL", "http://localhost:<port>", "Public URL of the app; https turns on Secure cookies and HSTS."},
	{"SECRET_KEY", "(generated into ./.data/secret_key)", "32-byte key, hex or base64, that encrypts stored supplier and payment secrets."},
	{"LOG_LEVEL", "info", "debug, info, warn or error."},
	{"LOG_FORMAT", "text", "text or json."},
	{"PROXY_HEADER", "", "Header carrying the client address behind a proxy (e.g. X-Forwarded-For)."},
	{"TRUSTED_PROXIES", "127.0.0.1,::1", "Comma-separated addresses or CIDRs of the proxies whose PROXY_HEADER is believed."},
}

func printEnvHelp(w io.Writer) {
	fmt.Fprintln(w, "Environment:")
	for _, v := range envVars {
		fmt.Fprintf(w, "  %-13s %s\n  %-13s default: %s\n", v.Name, v.Help, "", v.Default)
	}
}

// loadConfig reads the environment; root is where ./.data lives.
func loadConfig(root string) (*config, error) {
	c := &config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		ListenAddr:  envOr("LISTEN_ADDR", ":8080"),
		BaseURL:     strings.TrimRight(os.Getenv("BASE_URL"), "/"),
		LogFormat:   envOr("LOG_FORMAT", "text"),
		ProxyHeader: os.Getenv("PROXY_HEADER"),
	}
	for _, p := range strings.Split(os.Getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(envOr("LOG_LEVEL", "info"))); err != nil {
		return nil, fmt.Errorf("config: LOG_LEVEL: %w", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, fmt.Errorf("config: LOG_FORMAT must be text or json, not %q", c.LogFormat)
	}
	if c.BaseURL == "" {
		_, port, err := net.SplitHostPort(c.ListenAddr)
		if err != nil {
			return nil, fmt.Errorf("config: LISTEN_ADDR %q: %w", c.ListenAddr, err)
		}
		c.BaseURL = "http://localhost:" + port
	}
	key, err := loadSecretKey(root)
	if err != nil {
		return nil, err
	}
	c.SecretKey = key
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// loadSecretKey decodes SECRET_KEY, or for local runs reads (or creates) ./.data/secret_key.
func loadSecretKey(root string) ([]byte, error) {
	if v := os.Getenv("SECRET_KEY"); v != "" {
		key, err := decodeKey(v)
		if err != nil {
			return nil, fmt.Errorf("config: SECRET_KEY: %w", err)
		}
		return key, nil
	}
	path := filepath.Join(root, ".data", "secret_key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("config: write %s: %w", path, err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	key, err := decodeKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("want 32 bytes as 64 hex digits or base64 (openssl rand -hex 32)")
}

func newLogger(c *config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
