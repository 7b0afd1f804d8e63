// Package e2e holds end-to-end tests of the real upscaled binary: it is
// built once per test run (with the faulthooks tag, which links the engine
// fault hook of internal/faultengine) and started by liveserver on free
// loopback ports with the CPU engine, the installed models and real SQLite.
// The tests feed it the hostile corpus, check access control, security
// headers and size limits, and inject faults: SIGKILL mid-job, a full disk
// (tmpfs), engine failures and a locked database. The API, a job and the
// command line must write the same bytes for an image (one path).
//
// It has no non-test code beyond this file; it starts processes and talks
// HTTP only, importing nothing of the service but internal/testing's
// hostile, liveserver and testenv, and the jobs database driver for the
// integrity checks.
package e2e
