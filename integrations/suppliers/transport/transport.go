// Package transport fetches supplier feeds over HTTP(S), SFTP and FTP. Each
// fetcher implements suppliers.Fetcher and streams the file (nothing is held
// whole in memory), and each has TestConnection for the supplier page's
// "test connection" button. Configs are JSON-serialisable so the sync engine
// can store them per supplier, and Validate speaks to the merchant.
package transport

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultTimeout bounds connecting, waiting for an answer, and any stall while reading.
const DefaultTimeout = 30 * time.Second

// Authentication kinds for HTTP feeds and REST APIs.
const (
	AuthNone   = "none"
	AuthBearer = "bearer"
	AuthBasic  = "basic"
	AuthAPIKey = "api_key"
)

// Auth is how an HTTP request proves who we are to the supplier.
type Auth struct {
	// Kind is AuthNone (or ""), AuthBearer, AuthBasic or AuthAPIKey.
	Kind     string `json:"kind"`
	Token    string `json:"token,omitempty"`    // bearer
	Username string `json:"username,omitempty"` // basic
	Password string `json:"password,omitempty"` // basic
	Header   string `json:"header,omitempty"`   // API key: the header's name, e.g. X-Api-Key
	Key      string `json:"key,omitempty"`      // API key: its value
}

// Apply sets the authentication headers on req.
func (a Auth) Apply(req *http.Request) {
	switch a.Kind {
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+a.Token)
	case AuthBasic:
		req.SetBasicAuth(a.Username, a.Password)
	case AuthAPIKey:
		req.Header.Set(a.Header, a.Key)
	}
}

// Validate adds a message per wrong field to errs, keys prefixed by prefix ("auth.").
func (a Auth) Validate(prefix string, errs map[string]string) {
	switch a.Kind {
	case "", AuthNone:
	case AuthBearer:
		if strings.TrimSpace(a.Token) == "" {
			errs[prefix+"token"] = "enter the token the supplier gave you"
		}
	case AuthBasic:
		if strings.TrimSpace(a.Username) == "" {
			errs[prefix+"username"] = "enter the user name"
		}
	case AuthAPIKey:
		if !validHeaderName(a.Header) {
			errs[prefix+"header"] = "enter the header name the supplier expects the key in, such as X-Api-Key"
		}
		if strings.TrimSpace(a.Key) == "" {
			errs[prefix+"key"] = "enter the API key"
		}
	default:
		errs[prefix+"kind"] = "choose none, bearer token, user and password, or API key header"
	}
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 127 || !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// StatusError is an HTTP answer other than 2xx (or 304 where that means "not modified").
type StatusError struct {
	URL     string
	Code    int
	Status  string // "503 Service Unavailable"
	Snippet string // the first bytes of the body, to show what the server said
	// RetryAfter is the server's Retry-After, parsed; zero when absent.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Snippet == "" {
		return fmt.Sprintf("GET %s: %s", e.URL, e.Status)
	}
	return fmt.Sprintf("GET %s: %s: %q", e.URL, e.Status, e.Snippet)
}

// snippetSize is how much of an error body goes into a StatusError.
const snippetSize = 256

// NewStatusError reads the first bytes of resp's body (and closes it) into a StatusError.
func NewStatusError(resp *http.Response) *StatusError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, snippetSize))
	resp.Body.Close()
	snippet := strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
	return &StatusError{
		URL: redact(resp.Request.URL.String()), Code: resp.StatusCode, Status: resp.Status,
		Snippet: snippet, RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}

// ParseRetryAfter reads a Retry-After header: seconds or an HTTP date; zero when absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// redact hides a password given in a URL's user info.
func redact(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		if j := strings.Index(raw[i+3:], "@"); j >= 0 && !strings.Contains(raw[i+3:i+3+j], "/") {
			if user, _, ok := strings.Cut(raw[i+3:i+3+j], ":"); ok {
				return raw[:i+3] + user + ":xxxxx" + raw[i+3+j:]
			}
		}
	}
	return raw
}

// Probe is what a test connection saw, for the supplier page.
type Probe struct {
	Status      string    // "200 OK", "connected"
	Name        string    // the file that would be fetched
	Size        int64     // bytes; -1 when the server doesn't say
	ModTime     time.Time // zero when the server doesn't say
	ContentType string    // HTTP only
	HostKey     string    // SFTP only: the server's key fingerprint
	FirstLines  []string  // the first lines of the file (decompressed when gzip)
	Note        string    // anything else worth saying, e.g. "gzip-compressed"
}

