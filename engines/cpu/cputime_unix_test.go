//go:build unix

package cpu

import "syscall"

// processCPUSeconds is the user+system CPU time this process has used: a
// cost measure that holds on a loaded machine, where wall time does not.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
