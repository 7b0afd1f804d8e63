//go:build !linux

package server

// availableMemory is unknown off Linux: the fallback budget applies.
func availableMemory() int64 { return 0 }
