package sandbox

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// SFTPServer serves a folder read-only over SFTP to one user, who logs in with
// a password or one of the authorized keys.
type SFTPServer struct {
	Root           string
	User           string
	Password       string
	AuthorizedKeys []ssh.PublicKey
	HostKey        ssh.Signer
	// Latency delays each login (the Latency fault).
	Latency time.Duration
	Log     *slog.Logger

	logins atomic.Int64
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// Listen opens addr and serves in the background until Close.
func (s *SFTPServer) Listen(addr string) error {
	if s.HostKey == nil {
		return errors.New("sandbox: sftp: no host key")
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: sftp: %w", err)
	}
	s.ln = ln
	s.conns = map[net.Conn]struct{}{}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			s.delay()
			if c.User() == s.User && s.Password != "" && subtle.ConstantTimeCompare(pw, []byte(s.Password)) == 1 {
				return nil, nil
			}
			return nil, errors.New("wrong user or password")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() == s.User {
				for _, k := range s.AuthorizedKeys {
					if bytes.Equal(k.Marshal(), key.Marshal()) {
						return nil, nil
					}
				}
			}
			return nil, errors.New("key not authorized")
		},
	}
	cfg.AddHostKey(s.HostKey)
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.track(conn, true)
			s.wg.Go(func() {
				defer s.track(conn, false)
				s.serveConn(conn, cfg)
			})
		}
	})
	return nil
}

func (s *SFTPServer) delay() {
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
}

func (s *SFTPServer) track(c net.Conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
		c.Close()
	}
}

// Logins counts the logins accepted so far.
func (s *SFTPServer) Logins() int64 { return s.logins.Load() }

// Addr is the address the server listens on.
func (s *SFTPServer) Addr() string { return s.ln.Addr().String() }

// Close stops listening and drops open connections.
func (s *SFTPServer) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *SFTPServer) serveConn(conn net.Conn, cfg *ssh.ServerConfig) {
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		s.Log.Debug("sandbox: sftp handshake", "err", err)
		return
	}
	s.logins.Add(1)
	_ = conn.SetDeadline(time.Time{})
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() {
			defer ch.Close()
			for req := range requests {
				ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "sftp"
				_ = req.Reply(ok, nil)
				if !ok {
					continue
				}
				go ssh.DiscardRequests(requests)
				srv := sftp.NewRequestServer(ch, readOnlyHandlers(s.Root))
				if err := srv.Serve(); err != nil && !errors.Is(err, io.EOF) {
					s.Log.Debug("sandbox: sftp session", "err", err)
				}
				srv.Close()
				return
			}
		})
	}
}

// readOnlyFS serves files under root; every write is refused. (Purchase
// orders uploaded as X12 850 will need a writable inbox folder here.)
type readOnlyFS struct{ root string }

func readOnlyHandlers(root string) sftp.Handlers {
	fs := readOnlyFS{root: root}
	return sftp.Handlers{FileGet: fs, FilePut: fs, FileCmd: fs, FileList: fs}
}

// real maps a client path to a path under root; cleaning an absolute path can't climb above it.
func (f readOnlyFS) real(p string) string {
	return filepath.Join(f.root, filepath.FromSlash(path.Clean("/"+p)))
}

func (f readOnlyFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	fh, err := os.Open(f.real(r.Filepath))
	if err != nil {
		return nil, err
	}
	if fi, err := fh.Stat(); err != nil || fi.IsDir() {
		fh.Close()
		return nil, sftp.ErrSSHFxFailure
	}
	return fh, nil
}

func (f readOnlyFS) Filewrite(*sftp.Request) (io.WriterAt, error) {
	return nil, sftp.ErrSSHFxPermissionDenied
}

func (f readOnlyFS) Filecmd(*sftp.Request) error { return sftp.ErrSSHFxPermissionDenied }

func (f readOnlyFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := f.real(r.Filepath)
	switch r.Method {
	case "List":
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		infos := make(listerAt, 0, len(entries))
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				infos = append(infos, fi)
			}
		}
		return infos, nil
	case "Stat":
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		return listerAt{fi}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

type listerAt []os.FileInfo

func (l listerAt) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n+int(off) >= len(l) {
		return n, io.EOF
	}
	return n, nil
}
