// Package timeline records spans of work on named tracks when a Recorder
// rides in the context: what each request stream's goroutines did (decode,
// queued for the device, staging, readback, encode) and when the device had
// a submission in flight. `upscaled bench --trace FILE` writes the spans as a
// Chrome trace-event file (Perfetto, chrome://tracing) and prints a summary
// of what the streams were doing while the device had nothing to run.
//
// Without a Recorder in the context every call is a no-op costing a context
// lookup, so the hot path stays instrumented in production builds.
package timeline
