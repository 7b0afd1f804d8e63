package jobs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestPublicReason: an item's recorded reason never names a server path.
func TestPublicReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // substring of the reason
	}{
		{"rename", &os.LinkError{Op: "rename", Old: "data/jobs/x/out/.0.tmp123", New: "data/jobs/x/out/0", Err: syscall.EIO}, "could not read or write"},
		{"rename disk full", diskErr(&os.LinkError{Op: "rename", Old: "data/jobs/x/out/.0.tmp", New: "data/jobs/x/out/0", Err: syscall.ENOSPC}), "disk is full"},
		{"open input", fmt.Errorf("item: %w", &fs.PathError{Op: "open", Path: "data/jobs/x/in/0", Err: syscall.ENOENT}), "could not read or write"},
		{"fsync", os.NewSyscallError("fsync", syscall.EIO), "could not read or write"},
		{"user error kept", errors.New("imaging: not a PNG, JPEG, WebP, GIF or BMP image"), "not a PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := publicReason(tt.err)
			if strings.Contains(got, "data/") || strings.Contains(got, ".tmp") {
				t.Errorf("reason names a path: %q", got)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("reason %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
