package api

import (
	"errors"
	"io/fs"
	"net"
	"os"

	"github.com/upscaled/upscaled/jobs"
)

// revealsInternals reports an error whose text names server internals
// (file paths, system calls, socket addresses); such text is logged with
// the request id, never sent to the client.
func revealsInternals(err error) bool {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	var oe *net.OpError
	return errors.As(err, &pe) || errors.As(err, &le) || errors.As(err, &se) || errors.As(err, &oe) ||
		errors.Is(err, jobs.ErrStorage) // names the bucket and its endpoint
}

// publicDetails are the details sent instead of an error's own text when
// that text reveals internals, by problem slug.
var publicDetails = map[string]string{
	"insufficient-storage": "the server's disk is full: try again later",
	"timeout":              "the request took longer than the server's time limit (UPSCALED_REQUEST_TIMEOUT)",
	"client-closed":        "the client closed the request",
	"storage-unavailable":  "the server's object store did not answer: try again later",
}

// publicDetail is the detail for slug when the error's text may not be
// shown: the request id in the problem finds the cause in the server log.
func publicDetail(slug string) string {
	if d, ok := publicDetails[slug]; ok {
		return d
	}
	return "the server could not complete the request; its log has the cause under the request id"
}
