package jobs

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestFreeSpace(t *testing.T) {
	n, err := FreeSpace(t.TempDir())
	if err != nil || n == 0 {
		t.Fatalf("FreeSpace = %d, %v", n, err)
	}
	if _, err := FreeSpace(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("no error for a missing directory")
	}
	if err := checkDisk(FreeSpace, t.TempDir(), n+1<<40); !errors.Is(err, ErrLowDisk) {
		t.Fatalf("checkDisk above the free space: %v", err)
	}
	if err := checkDisk(FreeSpace, t.TempDir(), 0); err != nil {
		t.Fatalf("checkDisk with no threshold: %v", err)
	}
}
