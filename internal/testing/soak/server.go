package soak

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Server is a running upscaled binary.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	done chan error
}

// Start runs `bin serve` on a free loopback port with env added to the
// environment and waits until /readyz answers 200.
func Start(ctx context.Context, bin string, env []string, logFile *os.File) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), env...), "UPSCALED_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("server exited during start: %v", err)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
	}
	s.Stop()
	return nil, fmt.Errorf("server not ready after 3 minutes")
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop sends SIGTERM and waits (SIGKILL after 30 s).
func (s *Server) Stop() error {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		return fmt.Errorf("server did not stop within 30 s")
	}
}

// RSS is the resident set size in bytes from /proc.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// Descriptors are a process's open file descriptors by kind.
type Descriptors struct {
	Total   int
	Sockets int
	// Database counts the job database's files (jobs.db, -wal, -shm): a
	// few per pooled SQLite connection.
	Database int
	// Files are other regular files (uploads, results, spool): each one
	// open while idle is a leak.
	Files []string
	Other int // pipes, event fds, devices
}

// maxDatabaseFDs bounds the database descriptors of an idle server: the
// store's pool holds at most 4 connections of 3 files each.
const maxDatabaseFDs = 12

// OpenFiles reads the process's file descriptors from /proc.
func OpenFiles(pid int) (Descriptors, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Descriptors{}, err
	}
	var d Descriptors
	for _, e := range ents {
		target, err := os.Readlink(dir + "/" + e.Name())
		if err != nil {
			continue // closed meanwhile
		}
		d.Total++
		switch {
		case strings.HasPrefix(target, "socket:"):
			d.Sockets++
		case strings.Contains(target, "jobs.db"):
			d.Database++
		case strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "/dev/") && !strings.HasPrefix(target, "/proc/"):
			d.Files = append(d.Files, target)
		default:
			d.Other++
		}
	}
	return d, nil
}

// String is "total (sockets S, database D, files F, other O)".
func (d Descriptors) String() string {
	return fmt.Sprintf("%d (sockets %d, database %d, files %d, other %d)", d.Total, d.Sockets, d.Database, len(d.Files), d.Other)
}

// leaks lists what after holds beyond the idle baseline before.
func (d Descriptors) leaks(before Descriptors) []string {
	var out []string
	if len(d.Files) > len(before.Files) {
		out = append(out, fmt.Sprintf("files left open: %s", strings.Join(d.Files, ", ")))
	}
	if d.Sockets > before.Sockets+2 {
		out = append(out, fmt.Sprintf("%d sockets open, %d before", d.Sockets, before.Sockets))
	}
	if d.Other > before.Other+2 {
		out = append(out, fmt.Sprintf("%d pipes/devices open, %d before", d.Other, before.Other))
	}
	if d.Database > maxDatabaseFDs {
		out = append(out, fmt.Sprintf("%d job database descriptors, the pool holds at most %d", d.Database, maxDatabaseFDs))
	}
	return out
}

// Goroutines reads go_goroutines from /metrics.
func Goroutines(url string) (int, error) {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "go_goroutines ") {
			return strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "go_goroutines ")))
		}
	}
	return 0, fmt.Errorf("go_goroutines not in /metrics")
}
