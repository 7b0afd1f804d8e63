//go:build !unix

package cpu

// processCPUSeconds is unavailable here (reported as 0).
func processCPUSeconds() float64 { return 0 }
