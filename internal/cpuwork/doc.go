// Package cpuwork runs the CPU-heavy work of every request (the Go
// executor's layers, the PNG encoder's row groups, libjpeg's and libwebp's compression calls) on one shared
// set of GOMAXPROCS worker goroutines.
//
// However many requests run at once, at most GOMAXPROCS goroutines then
// compete for the processors, and the workers yield between chunks, so
// light goroutines (/healthz, /metrics, accepting uploads) wait a few
// milliseconds for a processor instead of queueing behind dozens of busy
// goroutines. Chunks of the smallest piece of work go first, so a panel's
// layers are not queued behind a page's. Work passed to For and Go must not itself call For or Go:
// a worker waiting for other workers could wait forever.
//
// cpuwork imports nothing of upscaled.
package cpuwork
