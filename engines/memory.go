package engines

// MemoryReporter is implemented by engines that account for the device
// memory they allocate (weights, workspaces, staging buffers), in bytes.
type MemoryReporter interface {
	// MemoryInUse is the device memory allocated now.
	MemoryInUse() int64
	// PeakMemory is the most device memory allocated at once since the
	// engine opened.
	PeakMemory() int64
}

// DeviceMemory sums MemoryInUse and PeakMemory over e, or over its devices
// when e schedules several (it has a Devices method). ok is false when no
// device reports its memory (the Go executor uses host memory only).
func DeviceMemory(e Engine) (inUse, peak int64, ok bool) {
	for _, d := range devicesOf(e) {
		if m, has := d.(MemoryReporter); has {
			inUse += m.MemoryInUse()
			peak += m.PeakMemory()
			ok = true
		}
	}
	return inUse, peak, ok
}
