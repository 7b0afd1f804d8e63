// Package cache owns the result cache: results of the pipeline kept in a
// blob.Store under a content address, the SHA-256 of everything that
// decides the output's bytes (the input's bytes, the model, the resolved
// output format and every encoder and tiling option, the engine kind and
// a format version), so that a page sent again is answered without engine
// work.
//
// An entry is one object, "cache/<2 hex>/<64 hex>": the result's bytes,
// then its description (JSON), then a fixed footer holding both lengths,
// the SHA-256 of bytes + description and a magic string. An entry is
// served only after its footer, lengths and hash check out, in full, before
// the first byte goes out; anything else is a miss, and the entry is
// deleted. Writes go through the store's atomic Commit, so a crash leaves
// no partial entry.
//
// Wrap decorates the pipeline (upscale.Pipeline) for every caller: a hit
// copies the entry, a miss runs the pipeline and tees its output into a new
// entry. Identical requests in one process run once: the others wait for
// the first and then hit. On a local directory store the cache keeps to
// Config.MaxBytes, evicting the least recently used entries; on S3 the
// bucket's lifecycle rules expire entries.
//
// It must not import net/http, api, server or jobs.
package cache