// Summary is the probe in one line for a flash message.
func (p Probe) Summary() string {
	parts := []string{p.Status}
	if p.Name != "" {
		parts = append(parts, p.Name)
	}
	if p.Size >= 0 {
		parts = append(parts, humanSize(p.Size))
	}
	if !p.ModTime.IsZero() {
		parts = append(parts, "modified "+p.ModTime.UTC().Format("2006-01-02 15:04 MST"))
	}
	if p.HostKey != "" {
		parts = append(parts, "host key "+p.HostKey)
	}
	if p.Note != "" {
		parts = append(parts, p.Note)
	}
	s := strings.Join(parts, " · ")
	if len(p.FirstLines) > 0 {
		s += " · first line: " + p.FirstLines[0]
	}
	return s
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Probe limits: what a test connection reads of a file.
const (
	probeLines    = 5
	probeBytes    = 8 << 10
	probeLineSize = 200
)

// firstLines reads at most probeBytes of r and returns its first lines,
// decompressing gzip, and a note when the file isn't plain text.
func firstLines(r io.Reader) ([]string, string) {
	head, _ := io.ReadAll(io.LimitReader(r, probeBytes))
	note := ""
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		note = "gzip-compressed"
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return nil, note
		}
		head, _ = io.ReadAll(io.LimitReader(zr, probeBytes)) // a cut-off stream still yields its first lines
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, "zip archive"
	}
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(head) && note == "" {
		note = "not valid UTF-8 (Latin-1 or another encoding?)"
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(head))
	sc.Buffer(make([]byte, 0, probeBytes), probeBytes)
	for sc.Scan() && len(lines) < probeLines {
		line := strings.ToValidUTF8(strings.TrimRight(sc.Text(), "\r"), "\uFFFD")
		if utf8.RuneCountInString(line) > probeLineSize {
			line = string([]rune(line)[:probeLineSize]) + "…"
		}
		lines = append(lines, line)
	}
	return lines, note
}

// pathRule is where on a file server the feed is: one file, or the newest
// file in a directory whose name matches a pattern.
type pathRule struct {
	dir     string
	pattern string // "" for one file
	file    string // the file when pattern is ""
}

// parsePathRule reads a configured path: "/out/stock.csv" is that file;
// "/out/stock_*.csv" is the newest file matching the pattern; "/out/" is the
// newest file in the directory.
func parsePathRule(p string) (pathRule, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return pathRule{}, errors.New("enter the file's path, such as /out/stock.csv, or a pattern such as /out/stock_*.csv")
	}
	if strings.HasSuffix(p, "/") {
		return pathRule{dir: path.Clean(p), pattern: "*"}, nil
	}
	dir, base := path.Split(p)
	if strings.ContainsAny(dir, "*?[") {
		return pathRule{}, errors.New("only the file name may contain * or ?, not the folders")
	}
	if dir == "" {
		dir = "."
	}
	dir = path.Clean(dir)
	if !strings.ContainsAny(base, "*?[") {
		return pathRule{dir: dir, file: path.Join(dir, base)}, nil
	}
	if _, err := path.Match(base, ""); err != nil {
		return pathRule{}, fmt.Errorf("the pattern %q is not valid (use * for any text, ? for one character)", base)
	}
	return pathRule{dir: dir, pattern: base}, nil
}

// newest picks among a directory's entries the regular, non-hidden file
// matching the rule with the latest modification time (the greatest name on a
// tie, as dated names sort by date).
func (r pathRule) newest(entries []fs.FileInfo) (fs.FileInfo, error) {
	var best fs.FileInfo
	for _, e := range entries {
		name := e.Name()
		if !e.Mode().IsRegular() || strings.HasPrefix(name, ".") {
			continue
		}
		if ok, _ := path.Match(r.pattern, name); !ok {
			continue
		}
		if best == nil || e.ModTime().After(best.ModTime()) ||
			e.ModTime().Equal(best.ModTime()) && name > best.Name() {
			best = e
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no file matching %q in %s", r.pattern, r.dir)
	}
	return best, nil
}

// fileValidator stands in for an ETag on file servers: name, size and modification time.
func fileValidator(name string, size int64, mod time.Time) string {
	return fmt.Sprintf("file:%s:%d:%d", name, size, mod.Unix())
}

// stallGuard wraps a body so that a Read blocked longer than timeout calls
// abort (which closes the connection underneath) and fails with a clear error;
// time the caller spends between Reads doesn't count.
type stallGuard struct {
	r       io.Reader
	timeout time.Duration
	abort   func()
	closeFn func() error
	what    string

	mu      sync.Mutex
	stalled bool
	once    sync.Once
	err     error
}

func newStallGuard(r io.Reader, timeout time.Duration, what string, abort func(), closeFn func() error) *stallGuard {
	return &stallGuard{r: r, timeout: timeout, abort: abort, closeFn: closeFn, what: what}
}

func (g *stallGuard) Read(p []byte) (int, error) {
	t := time.AfterFunc(g.timeout, func() {
		g.mu.Lock()
		g.stalled = true
		g.mu.Unlock()
		g.abort()
	})
	n, err := g.r.Read(p)
	t.Stop()
	if err != nil && err != io.EOF {
		g.mu.Lock()
		stalled := g.stalled
		g.mu.Unlock()
		if stalled {
			return n, fmt.Errorf("transport: %s: no data for %s, gave up", g.what, g.timeout)
		}
		return n, fmt.Errorf("transport: %s: %w", g.what, err)
	}
	return n, err
}

func (g *stallGuard) Close() error {
	g.once.Do(func() { g.err = g.closeFn() })
	return g.err
}

// timeoutOf turns a configured number of seconds into a duration, DefaultTimeout when unset.
func timeoutOf(seconds int) time.Duration {
	if seconds <= 0 {
		return DefaultTimeout
	}
	return time.Duration(seconds) * time.Second
}

// ctxErr prefers the context's cause to the error a cancelled operation produced.
func ctxErr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}
