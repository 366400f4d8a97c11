package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"dropship/integrations/suppliers"
)

// SFTPConfig is where a feed is on a supplier's SFTP server and how to log in.
type SFTPConfig struct {
	// Host is "host" or "host:port" (port 22 when left out).
	Host     string `json:"host"`
	User     string `json:"user"`
	Password string `json:"password,omitempty"`
	// PrivateKey is a PEM private key (OpenSSH, PKCS#1 or PKCS#8); Passphrase unlocks it if encrypted.
	PrivateKey string `json:"private_key,omitempty"`
	Passphrase string `json:"passphrase,omitempty"`
	// HostKey is the pinned server key fingerprint ("SHA256:..."); empty trusts the
	// first key seen, which Fetched.HostKey and Probe.HostKey hand back to pin.
	HostKey string `json:"host_key,omitempty"`
	// Path is one file ("/out/stock.csv"), the newest file matching a pattern
	// ("/out/stock_*.csv"), or the newest file in a folder ("/out/").
	Path           string `json:"path"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty"`
}

// Validate returns a message per wrong field, nil when the config can be used.
func (c SFTPConfig) Validate() map[string]string {
	errs := map[string]string{}
	if msg := checkHost(c.Host); msg != "" {
		errs["host"] = msg
	}
	if strings.TrimSpace(c.User) == "" {
		errs["user"] = "enter the user name the supplier gave you"
	}
	if c.Password == "" && strings.TrimSpace(c.PrivateKey) == "" {
		errs["password"] = "enter a password or paste a private key"
	}
	if strings.TrimSpace(c.PrivateKey) != "" {
		if _, err := parseSigner(c.PrivateKey, c.Passphrase); err != nil {
			errs["private_key"] = err.Error()
		}
	}
	if c.HostKey != "" && !strings.HasPrefix(normalizeFingerprint(c.HostKey), "SHA256:") {
		errs["host_key"] = "a host key fingerprint looks like SHA256:… as ssh-keygen -lf prints it; clear it to trust the key seen on the next connection"
	}
	if _, err := parsePathRule(c.Path); err != nil {
		errs["path"] = err.Error()
	}
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > 3600 {
		errs["timeout_seconds"] = "enter a timeout between 1 and 3600 seconds, or leave it empty for 30"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func checkHost(h string) string {
	h = strings.TrimSpace(h)
	if h == "" || strings.Contains(h, "://") || strings.ContainsAny(h, "/ ") {
		return "enter the server's name, like sftp.supplier.com or sftp.supplier.com:2222"
	}
	return ""
}

func withPort(host, port string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

func parseSigner(pemKey, passphrase string) (ssh.Signer, error) {
	var (
		s   ssh.Signer
		err error
	)
	if passphrase != "" {
		s, err = ssh.ParsePrivateKeyWithPassphrase([]byte(pemKey), []byte(passphrase))
	} else {
		s, err = ssh.ParsePrivateKey([]byte(pemKey))
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, errors.New("this key is encrypted: enter its passphrase")
	case err != nil && passphrase != "":
		return nil, errors.New("the key could not be read with this passphrase")
	case err != nil:
		return nil, errors.New("this is not a private key in PEM form (it starts with -----BEGIN)")
	}
	return s, nil
}

func normalizeFingerprint(fp string) string {
	fp = strings.TrimSpace(fp)
	if fp != "" && !strings.HasPrefix(fp, "SHA256:") && !strings.Contains(fp, ":") {
		fp = "SHA256:" + fp
	}
	return strings.TrimRight(fp, "=")
}

// HostKeyMismatchError means the server presented another key than the pinned
// one: it may be an impostor, so nothing was downloaded.
type HostKeyMismatchError struct {
	Host   string
	Pinned string
	Seen   string
}

func (e *HostKeyMismatchError) Error() string {
	return fmt.Sprintf("transport: sftp %s: host key mismatch: pinned %s, the server presented %s; nothing was downloaded "+
		"(if the supplier really changed its server key, check the new fingerprint with them and clear the pin)",
		e.Host, e.Pinned, e.Seen)
}

// SFTP fetches a feed from an SFTP server.
type SFTP struct {
	cfg     SFTPConfig
	signer  ssh.Signer
	timeout time.Duration
}

// NewSFTP checks cfg and builds its fetcher.
func NewSFTP(cfg SFTPConfig) (*SFTP, error) {
	if errs := cfg.Validate(); errs != nil {
		return nil, fmt.Errorf("transport: sftp config: %s", joinErrs(errs))
	}
	s := &SFTP{cfg: cfg, timeout: timeoutOf(cfg.TimeoutSeconds)}
	if strings.TrimSpace(cfg.PrivateKey) != "" {
		signer, err := parseSigner(cfg.PrivateKey, cfg.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("transport: sftp private key: %w", err)
		}
		s.signer = signer
	}
	return s, nil
}

// sftpSession is one logged-in connection.
type sftpSession struct {
	conn    net.Conn
	ssh     *ssh.Client
	client  *sftp.Client
	hostKey string
}

func (s *sftpSession) Close() error {
	var errs []error
	if s.client != nil {
		errs = append(errs, s.client.Close())
	}
	if s.ssh != nil {
		errs = append(errs, s.ssh.Close())
	}
	errs = append(errs, s.conn.Close())
	for _, err := range errs {
		if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
			return err
		}
	}
	return nil
}

// connect dials, checks the host key against the pin and logs in.
func (s *SFTP) connect(ctx context.Context) (*sftpSession, error) {
	addr := withPort(strings.TrimSpace(s.cfg.Host), "22")
	dialer := &net.Dialer{Timeout: s.timeout}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("transport: sftp %s: %w", addr, err)
	}
	sess := &sftpSession{conn: conn}
	pinned := normalizeFingerprint(s.cfg.HostKey)
	var auth []ssh.AuthMethod
	if s.signer != nil {
		auth = append(auth, ssh.PublicKeys(s.signer))
	}
	if s.cfg.Password != "" {
		pw := s.cfg.Password
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	cfg := &ssh.ClientConfig{
		User: s.cfg.User,
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			sess.hostKey = ssh.FingerprintSHA256(key)
			if pinned != "" && sess.hostKey != pinned {
				return &HostKeyMismatchError{Host: addr, Pinned: pinned, Seen: sess.hostKey}
			}
			return nil
		},
		Timeout: s.timeout,
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	_ = conn.SetDeadline(time.Now().Add(s.timeout))
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		var mismatch *HostKeyMismatchError
		if errors.As(err, &mismatch) {
			return nil, mismatch
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			return nil, fmt.Errorf("transport: sftp %s: the server refused user %q with the password or key given", addr, s.cfg.User)
		}
		return nil, fmt.Errorf("transport: sftp %s: %w", addr, ctxErr(ctx, err))
	}
	_ = conn.SetDeadline(time.Time{})
	sess.ssh = ssh.NewClient(c, chans, reqs)
	sess.client, err = sftp.NewClient(sess.ssh)
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("transport: sftp %s: start sftp: %w", addr, err)
	}
	return sess, nil
}

