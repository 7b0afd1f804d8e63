// Package s3server runs a real S3-compatible server for tests: SeaweedFS
// (`weed server -s3`, Apache-2.0, built from the Go module proxy at a pinned
// version by scripts/seaweedfs.sh, which scripts/deps.sh --test runs) on
// loopback ports under a temp directory, with one bucket and static
// credentials, stopped when the test ends. Only tests import it.
package s3server
