package server

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDataDirLock: a second server on a data directory in use is refused,
// naming the holder's PID, before it changes anything there; once the
// first one closes, the directory can be used again.
func TestDataDirLock(t *testing.T) {
	cfg := testConfig(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(cfg.DataDir, "spool", "in-use")
	if err := os.WriteFile(marker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := New(cfg, log)
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("a second server opened a data directory in use")
	}
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second server: %v; want ErrDataDirInUse naming pid %d", err, os.Getpid())
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the refused server touched the spool directory: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := New(cfg, log)
	if err != nil {
		t.Fatalf("after the first server closed: %v", err)
	}
	again.Close()
}
