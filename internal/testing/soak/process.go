package soak

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
)

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
