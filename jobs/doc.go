// Package jobs owns batch jobs: the job store (SQLite in WAL mode, or
// PostgreSQL in a fleet) and the job files under the data directory, the
// streamed upload of a job's items, the round-robin queue, the workers
// that run items through the shared pipeline under the shared memory
// budget, progress events, and the collector that removes expired results.
//
// Restart safety: records are the source of truth; on Open, queued and
// interrupted items are queued again, finished items are kept, and a result
// becomes visible only after temp file + fsync + rename + directory fsync
// and the record saying it succeeded.
//
// With a remote store (Deps.Blobs: an S3 bucket) uploads and results are
// objects of the same names (jobs/<id>/in/<n>, jobs/<id>/out/<n>), visible
// only complete, and jobs.db stays in the data directory; a failing store
// is ErrStorage, retried like an engine failure. Several servers may share
// a bucket: none sweeps jobs it has no record of.
//
// Fleet mode (Config.DatabaseURL): the same store on PostgreSQL
// (dialect.go, pgstore.go) and, instead of the in-process queue, River
// (fleet.go): each page is a queue job enqueued in the transaction that
// records its job, taken by any worker node, rescued from dead nodes,
// returned to the queue when a node drains, failed when the queue gives it
// up (sweep.go); events are read from the database (watch.go), so every
// node answers for every job.
//
// It must not import net/http, api or server: the HTTP surface (api) calls
// it, the process (server/cmd) wires it.
package jobs
