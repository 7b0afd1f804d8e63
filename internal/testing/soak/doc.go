// Package soak drives the real upscaled binary on loopback with many
// concurrent clients for a bounded time — synchronous requests of several
// sizes, batch jobs, slow uploaders, clients that disconnect mid-upload and
// mid-download, cancellations, bad input — and checks that every result
// equals a direct run, memory stays under budget + overhead, only documented
// status codes appear, and goroutines and open files return to baseline.
// `make soak` runs it (default 10 minutes); a short run is part of make test.
package soak
