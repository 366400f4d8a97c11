package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jlaffaye/ftp"

	"dropship/integrations/suppliers"
)

// FTPConfig is where a feed is on a supplier's FTP server and how to log in.
// Transfers always use passive mode.
type FTPConfig struct {
	// Host is "host" or "host:port" (port 21 when left out).
	Host     string `json:"host"`
	User     string `json:"user"`
	Password string `json:"password,omitempty"`
	// Path is one file, the newest file matching a pattern, or the newest file in a folder, as for SFTP.
	Path string `json:"path"`
	// TLS switches to explicit FTPS (AUTH TLS on the usual port; data connections encrypted too).
	TLS bool `json:"tls,omitempty"`
	// TLSCACert is a PEM certificate to trust for a server with a self-signed certificate.
	TLSCACert      string `json:"tls_ca_cert,omitempty"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty"`
}

// Validate returns a message per wrong field, nil when the config can be used.
func (c FTPConfig) Validate() map[string]string {
	errs := map[string]string{}
	if msg := checkHost(c.Host); msg != "" {
		errs["host"] = msg
	}
	if strings.TrimSpace(c.User) == "" {
		errs["user"] = "enter the user name the supplier gave you (anonymous for public servers)"
	}
	if _, err := parsePathRule(c.Path); err != nil {
		errs["path"] = err.Error()
	}
	if strings.TrimSpace(c.TLSCACert) != "" {
		if !c.TLS {
			errs["tls_ca_cert"] = "a certificate is only used with TLS: turn TLS on or clear the certificate"
		} else if !x509.NewCertPool().AppendCertsFromPEM([]byte(c.TLSCACert)) {
			errs["tls_ca_cert"] = "this is not a PEM certificate (it starts with -----BEGIN CERTIFICATE-----)"
		}
	}
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > 3600 {
		errs["timeout_seconds"] = "enter a timeout between 1 and 3600 seconds, or leave it empty for 30"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// FTP fetches a feed from an FTP or explicit-FTPS server.
type FTP struct {
	cfg     FTPConfig
	timeout time.Duration
}

// NewFTP checks cfg and builds its fetcher.
func NewFTP(cfg FTPConfig) (*FTP, error) {
	if errs := cfg.Validate(); errs != nil {
		return nil, fmt.Errorf("transport: ftp config: %s", joinErrs(errs))
	}
	return &FTP{cfg: cfg, timeout: timeoutOf(cfg.TimeoutSeconds)}, nil
}

func (f *FTP) addr() string { return withPort(strings.TrimSpace(f.cfg.Host), "21") }

func (f *FTP) connect(ctx context.Context) (*ftp.ServerConn, error) {
	opts := []ftp.DialOption{ftp.DialWithContext(ctx), ftp.DialWithTimeout(f.timeout)}
	if f.cfg.TLS {
		host, _, _ := net.SplitHostPort(f.addr())
		tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if ca := strings.TrimSpace(f.cfg.TLSCACert); ca != "" {
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM([]byte(ca))
			tc.RootCAs = pool
		}
		opts = append(opts, ftp.DialWithExplicitTLS(tc))
	}
	c, err := ftp.Dial(f.addr(), opts...)
	if err != nil {
		return nil, fmt.Errorf("transport: ftp %s: %w", f.addr(), err)
	}
	if err := c.Login(f.cfg.User, f.cfg.Password); err != nil {
		c.Quit()
		return nil, fmt.Errorf("transport: ftp %s: the server refused user %q: %w", f.addr(), f.cfg.User, err)
	}
	return c, nil
}

// ftpInfo lets FTP listing entries go through the same newest-file rule.
type ftpInfo struct{ e *ftp.Entry }

func (i ftpInfo) Name() string       { return i.e.Name }
func (i ftpInfo) Size() int64        { return int64(i.e.Size) }
func (i ftpInfo) ModTime() time.Time { return i.e.Time }
func (i ftpInfo) IsDir() bool        { return i.e.Type == ftp.EntryTypeFolder }
func (i ftpInfo) Sys() any           { return nil }
func (i ftpInfo) Mode() fs.FileMode {
	switch i.e.Type {
	case ftp.EntryTypeFolder:
		return fs.ModeDir
	case ftp.EntryTypeLink:
		return fs.ModeSymlink
	}
	return 0
}

func (f *FTP) locate(c *ftp.ServerConn, rule pathRule) (string, fs.FileInfo, error) {
	if rule.pattern == "" {
		if e, err := c.GetEntry(rule.file); err == nil {
			if e.Type != ftp.EntryTypeFile {
				return "", nil, fmt.Errorf("%s is not a file", rule.file)
			}
			e.Name = rule.file
			return rule.file, ftpInfo{e}, nil
		}
		size, err := c.FileSize(rule.file) // servers without MLST
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", rule.file, err)
		}
		mod, _ := c.GetTime(rule.file)
		return rule.file, ftpInfo{&ftp.Entry{Name: rule.file, Size: uint64(size), Time: mod}}, nil
	}
	entries, err := c.List(rule.dir)
	if err != nil {
		return "", nil, fmt.Errorf("list %s: %w", rule.dir, err)
	}
	infos := make([]fs.FileInfo, len(entries))
	for i, e := range entries {
		infos[i] = ftpInfo{e}
	}
	fi, err := rule.newest(infos)
	if err != nil {
		return "", nil, err
	}
	return strings.TrimSuffix(rule.dir, "/") + "/" + fi.Name(), fi, nil
}

// Fetch downloads the feed file as a stream. etag, when given, is what the
// previous fetch returned; if the file still matches it nothing is downloaded
// and suppliers.ErrNotModified is returned.
func (f *FTP) Fetch(ctx context.Context, etag, _ string) (*suppliers.Fetched, error) {
	rule, err := parsePathRule(f.cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("transport: ftp path: %w", err)
	}
	c, err := f.connect(ctx)
	if err != nil {
		return nil, err
	}
	name, fi, err := f.locate(c, rule)
	if err != nil {
		c.Quit()
		return nil, fmt.Errorf("transport: ftp %s: %w", f.addr(), err)
	}
	validator := fileValidator(name, fi.Size(), fi.ModTime())
	if etag != "" && etag == validator {
		c.Quit()
		return nil, suppliers.ErrNotModified
	}
	resp, err := c.Retr(name)
	if err != nil {
		c.Quit()
		return nil, fmt.Errorf("transport: ftp %s: download %s: %w", f.addr(), name, err)
	}
	abort := func() { _ = resp.SetDeadline(time.Now()) }
	stop := context.AfterFunc(ctx, abort)
	what := "ftp " + f.addr() + " " + name
	body := newStallGuard(&ftpBody{resp: resp, want: fi.Size(), what: what}, f.timeout, what, abort,
		func() error {
			stop()
			err := resp.Close()
			if qerr := c.Quit(); err == nil && qerr != nil && !errors.Is(qerr, net.ErrClosed) {
				err = qerr
			}
			return err
		})
	fetched := &suppliers.Fetched{Body: body, Name: name, ETag: validator, Size: fi.Size()}
	if !fi.ModTime().IsZero() {
		fetched.LastModified = fi.ModTime().UTC().Format(http.TimeFormat)
	}
	return fetched, nil
}

// ftpBody turns a transfer the server cut short into an error at the end of
// the stream: fewer bytes than the listing said, or a failure reply (426) on close.
type ftpBody struct {
	resp *ftp.Response
	want int64
	got  int64
	what string
}

func (b *ftpBody) Read(p []byte) (int, error) {
	n, err := b.resp.Read(p)
	b.got += int64(n)
	if err == io.EOF {
		if b.want > 0 && b.got < b.want {
			return n, fmt.Errorf("file ended after %d of %d bytes: %w", b.got, b.want, io.ErrUnexpectedEOF)
		}
		if cerr := b.resp.Close(); cerr != nil {
			return n, fmt.Errorf("transfer not completed: %w", cerr)
		}
	}
	return n, err
}

// TestConnection logs in, finds the file and reads its first lines.
func (f *FTP) TestConnection(ctx context.Context) (Probe, error) {
	rule, err := parsePathRule(f.cfg.Path)
	if err != nil {
		return Probe{}, fmt.Errorf("transport: ftp path: %w", err)
	}
	c, err := f.connect(ctx)
	if err != nil {
		return Probe{}, err
	}
	defer c.Quit()
	p := Probe{Status: "connected", Size: -1}
	if f.cfg.TLS {
		p.Status = "connected (TLS)"
	}
	name, fi, err := f.locate(c, rule)
	if err != nil {
		return p, fmt.Errorf("transport: ftp %s: logged in, but %w", f.addr(), err)
	}
	p.Name, p.Size, p.ModTime = name, fi.Size(), fi.ModTime()
	resp, err := c.Retr(name)
	if err != nil {
		return p, fmt.Errorf("transport: ftp %s: download %s: %w", f.addr(), name, err)
	}
	abort := func() { _ = resp.SetDeadline(time.Now()) }
	stop := context.AfterFunc(ctx, abort)
	defer stop()
	p.FirstLines, p.Note = firstLines(newStallGuard(resp, f.timeout, "ftp "+f.addr()+" "+name, abort, resp.Close))
	abort() // stop the rest of the transfer
	resp.Close()
	return p, nil
}
