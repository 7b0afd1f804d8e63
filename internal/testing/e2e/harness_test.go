package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// model is the fastest installed model on the CPU engine; every test uses it.
const model = "realesrgan-animevideov3-x2"

// readyTimeout bounds a server start (the self-test runs on the CPU engine).
const readyTimeout = 3 * time.Minute

// binPath is the binary built by TestMain.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "upscaled-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "upscaled")
	build := exec.Command("go", "build", "-tags", "faulthooks", "-o", binPath, "./cmd/upscaled")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build -tags faulthooks ./cmd/upscaled: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoRoot finds go.mod above the working directory (TestMain has no t).
func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

// server is one running `upscaled serve`.
type server struct {
	t       testing.TB
	URL     string
	DataDir string
	env     []string
	cmd     *exec.Cmd
	done    chan error
	logMu   sync.Mutex
	log     bytes.Buffer
	peakRSS atomic.Int64
	stopRSS chan struct{}
	exited  bool
}

// startServer runs the binary on a free port with the CPU engine, the
// installed models, dataDir ("" for a fresh one) and env (KEY=VALUE, later
// entries win), and waits until /readyz answers 200. It is stopped when the
// test ends; its log is printed if the test failed.
func startServer(t testing.TB, dataDir string, env ...string) *server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	s := &server{t: t, DataDir: dataDir, env: env}
	s.launch()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("server log (tail):\n%s", tail(s.Log(), 6000))
		}
	})
	s.waitReady()
	return s
}

func (s *server) launch() {
	t := s.t
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s.URL = "http://" + addr
	cmd := exec.Command(binPath, "serve")
	cmd.Env = append(os.Environ(),
		"UPSCALED_ADDR="+addr,
		"UPSCALED_ENGINE=cpu",
		"UPSCALED_DATA_DIR="+s.DataDir,
		"UPSCALED_MODELS_DIR="+testenv.ModelsDir(t),
		"UPSCALED_LOG_FORMAT=text",
		"UPSCALED_MIN_FREE_DISK=1MiB",
	)
	cmd.Env = append(cmd.Env, s.env...)
	cmd.Stdout, cmd.Stderr = (*logWriter)(s), (*logWriter)(s)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", binPath, err)
	}
	s.cmd, s.done, s.exited = cmd, make(chan error, 1), false
	go func() { s.done <- cmd.Wait() }()
	s.stopRSS = make(chan struct{})
	go s.sampleRSS(cmd.Process.Pid, s.stopRSS)
}

type logWriter server

func (w *logWriter) Write(p []byte) (int, error) {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	return w.log.Write(p)
}

// Log is what the server wrote so far (all its runs).
func (s *server) Log() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

// sampleRSS records the peak resident memory of pid every 20 ms.
func (s *server) sampleRSS(pid int, stop chan struct{}) {
	for {
		if rss, err := rss(pid); err == nil && rss > s.peakRSS.Load() {
			s.peakRSS.Store(rss)
		}
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// PeakRSS is the largest resident set seen so far, in bytes.
func (s *server) PeakRSS() int64 { return s.peakRSS.Load() }

func (s *server) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			s.t.Fatalf("server exited during start: %v\n%s", err, tail(s.Log(), 4000))
		case <-time.After(100 * time.Millisecond):
		}
		if code, _ := s.status("/readyz"); code == http.StatusOK {
			return
		}
	}
	s.t.Fatalf("server not ready within %s\n%s", readyTimeout, tail(s.Log(), 4000))
}

// status GETs path and returns the status code and body (0 when no answer).
func (s *server) status(path string) (int, string) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.URL + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// Alive fails the test unless /healthz answers 200 within a second.
func (s *server) Alive(when string) {
	s.t.Helper()
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(s.URL + "/healthz")
	if err != nil {
		s.t.Fatalf("%s: /healthz: %v (server down?)", when, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("%s: /healthz: %d", when, resp.StatusCode)
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (s *server) Kill() {
	if s.exited {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.exited = true
	close(s.stopRSS)
}

// Stop sends SIGTERM and waits for the graceful shutdown (SIGKILL after 30 s).
func (s *server) Stop() {
	if s.exited {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.exited = true
	close(s.stopRSS)
}

// Restart starts the binary again on the same data directory and waits
// until it is ready.
func (s *server) Restart() {
	s.t.Helper()
	if !s.exited {
		s.t.Fatal("Restart of a running server")
	}
	s.launch()
	s.waitReady()
}

// rss is the resident set size of pid in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// ctxT is a context bounded by d, canceled at the end of the test.
func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