// locate finds the file the path rule points at.
func locate(sess *sftpSession, rule pathRule) (string, fs.FileInfo, error) {
	if rule.pattern == "" {
		fi, err := sess.client.Stat(rule.file)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", rule.file, err)
		}
		if !fi.Mode().IsRegular() {
			return "", nil, fmt.Errorf("%s is not a file", rule.file)
		}
		return rule.file, fi, nil
	}
	entries, err := sess.client.ReadDir(rule.dir)
	if err != nil {
		return "", nil, fmt.Errorf("list %s: %w", rule.dir, err)
	}
	fi, err := rule.newest(entries)
	if err != nil {
		return "", nil, err
	}
	return strings.TrimSuffix(rule.dir, "/") + "/" + fi.Name(), fi, nil
}

// Fetch opens the feed file and streams it. etag, when given, is what the
// previous fetch returned (name, size and modification time): if the file
// still matches it, nothing is downloaded and suppliers.ErrNotModified is returned.
func (s *SFTP) Fetch(ctx context.Context, etag, _ string) (*suppliers.Fetched, error) {
	rule, err := parsePathRule(s.cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("transport: sftp path: %w", err)
	}
	sess, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	name, fi, err := locate(sess, rule)
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("transport: sftp %s: %w", s.cfg.Host, err)
	}
	validator := fileValidator(name, fi.Size(), fi.ModTime())
	if etag != "" && etag == validator {
		sess.Close()
		return nil, suppliers.ErrNotModified
	}
	f, err := sess.client.Open(name)
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("transport: sftp %s: open %s: %w", s.cfg.Host, name, err)
	}
	stop := context.AfterFunc(ctx, func() { sess.conn.Close() })
	body := newStallGuard(&sizedReader{r: f, want: fi.Size()}, s.timeout, "sftp "+s.cfg.Host+" "+name,
		func() { sess.conn.Close() },
		func() error { stop(); f.Close(); return sess.Close() })
	return &suppliers.Fetched{
		Body: body, Name: name, ETag: validator, Size: fi.Size(),
		LastModified: fi.ModTime().UTC().Format(http.TimeFormat), HostKey: sess.hostKey,
	}, nil
}

// TestConnection logs in, finds the file and reads its first lines. A host key
// mismatch is an error; with none pinned, Probe.HostKey is the key to pin.
func (s *SFTP) TestConnection(ctx context.Context) (Probe, error) {
	rule, err := parsePathRule(s.cfg.Path)
	if err != nil {
		return Probe{}, fmt.Errorf("transport: sftp path: %w", err)
	}
	sess, err := s.connect(ctx)
	if err != nil {
		return Probe{}, err
	}
	defer sess.Close()
	p := Probe{Status: "connected", HostKey: sess.hostKey, Size: -1}
	name, fi, err := locate(sess, rule)
	if err != nil {
		return p, fmt.Errorf("transport: sftp %s: logged in, but %w", s.cfg.Host, err)
	}
	p.Name, p.Size, p.ModTime = name, fi.Size(), fi.ModTime()
	f, err := sess.client.Open(name)
	if err != nil {
		return p, fmt.Errorf("transport: sftp %s: open %s: %w", s.cfg.Host, name, err)
	}
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { sess.conn.Close() })
	defer stop()
	p.FirstLines, p.Note = firstLines(newStallGuard(f, s.timeout, "sftp "+s.cfg.Host+" "+name, func() { sess.conn.Close() }, f.Close))
	return p, nil
}

// sizedReader reports a file that ends before the size its listing gave
// (rewritten in place while we read it) instead of a silent short feed.
type sizedReader struct {
	r    io.Reader
	want int64
	got  int64
}

func (s *sizedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.got += int64(n)
	if err == io.EOF && s.got < s.want {
		return n, fmt.Errorf("file ended after %d of %d bytes: %w", s.got, s.want, io.ErrUnexpectedEOF)
	}
	return n, err
}
