package liveserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// ReadyTimeout bounds a start: the engine self-test runs before /readyz
// answers 200.
const ReadyTimeout = 3 * time.Minute

// stopTimeout is how long Stop waits for the graceful shutdown before
// SIGKILL.
const stopTimeout = 30 * time.Second

// Options say how to run the server.
type Options struct {
	// Bin is the binary (Start: Binary(t) when empty).
	Bin string
	// DataDir is UPSCALED_DATA_DIR (Start: a fresh directory when empty;
	// Launch: the environment's).
	DataDir string
	// Env is added to the environment (KEY=VALUE, later entries win).
	Env []string
	// Addr is UPSCALED_ADDR; a free loopback port when empty. Launch
	// cannot tell a server already there from its own: give one only to
	// Refused.
	Addr string
	// Log receives the server's stdout and stderr; nil keeps them in
	// memory for Server.Log.
	Log io.Writer
}

// Server is a running `upscaled serve`.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234 (a new port after
	// Restart).
	URL string
	// DataDir is the server's UPSCALED_DATA_DIR ("" when the environment
	// set it).
	DataDir string

	opts    Options
	log     lockedBuffer
	cmd     *exec.Cmd
	done    chan error // the exit, sent once and put back by each reader
	exited  bool
	peakRSS atomic.Int64 // bytes
	stopRSS chan struct{}
}

// Start runs the server with the CPU engine, the installed models, a fresh
// data directory and text logs, env added (KEY=VALUE), and waits until
// /readyz answers 200. It is stopped when the test ends; its log is
// printed if the test failed.
func Start(t testing.TB, env ...string) *Server {
	t.Helper()
	return StartWith(t, Options{Env: env})
}

// Defaults is the environment Start gives a server: the CPU engine, the
// installed models, text logs.
func Defaults(t testing.TB) []string {
	t.Helper()
	return []string{"UPSCALED_ENGINE=cpu", "UPSCALED_MODELS_DIR=" + testenv.ModelsDir(t), "UPSCALED_LOG_FORMAT=text"}
}

// StartWith is Start with more choices.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Bin == "" {
		o.Bin = Binary(t)
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	o.Env = append(Defaults(t), o.Env...)
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	s, err := Launch(ctx, o)
	if s != nil {
		t.Cleanup(func() {
			s.Stop()
			if t.Failed() {
				t.Logf("server log (tail):\n%s", Tail(s.Log(), 8000))
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Launch runs `o.Bin serve` on a free loopback port with o.Env added to
// this process's environment, and waits until /readyz answers 200 (within
// ctx and ReadyTimeout). The caller must Stop it; on an error the process
// is already stopped.
func Launch(ctx context.Context, o Options) (*Server, error) {
	s := &Server{DataDir: o.DataDir, opts: o}
	if err := s.launch(ctx); err != nil {
		return s, err
	}
	return s, nil
}

// Refused runs `o.Bin serve` as Launch would, for a server that must not
// start (its data directory or address taken): it waits for the process to
// exit (killing it when ctx ends) and returns its output and exit error.
func Refused(ctx context.Context, o Options) (string, error) {
	var out lockedBuffer
	o.Log = &out
	cmd, _, err := command(o)
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s serve: %w", o.Bin, err)
	}
	stop := context.AfterFunc(ctx, func() { cmd.Process.Kill() })
	defer stop()
	err = cmd.Wait()
	return out.String(), err
}

// command is `o.Bin serve` with o's environment, on o.Addr or a free
// loopback port; its output goes to o.Log.
func command(o Options) (*exec.Cmd, string, error) {
	addr := o.Addr
	if addr == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, "", err
		}
		addr = l.Addr().String()
		l.Close()
	}
	cmd := exec.Command(o.Bin, "serve")
	cmd.Env = append(os.Environ(), o.Env...)
	if o.DataDir != "" {
		cmd.Env = append(cmd.Env, "UPSCALED_DATA_DIR="+o.DataDir)
	}
	cmd.Env = append(cmd.Env, "UPSCALED_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	return cmd, addr, nil
}

func (s *Server) launch(ctx context.Context) error {
	o := s.opts
	if o.Log == nil {
		o.Log = &s.log
	}
	cmd, addr, err := command(o)
	if err != nil {
		return err
	}
	s.URL = "http://" + addr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", s.opts.Bin, err)
	}
	s.cmd, s.done, s.exited = cmd, make(chan error, 1), false
	go func() { s.done <- cmd.Wait() }()
	s.stopRSS = make(chan struct{})
	go s.sampleRSS(cmd.Process.Pid, s.stopRSS)
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return fmt.Errorf("upscaled serve on %s: %w", addr, err)
	}
	return nil
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	client := http.Client{Timeout: 5 * time.Second}
	for {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("exited during start: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := client.Get(s.URL + "/readyz")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
}

// PID is the process id of the running server.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Log is what the server wrote so far, every run of it (empty when
// Options.Log took it).
func (s *Server) Log() string { return s.log.String() }

// PeakRSS is the largest resident set seen so far (sampled every 20 ms),
// in bytes.
func (s *Server) PeakRSS() int64 { return s.peakRSS.Load() }

func (s *Server) sampleRSS(pid int, stop chan struct{}) {
	for {
		if rss, err := RSS(pid); err == nil && rss > s.peakRSS.Load() {
			s.peakRSS.Store(rss)
		}
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop sends SIGTERM and waits for the graceful shutdown (SIGKILL after
// 30 s); the error is the exit's. Stopping a stopped server does nothing.
func (s *Server) Stop() error {
	if s.exited || s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
		err = fmt.Errorf("upscaled serve did not stop within %s", stopTimeout)
	}
	s.ended()
	return err
}

// Kill sends SIGKILL and waits for the process to end.
func (s *Server) Kill() {
	if s.exited || s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.ended()
}

func (s *Server) ended() {
	s.exited = true
	close(s.stopRSS)
}

// Restart starts the stopped (or killed) server again, same binary,
// environment (env added, for this run and later ones) and data directory,
// on a new port, and waits until it is ready.
func (s *Server) Restart(ctx context.Context, env ...string) error {
	if !s.exited {
		return fmt.Errorf("liveserver: Restart of a running server")
	}
	s.opts.Env = append(s.opts.Env, env...)
	return s.launch(ctx)
}

// Tail is the last n bytes of s, marked as cut when longer.
func Tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
