package jobs

import (
	"errors"
	"io/fs"
	"os"
)

// publicReason is the reason recorded for a failed item, which its owner
// reads: the error's own message, except for server-side file failures,
// whose text names paths and is only logged.
func publicReason(err error) string {
	if errors.Is(err, ErrDiskFull) {
		return "the server's disk is full: the result could not be written"
	}
	if errors.Is(err, ErrStorage) {
		return "the server could not read or write the item's files in its object store"
	}
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	if errors.As(err, &pe) || errors.As(err, &le) || errors.As(err, &se) {
		return "the server could not read or write the item's files"
	}
	return err.Error()
}
