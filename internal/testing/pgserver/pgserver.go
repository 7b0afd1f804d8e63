package pgserver

import (
	"context"
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
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL server.
type Server struct {
	// URL connects as the superuser "upscaled" to database "upscaled"
	// over loopback TCP.
	URL string
	// Port is the TCP port.
	Port int

	dir    string
	cmd    *exec.Cmd
	exited chan error
	log    *os.File
}

// BinDir is the directory of initdb and postgres: $UPSCALED_TEST_PGBIN,
// else the newest /usr/lib/postgresql/*/bin; "" when none has them.
func BinDir() string {
	if d := os.Getenv("UPSCALED_TEST_PGBIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises a cluster in a fresh directory, starts it and waits
// until it accepts connections; it is stopped and removed when the test
// ends. The server loads pg_stat_statements (Statements reads it), and
// runs without fsync: a test's database need not survive a power cut.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := BinDir()
	if bin == "" {
		t.Fatal("PostgreSQL is not installed (initdb, postgres): apt-get install postgresql (scripts/deps.sh --test installs it), or set UPSCALED_TEST_PGBIN to its bin directory")
	}
	cred, owner, err := runAs()
	if err != nil {
		t.Fatal(err)
	}
	// not t.TempDir: as root, its parent is closed to the server's user
	dir, err := os.MkdirTemp("", "pgserver-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if owner != nil {
		if err := os.Chown(dir, owner[0], owner[1]); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "upscaled", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	cmd.Stdout, cmd.Stderr, cmd.Dir = logf, logf, dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	s := &Server{Port: port, dir: dir, cmd: cmd, exited: make(chan error, 1), log: logf,
		URL: fmt.Sprintf("postgres://upscaled@127.0.0.1:%d/upscaled?sslmode=disable", port)}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(s.stop)
	admin := fmt.Sprintf("postgres://upscaled@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := exec1(ctx, admin, `CREATE DATABASE upscaled`)
		cancel()
		if err == nil {
			break
		}
		select {
		case werr := <-s.exited:
			s.exited <- werr
			t.Fatalf("postgres exited (%v):\n%s", werr, s.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres not up after 60 s (%v):\n%s", err, s.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := exec1(ctx, s.URL, `CREATE EXTENSION pg_stat_statements`); err != nil {
		t.Fatalf("pg_stat_statements: %v", err)
	}
	return s
}

// runAs is the credential the server runs under: none (this user) unless
// root, then the "postgres" user, else "nobody"; owner is its uid and gid
// for the data directory (nil when not root).
func runAs() (*syscall.Credential, []int, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, []int{uid, gid}, nil
	}
	return nil, nil, fmt.Errorf("pgserver: running as root and no \"postgres\" or \"nobody\" user to run PostgreSQL as (it refuses root): useradd --system postgres")
}

// exec1 runs one statement on a fresh connection.
func exec1(ctx context.Context, url, sql string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql)
	return err
}

// Exec runs statements on the server's database.
func (s *Server) Exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := exec1(ctx, s.URL, sql); err != nil {
		t.Fatalf("pgserver: %s: %v", sql, err)
	}
}

// Statement is one normalised query's totals from pg_stat_statements.
type Statement struct {
	Query string
	Calls int64
	Rows  int64
}

// Statements returns what pg_stat_statements counted since the last
// ResetStatements (or the start), most called first, and the WAL bytes
// written meanwhile.
func (s *Server) Statements(t testing.TB) ([]Statement, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	rows, err := c.Query(ctx, `SELECT query, calls, rows FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC`)
	if err != nil {
		t.Fatal(err)
	}
	var out []Statement
	for rows.Next() {
		var st Statement
		if err := rows.Scan(&st.Query, &st.Calls, &st.Rows); err != nil {
			t.Fatal(err)
		}
		st.Query = strings.Join(strings.Fields(st.Query), " ")
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var wal int64
	if err := c.QueryRow(ctx, `SELECT wal_bytes::bigint FROM pg_stat_wal`).Scan(&wal); err != nil {
		t.Fatal(err)
	}
	return out, wal
}

// ResetStatements zeroes pg_stat_statements and the WAL statistics.
func (s *Server) ResetStatements(t testing.TB) {
	t.Helper()
	s.Exec(t, `SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal')`)
}

// Log is what the server wrote so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop shuts the server down (fast shutdown: sessions are ended), killing
// it after 10 s.
func (s *Server) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
	s.log.Close()
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
