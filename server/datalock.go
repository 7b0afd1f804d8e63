package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrDataDirInUse: another process holds the data directory's lock.
var ErrDataDirInUse = errors.New("data directory in use by another upscaled serve")

// lockName is the lock file in the data directory; it holds the PID of the
// process that holds the lock.
const lockName = "upscaled.lock"

// dataLock is an exclusive flock on the data directory's lock file, held
// for the life of the process; the kernel releases it when the process
// ends, however it ends.
type dataLock struct{ f *os.File }

// lockDataDir creates dir and takes its lock without waiting. When another
// process holds it, the error wraps ErrDataDirInUse and names its PID.
func lockDataDir(dir string) (*dataLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			b, _ := os.ReadFile(path)
			pid := strings.TrimSpace(string(b))
			if _, perr := strconv.Atoi(pid); perr != nil {
				pid = "unknown"
			}
			return nil, fmt.Errorf("%w: %s is locked by process %s (%s); stop it or give this server another data directory", ErrDataDirInUse, dir, pid, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

// release drops the lock. The PID stays in the file: the next holder
// overwrites it.
func (l *dataLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
