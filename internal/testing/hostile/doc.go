// Package hostile generates the hostile-input corpus: truncated and corrupt
// images, decompression bombs, giant metadata, animations, unusual but valid
// encodings, every EXIF orientation, broken ICC profiles, non-images and
// dangerous upload names — each with the answer the API documents for it.
// Tests (api, server) feed every case to the real server; `go run
// ./internal/hostile/cmd DIR` writes the files out for manual use.
package hostile
