package transport_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/suppliers/transport"
)

// supplierFiles lays out a supplier's drop folder: a current file, dated
// copies whose modification times don't follow their names, a hidden partial
// upload and a folder that matches the pattern.
func supplierFiles(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	files := []struct {
		name string
		body string
		mod  time.Time
	}{
		{"stock.csv", "sku,quantity\nACME-000001,7\n", base},
		{"out/stock_20261125.csv", "sku,quantity\nACME-000001,1\n", base.Add(-48 * time.Hour)},
		{"out/stock_20261127.csv", "sku,quantity\nACME-000001,3\n", base.Add(-2 * time.Hour)},
		// Re-sent late: the newest by modification time though not by name.
		{"out/stock_20261126.csv", "sku,quantity\nACME-000001,2\n", base.Add(-time.Hour)},
		{"out/.stock_20261128.csv.part", "half", base},
		{"out/notes.txt", "not a feed", base.Add(time.Hour)},
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.mod, f.mod); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "out", "stock_2099.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

type sftpFixture struct {
	srv       *sandbox.SFTPServer
	hostKey   string // fingerprint
	clientKey string // PEM of an authorized private key
}

func startSFTP(t *testing.T, root string) sftpFixture {
	t.Helper()
	hk, err := sandbox.LoadOrCreateHostKey(filepath.Join(t.TempDir(), "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	srv := &sandbox.SFTPServer{Root: root, User: "acme", Password: "pw", HostKey: hk, AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return sftpFixture{srv: srv, hostKey: ssh.FingerprintSHA256(hk.PublicKey()), clientKey: string(pem.EncodeToMemory(block))}
}

func TestSFTPPasswordAndKeyAuth(t *testing.T) {
	t.Parallel()
	fx := startSFTP(t, supplierFiles(t))
	ctx := context.Background()
	for name, cfg := range map[string]transport.SFTPConfig{
		"password": {Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/stock.csv"},
		"key":      {Host: fx.srv.Addr(), User: "acme", PrivateKey: fx.clientKey, Path: "/stock.csv"},
	} {
		s, err := transport.NewSFTP(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := s.Fetch(ctx, "", "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := readAll(t, f); got != "sku,quantity\nACME-000001,7\n" {
			t.Fatalf("%s: body %q", name, got)
		}
		if f.Name != "/stock.csv" || f.HostKey != fx.hostKey || f.ETag == "" {
			t.Fatalf("%s: fetched %+v", name, f)
		}
	}

	bad, _ := transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "wrong", Path: "/stock.csv"})
	if _, err := bad.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), `refused user "acme"`) {
		t.Fatalf("wrong password: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(other, "")
	bad, _ = transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", PrivateKey: string(pem.EncodeToMemory(block)), Path: "/stock.csv"})
	if _, err := bad.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestSFTPEncryptedKey(t *testing.T) {
	t.Parallel()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("open sesame"))
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(block))
	base := transport.SFTPConfig{Host: "sftp.supplier.example", User: "acme", PrivateKey: keyPEM, Path: "/stock.csv"}
	if errs := base.Validate(); !strings.Contains(errs["private_key"], "passphrase") {
		t.Fatalf("encrypted key without passphrase: %v", errs)
	}
	base.Passphrase = "wrong"
	if errs := base.Validate(); errs["private_key"] == "" {
		t.Fatalf("wrong passphrase: %v", errs)
	}
	base.Passphrase = "open sesame"
	if errs := base.Validate(); errs != nil {
		t.Fatalf("right passphrase: %v", errs)
	}
}

func TestSFTPHostKeyTrustOnFirstUseThenPinned(t *testing.T) {
	t.Parallel()
	fx := startSFTP(t, supplierFiles(t))
	ctx := context.Background()
	cfg := transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/stock.csv"}

	// First use: nothing pinned, the key seen comes back to be stored.
	s, _ := transport.NewSFTP(cfg)
	p, err := s.TestConnection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.HostKey != fx.hostKey || !strings.HasPrefix(p.HostKey, "SHA256:") {
		t.Fatalf("probe host key %q, want %s", p.HostKey, fx.hostKey)
	}

	// Pinned and matching (also without the SHA256: prefix, as people paste it).
	for _, pin := range []string{p.HostKey, strings.TrimPrefix(p.HostKey, "SHA256:")} {
		cfg.HostKey = pin
		s, _ = transport.NewSFTP(cfg)
		f, err := s.Fetch(ctx, "", "")
		if err != nil {
			t.Fatalf("pinned %q: %v", pin, err)
		}
		readAll(t, f)
	}

	// Pinned to another key: refused before logging in, both fingerprints named.
	impostor, err := sandbox.LoadOrCreateHostKey(filepath.Join(t.TempDir(), "other"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.HostKey = ssh.FingerprintSHA256(impostor.PublicKey())
	s, _ = transport.NewSFTP(cfg)
	logins := fx.srv.Logins()
	f, err := s.Fetch(ctx, "", "")
	var mismatch *transport.HostKeyMismatchError
	if !errors.As(err, &mismatch) || f != nil {
		t.Fatalf("Fetch = %v, %v; want a transport.HostKeyMismatchError", f, err)
	}
	if mismatch.Pinned != cfg.HostKey || mismatch.Seen != fx.hostKey ||
		!strings.Contains(err.Error(), cfg.HostKey) || !strings.Contains(err.Error(), fx.hostKey) {
		t.Fatalf("error does not name both keys: %v", err)
	}
	if _, err := s.TestConnection(ctx); !errors.As(err, &mismatch) {
		t.Fatalf("TestConnection with a wrong pin: %v", err)
	}
	if fx.srv.Logins() != logins {
		t.Fatal("the client logged in to a server whose key did not match")
	}
}

func TestSFTPNewestFileRule(t *testing.T) {
	t.Parallel()
	fx := startSFTP(t, supplierFiles(t))
	ctx := context.Background()
	cases := []struct{ path, name, body string }{
		{"/out/stock_*.csv", "/out/stock_20261126.csv", "sku,quantity\nACME-000001,2\n"},
		{"/out/stock_202611??.csv", "/out/stock_20261126.csv", "sku,quantity\nACME-000001,2\n"},
		{"/out/", "/out/notes.txt", "not a feed"},
		{"/stock.csv", "/stock.csv", "sku,quantity\nACME-000001,7\n"},
	}
	for _, c := range cases {
		s, err := transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: c.path})
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.Fetch(ctx, "", "")
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if got := readAll(t, f); f.Name != c.name || got != c.body {
			t.Fatalf("%s: got %s %q, want %s", c.path, f.Name, got, c.name)
		}
	}
	s, _ := transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/out/prices_*.csv"})
	if _, err := s.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), `no file matching "prices_*.csv" in /out`) {
		t.Fatalf("no match: %v", err)
	}
	s, _ = transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/missing.csv"})
	if _, err := s.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "/missing.csv") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSFTPUnchangedFileIsNotDownloaded(t *testing.T) {
	t.Parallel()
	root := supplierFiles(t)
	fx := startSFTP(t, root)
	ctx := context.Background()
	s, _ := transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/out/stock_*.csv"})
	f, err := s.Fetch(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, f)
	if _, err := s.Fetch(ctx, f.ETag, f.LastModified); !errors.Is(err, suppliers.ErrNotModified) {
		t.Fatalf("same newest file: %v, want ErrNotModified", err)
	}
	// A newer drop changes the answer.
	p := filepath.Join(root, "out", "stock_20261128.csv")
	if err := os.WriteFile(p, []byte("sku,quantity\nACME-000001,9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f2, err := s.Fetch(ctx, f.ETag, f.LastModified)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, f2); f2.Name != "/out/stock_20261128.csv" || got != "sku,quantity\nACME-000001,9\n" {
		t.Fatalf("new drop: %s %q", f2.Name, got)
	}
}

func TestSFTPStreamsALargeFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var sb strings.Builder
	sb.WriteString("sku,quantity\n")
	for sb.Len() < 8<<20 {
		sb.WriteString("ACME-000001,12345\n")
	}
	want := sha256.Sum256([]byte(sb.String()))
	if err := os.WriteFile(filepath.Join(root, "big.csv"), []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fx := startSFTP(t, root)
	s, _ := transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/big.csv"})
	f, err := s.Fetch(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Body.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, f.Body, make([]byte, 32<<10))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(sb.Len()) || [32]byte(h.Sum(nil)) != want {
		t.Fatalf("streamed %d bytes, hash mismatch or short", n)
	}
}

func TestSFTPTestConnectionAndValidate(t *testing.T) {
	t.Parallel()
	fx := startSFTP(t, supplierFiles(t))
	s, _ := transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/out/stock_*.csv"})
	p, err := s.TestConnection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "connected" || p.Name != "/out/stock_20261126.csv" || p.Size != int64(len("sku,quantity\nACME-000001,2\n")) || p.ModTime.IsZero() ||
		len(p.FirstLines) != 2 || p.FirstLines[1] != "ACME-000001,2" {
		t.Fatalf("probe = %+v", p)
	}
	s, _ = transport.NewSFTP(transport.SFTPConfig{Host: fx.srv.Addr(), User: "acme", Password: "pw", Path: "/nothing/*.csv"})
	p, err = s.TestConnection(context.Background())
	if err == nil || !strings.Contains(err.Error(), "logged in, but") || p.HostKey == "" {
		t.Fatalf("missing folder: %+v %v", p, err)
	}

	errs := transport.SFTPConfig{Host: "sftp://x", Path: "/out/*/stock.csv", HostKey: "MD5:aa:bb"}.Validate()
	for _, field := range []string{"host", "user", "password", "path", "host_key"} {
		if errs[field] == "" {
			t.Errorf("no message for %s: %v", field, errs)
		}
	}
	if errs := (transport.SFTPConfig{Host: "sftp.supplier.example:2222", User: "u", Password: "p", Path: "/out/"}).Validate(); errs != nil {
		t.Errorf("a good config: %v", errs)
	}
	if errs := (transport.SFTPConfig{Host: "h", User: "u", PrivateKey: "not a key", Path: "/a"}).Validate(); errs["private_key"] == "" {
		t.Errorf("garbage key accepted: %v", errs)
	}
}

func startFTP(t *testing.T, root string, withTLS bool) (*sandbox.FTPServer, string) {
	t.Helper()
	srv := &sandbox.FTPServer{Root: root, User: "acme", Password: "pw"}
	caPEM := ""
	if withTLS {
		cert, ca, err := sandbox.LoadOrCreateCertificate(filepath.Join(t.TempDir(), "tls"))
		if err != nil {
			t.Fatal(err)
		}
		srv.TLS, caPEM = &cert, ca
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, caPEM
}

func TestFTPFetch(t *testing.T) {
	t.Parallel()
	root := supplierFiles(t)
	srv, _ := startFTP(t, root, false)
	ctx := context.Background()
	cases := []struct{ path, name, body string }{
		{"/stock.csv", "/stock.csv", "sku,quantity\nACME-000001,7\n"},
		{"/out/stock_*.csv", "/out/stock_20261126.csv", "sku,quantity\nACME-000001,2\n"},
	}
	for _, c := range cases {
		f, err := transport.NewFTP(transport.FTPConfig{Host: srv.Addr(), User: "acme", Password: "pw", Path: c.path})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Fetch(ctx, "", "")
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if body := readAll(t, got); got.Name != c.name || body != c.body {
			t.Fatalf("%s: %s %q", c.path, got.Name, body)
		}
		if _, err := f.Fetch(ctx, got.ETag, got.LastModified); !errors.Is(err, suppliers.ErrNotModified) {
			t.Fatalf("%s unchanged: %v", c.path, err)
		}
	}
	bad, _ := transport.NewFTP(transport.FTPConfig{Host: srv.Addr(), User: "acme", Password: "nope", Path: "/stock.csv"})
	if _, err := bad.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), `refused user "acme"`) {
		t.Fatalf("wrong password: %v", err)
	}
	f, _ := transport.NewFTP(transport.FTPConfig{Host: srv.Addr(), User: "acme", Password: "pw", Path: "/out/stock_*.csv"})
	p, err := f.TestConnection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "/out/stock_20261126.csv" || p.Size != int64(len("sku,quantity\nACME-000001,2\n")) || len(p.FirstLines) != 2 {
		t.Fatalf("probe = %+v", p)
	}
}

func TestFTPExplicitTLS(t *testing.T) {
	t.Parallel()
	srv, caPEM := startFTP(t, supplierFiles(t), true)
	ctx := context.Background()
	f, err := transport.NewFTP(transport.FTPConfig{Host: srv.Addr(), User: "acme", Password: "pw", Path: "/stock.csv", TLS: true, TLSCACert: caPEM})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Fetch(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, got); body != "sku,quantity\nACME-000001,7\n" {
		t.Fatalf("body %q", body)
	}
	p, err := f.TestConnection(ctx)
	if err != nil || p.Status != "connected (TLS)" {
		t.Fatalf("probe %+v, %v", p, err)
	}
	// Without trusting the server's certificate, nothing is fetched.
	untrusted, _ := transport.NewFTP(transport.FTPConfig{Host: srv.Addr(), User: "acme", Password: "pw", Path: "/stock.csv", TLS: true})
	if _, err := untrusted.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	if errs := (transport.FTPConfig{Host: "h", User: "u", Path: "/a", TLSCACert: "x"}).Validate(); errs["tls_ca_cert"] == "" {
		t.Fatalf("CA without TLS: %v", errs)
	}
}
