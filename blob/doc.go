// Package blob owns object storage: a Store of immutable objects named by
// slash-separated keys, with a local-directory backend (Dir, the embedded
// default) and an S3 backend (S3, any S3-compatible server) chosen by URL
// (Open: a path or file:// URL, or s3://bucket/prefix).
//
// An object becomes visible only complete: a Writer's bytes are invisible
// until Commit (Dir: temp file, fsync, rename, directory fsync; S3: the
// upload completes), and Abort leaves nothing. Readers stream; nothing is
// buffered whole.
//
// It must not import net/http servers, api, server, jobs or upscale: it is
// storage only; the result cache (cache) and the jobs sit above it.
package blob
