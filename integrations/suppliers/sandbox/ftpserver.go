package sandbox

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"time"

	ftpserver "goftp.io/server/v2"
)

// FTPServer serves a folder read-only over FTP (passive mode) to one user,
// optionally with explicit TLS (AUTH TLS).
type FTPServer struct {
	Root     string
	User     string
	Password string
	// TLS turns on explicit FTPS with this certificate.
	TLS *tls.Certificate
	// Latency delays each login (the Latency fault).
	Latency time.Duration
	Log     *slog.Logger

	srv  *ftpserver.Server
	addr string
	done chan struct{}
}

// Listen opens addr and serves in the background until Close.
func (s *FTPServer) Listen(addr string) error {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: ftp: %w", err)
	}
	host, portStr, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.Atoi(portStr)
	opts := &ftpserver.Options{
		Name:           "sandbox supplier",
		Hostname:       host,
		Port:           port,
		Driver:         readOnlyDriver{root: s.Root},
		Auth:           &ftpAuth{user: s.User, password: s.Password, latency: s.Latency},
		Perm:           ftpserver.NewSimplePerm("sandbox", "sandbox"),
		Logger:         ftpLogger{},
		WelcomeMessage: "sandbox supplier FTP",
	}
	if s.TLS != nil {
		opts.TLS, opts.ExplicitFTPS = true, true
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*s.TLS}, MinVersion: tls.VersionTLS12}
	}
	s.srv, err = ftpserver.NewServer(opts)
	if err != nil {
		ln.Close()
		return fmt.Errorf("sandbox: ftp: %w", err)
	}
	s.addr = ln.Addr().String()
	s.done = make(chan struct{})
	if s.TLS != nil {
		// goftp only sets up TLS in ListenAndServe, which opens its own
		// listener: hand the port over to it and wait until it answers.
		ln.Close()
		go func() {
			defer close(s.done)
			if err := s.srv.ListenAndServe(); err != nil && !errors.Is(err, ftpserver.ErrServerClosed) {
				s.Log.Error("sandbox: ftp server stopped", "err", err)
			}
		}()
		for i := 0; i < 100; i++ {
			if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
				c.Close()
				return nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		return fmt.Errorf("sandbox: ftp: server did not start on %s", s.addr)
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, ftpserver.ErrServerClosed) {
			s.Log.Error("sandbox: ftp server stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on.
func (s *FTPServer) Addr() string { return s.addr }

// Close stops listening; sessions in flight end with their clients.
func (s *FTPServer) Close() error {
	err := s.srv.Shutdown()
	<-s.done
	return err
}

type ftpAuth struct {
	user, password string
	latency        time.Duration
}

func (a *ftpAuth) CheckPasswd(_ *ftpserver.Context, user, pass string) (bool, error) {
	if a.latency > 0 {
		time.Sleep(a.latency)
	}
	return user == a.user && pass == a.password, nil
}

// ftpLogger keeps goftp's per-command log out of the sandbox's output.
type ftpLogger struct{}

func (ftpLogger) Print(string, any)                   {}
func (ftpLogger) Printf(string, string, ...any)       {}
func (ftpLogger) PrintCommand(string, string, string) {}
func (ftpLogger) PrintResponse(string, int, string)   {}

// readOnlyDriver serves files under root; every write is refused.
type readOnlyDriver struct{ root string }

var errReadOnly = errors.New("read-only server")

func (d readOnlyDriver) real(p string) string {
	return filepath.Join(d.root, filepath.FromSlash(path.Clean("/"+p)))
}

func (d readOnlyDriver) Stat(_ *ftpserver.Context, p string) (os.FileInfo, error) {
	return os.Stat(d.real(p))
}

func (d readOnlyDriver) ListDir(_ *ftpserver.Context, p string, fn func(os.FileInfo) error) error {
	entries, err := os.ReadDir(d.real(p))
	if err != nil {
		return err
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue // removed while listing
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	return nil
}

func (d readOnlyDriver) GetFile(_ *ftpserver.Context, p string, offset int64) (int64, io.ReadCloser, error) {
	f, err := os.Open(d.real(p))
	if err != nil {
		return 0, nil, err
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		f.Close()
		return 0, nil, fmt.Errorf("%s is not a file", p)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return 0, nil, err
	}
	return fi.Size() - offset, f, nil
}

func (readOnlyDriver) DeleteDir(*ftpserver.Context, string) error      { return errReadOnly }
func (readOnlyDriver) DeleteFile(*ftpserver.Context, string) error     { return errReadOnly }
func (readOnlyDriver) Rename(*ftpserver.Context, string, string) error { return errReadOnly }
func (readOnlyDriver) MakeDir(*ftpserver.Context, string) error        { return errReadOnly }
func (readOnlyDriver) PutFile(*ftpserver.Context, string, io.Reader, int64) (int64, error) {
	return 0, errReadOnly
}
