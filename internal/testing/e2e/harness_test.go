package e2e

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
)

// model is the fastest installed model on the CPU engine; every test uses it.
const model = "realesrgan-animevideov3-x2"

func TestMain(m *testing.M) { liveserver.Main(m) }

// binary is the upscaled binary with the fault hooks (build tag faulthooks).
func binary(t testing.TB) string {
	t.Helper()
	return liveserver.Binary(t, "faulthooks")
}

// server is one running `upscaled serve` (liveserver) with the checks these
// tests make of it.
type server struct {
	*liveserver.Server
	t testing.TB
}

// startServer runs the binary with the CPU engine, the installed models,
// dataDir ("" for a fresh one) and env (KEY=VALUE, later entries win), and
// waits until /readyz answers 200. It is stopped when the test ends.
func startServer(t testing.TB, dataDir string, env ...string) *server {
	t.Helper()
	env = append([]string{"UPSCALED_MIN_FREE_DISK=1MiB"}, env...)
	s := liveserver.StartWith(t, liveserver.Options{Bin: binary(t), DataDir: dataDir, Env: env})
	return &server{Server: s, t: t}
}

// Restart starts the stopped or killed server again on its data directory,
// env added, and waits until it is ready.
func (s *server) Restart(env ...string) {
	s.t.Helper()
	if err := s.Server.Restart(context.Background(), env...); err != nil {
		s.t.Fatalf("restart: %v\n%s", err, tail(s.Log(), 4000))
	}
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

func tail(s string, n int) string { return liveserver.Tail(s, n) }

// ctxT is a context bounded by d, canceled at the end of the test.
func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
