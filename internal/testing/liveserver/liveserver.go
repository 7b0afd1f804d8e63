package liveserver

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// readyTimeout bounds the start-up self-test of a freshly started server.
const readyTimeout = 3 * time.Minute

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds ./cmd/upscaled once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "upscaled-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "upscaled")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/upscaled")
		cmd.Dir = testenv.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/upscaled: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// Server is a running upscaled binary.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	// DataDir is the server's UPSCALED_DATA_DIR.
	DataDir string
	cmd     *exec.Cmd
	log     *bytes.Buffer
	logMu   *sync.Mutex
	done    chan error
}

// Start runs `upscaled serve` on a free loopback port with the CPU engine,
// the installed models, a fresh data directory and env added (KEY=VALUE),
// and waits until /readyz answers 200. The server is stopped when the test
// ends; its log is printed if the test failed.
func Start(t testing.TB, env ...string) *Server {
	t.Helper()
	bin := Binary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	data := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"UPSCALED_ADDR="+addr,
		"UPSCALED_ENGINE=cpu",
		"UPSCALED_DATA_DIR="+data,
		"UPSCALED_MODELS_DIR="+testenv.ModelsDir(t),
	)
	cmd.Env = append(cmd.Env, env...)
	s := &Server{URL: "http://" + addr, DataDir: data, cmd: cmd, log: &bytes.Buffer{}, logMu: &sync.Mutex{}, done: make(chan error, 1)}
	w := &lockedWriter{buf: s.log, mu: s.logMu}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", bin, err)
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", s.Log())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		t.Fatalf("upscaled serve on %s: %v\nlog:\n%s", addr, err, s.Log())
	}
	return s
}

// Log returns what the server has written to stdout and stderr so far.
func (s *Server) Log() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

func (s *Server) waitReady(ctx context.Context) error {
	for {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("exited during start: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("not ready within %s", readyTimeout)
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(s.URL + "/readyz")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
}

// stop sends SIGTERM and waits for the graceful shutdown (SIGKILL after 30 s).
func (s *Server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

type lockedWriter struct {
	buf *bytes.Buffer
	mu  *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}
