package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// localDB is the private PostgreSQL cluster under ./.data/postgres used when
// DATABASE_URL is unset: initdb on first use, reused afterwards.
type localDB struct {
	dataDir string // the cluster's data directory (./.data/postgres, or its target when symlinked)
	port    int
	binDir  string
	runAs   *syscall.Credential // the postgres system user when the caller is root
}

const localDBName = "dropship"

// localDBPort is the cluster's own port; LOCAL_PGPORT overrides it when two
// checkouts run side by side.
func localDBPort() int {
	if p, err := strconv.Atoi(os.Getenv("LOCAL_PGPORT")); err == nil && p > 0 {
		return p
	}
	return 54329
}

// newLocalDB finds (or installs) the PostgreSQL server binaries and works out
// who the cluster runs as.
func newLocalDB(root string) (*localDB, error) {
	l := &localDB{dataDir: filepath.Join(root, ".data", "postgres"), port: localDBPort()}
	bin, err := findPostgresBin()
	if errors.Is(err, errNoPostgres) && os.Geteuid() == 0 && fileExists("/etc/debian_version") {
		fmt.Fprintln(os.Stderr, "localdb: PostgreSQL server not found; installing the Debian postgresql package")
		if err := aptInstall("postgresql"); err != nil {
			return nil, err
		}
		bin, err = findPostgresBin()
	}
	if err != nil {
		return nil, err
	}
	l.binDir = bin
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return nil, err
		}
		l.runAs = cred
	}
	return l, nil
}

var errNoPostgres = errors.New("localdb: no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql) or set DATABASE_URL")

func findPostgresBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if fileExists(filepath.Join(dir, "initdb")) && fileExists(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Highest major version first.
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "pg_ctl")) && fileExists(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", errNoPostgres
}

func aptInstall(pkgs ...string) error {
	update := exec.Command("apt-get", "update", "-qq")
	update.Stdout, update.Stderr = os.Stderr, os.Stderr
	if err := update.Run(); err != nil {
		return fmt.Errorf("localdb: apt-get update: %w", err)
	}
	install := exec.Command("apt-get", append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)...)
	install.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		return fmt.Errorf("localdb: apt-get install %s: %w", strings.Join(pkgs, " "), err)
	}
	return nil
}

// postgresCredential returns the postgres system user's ids: PostgreSQL
// refuses to run as root.
func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		if out, uerr := exec.Command("useradd", "--system", "--home-dir", "/var/lib/postgresql", "--shell", "/bin/sh", "postgres").CombinedOutput(); uerr != nil {
			return nil, fmt.Errorf("localdb: no postgres user and useradd failed: %v: %s", uerr, out)
		}
		if u, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("localdb: look up postgres user: %w", err)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// URL is the connection string of the local cluster's application database.
func (l *localDB) URL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", localDBName, l.port, localDBName)
}

// Start initialises the cluster on first use, starts it when it is not
// running, and makes sure the application database exists.
func (l *localDB) Start(ctx context.Context) error {
	if err := l.prepareDir(); err != nil {
		return err
	}
	if !fileExists(filepath.Join(l.dataDir, "PG_VERSION")) {
		fmt.Fprintf(os.Stderr, "localdb: initialising a PostgreSQL cluster in %s\n", l.dataDir)
		if out, err := l.run("initdb", "-D", l.dataDir, "-U", localDBName, "--auth=trust", "-E", "UTF8", "--locale=C"); err != nil {
			return fmt.Errorf("localdb: initdb: %v: %s", err, out)
		}
	}
	if !l.running() {
		if l.portTaken() {
			return fmt.Errorf("localdb: port %d is taken by another program; set LOCAL_PGPORT to another port", l.port)
		}
		sockDir := filepath.Join(l.dataDir, "run")
		if err := os.MkdirAll(sockDir, 0o700); err != nil {
			return fmt.Errorf("localdb: %w", err)
		}
		if err := l.chown(sockDir); err != nil {
			return err
		}
		opts := fmt.Sprintf("-p %d -h 127.0.0.1 -k %s -c max_connections=300 -c shared_buffers=256MB", l.port, sockDir)
		out, err := l.run("pg_ctl", "-D", l.dataDir, "-l", filepath.Join(l.dataDir, "server.log"), "-o", opts, "-w", "-t", "60", "start")
		if err != nil {
			return fmt.Errorf("localdb: pg_ctl start: %v: %s (see %s)", err, out, filepath.Join(l.dataDir, "server.log"))
		}
	}
	return l.ensureDatabase(ctx)
}

// Stop stops the cluster if it runs.
func (l *localDB) Stop() error {
	if !fileExists(filepath.Join(l.dataDir, "PG_VERSION")) || !l.running() {
		return nil
	}
	if out, err := l.run("pg_ctl", "-D", l.dataDir, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("localdb: pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

func (l *localDB) running() bool {
	_, err := l.run("pg_ctl", "-D", l.dataDir, "status")
	return err == nil
}

func (l *localDB) portTaken() bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", l.port), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// prepareDir creates the data directory. As root, the postgres user must be
// able to reach it; when an ancestor (say /root) is closed to it, the cluster
// lives in /var/lib/postgresql and ./.data/postgres links there.
func (l *localDB) prepareDir() error {
	if err := os.MkdirAll(filepath.Dir(l.dataDir), 0o755); err != nil {
		return fmt.Errorf("localdb: %w", err)
	}
	if target, err := os.Readlink(l.dataDir); err == nil {
		l.dataDir = target
	}
	if l.runAs == nil {
		return os.MkdirAll(l.dataDir, 0o700)
	}
	if !fileExists(l.dataDir) {
		if !l.reachableByPostgres(filepath.Dir(l.dataDir)) {
			sum := sha256.Sum256([]byte(l.dataDir))
			target := filepath.Join("/var/lib/postgresql", "dropship-"+hex.EncodeToString(sum[:4]))
			if err := os.MkdirAll(target, 0o700); err != nil {
				return fmt.Errorf("localdb: %w", err)
			}
			if err := os.Symlink(target, l.dataDir); err != nil {
				return fmt.Errorf("localdb: %w", err)
			}
			l.dataDir = target
		} else if err := os.Mkdir(l.dataDir, 0o700); err != nil {
			return fmt.Errorf("localdb: %w", err)
		}
	}
	return l.chown(l.dataDir)
}

func (l *localDB) reachableByPostgres(dir string) bool {
	cmd := exec.Command("test", "-x", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: l.runAs}
	return cmd.Run() == nil
}

func (l *localDB) chown(path string) error {
	if l.runAs == nil {
		return nil
	}
	if err := os.Chown(path, int(l.runAs.Uid), int(l.runAs.Gid)); err != nil {
		return fmt.Errorf("localdb: chown %s: %w", path, err)
	}
	return nil
}

// run executes one of the server binaries, as the postgres user when root.
func (l *localDB) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(l.binDir, name), args...)
	cmd.Dir = l.dataDir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Its own process group, so a Ctrl-C in `make run` does not kill the cluster.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: l.runAs}
	return cmd.CombinedOutput()
}

func (l *localDB) ensureDatabase(ctx context.Context) error {
	admin := fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", localDBName, l.port)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("localdb: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", localDBName).Scan(&exists); err != nil {
		return fmt.Errorf("localdb: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{localDBName}.Sanitize()); err != nil {
			return fmt.Errorf("localdb: create database: %w", err)
		}
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
