package jobs

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// FreeSpace returns the bytes available to unprivileged users on the file
// system holding dir.
func FreeSpace(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("jobs: statfs %s: %w", dir, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// checkDisk fails with ErrLowDisk when free space is below min.
func checkDisk(free func(string) (uint64, error), dir string, min uint64) error {
	n, err := free(dir)
	if err != nil {
		return err
	}
	if n < min {
		return fmt.Errorf("%w: %d MiB free in the data directory, new jobs need at least %d MiB", ErrLowDisk, n>>20, min>>20)
	}
	return nil
}

// diskErr wraps a write error with ErrDiskFull when the disk is full (or the
// quota exceeded), so callers report it as such.
func diskErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
