//go:build !linux

package imaging

// populate is a no-op where MADV_POPULATE_WRITE does not exist.
func populate([]byte) {}
