// Package jobs owns batch jobs: the SQLite job store (WAL) and the job files
// under the data directory, the streamed upload of a job's items, the
// round-robin queue, the workers that run items through the shared pipeline
// under the shared memory budget, progress events, and the collector that
// removes expired results.
//
// Restart safety: records are the source of truth; on Open, queued and
// interrupted items are queued again, finished items are kept, and a result
// becomes visible only after temp file + fsync + rename + directory fsync
// and the record saying it succeeded.
//
// It must not import net/http, api or server: the HTTP surface (api) calls
// it, the process (server/cmd) wires it.
package jobs
