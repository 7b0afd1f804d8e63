package engines

import "time"

// Work is what an engine has done since it opened.
type Work struct {
	// ConvFLOPs is the convolution and deconvolution arithmetic executed
	// (2 × multiply-adds), counting every pass over every tile: compared
	// with the model's arithmetic for the image it shows recomputation and
	// tile overlap.
	ConvFLOPs float64
	// Busy is the time the device had submitted work that had not finished
	// (the union over its queues, seen from the host).
	Busy time.Duration
}

// Sub is w minus an earlier reading.
func (w Work) Sub(earlier Work) Work {
	return Work{ConvFLOPs: w.ConvFLOPs - earlier.ConvFLOPs, Busy: w.Busy - earlier.Busy}
}

// WorkReporter is implemented by engines that count the work they do.
type WorkReporter interface {
	Work() Work
}

// DeviceWork is the Work of e, or of each of its devices when it schedules
// several; ok is false when no device counts its work.
func DeviceWork(e Engine) (work []Work, names []string, ok bool) {
	for _, d := range devicesOf(e) {
		if r, has := d.(WorkReporter); has {
			work = append(work, r.Work())
			names = append(names, d.Name())
			ok = true
		}
	}
	return work, names, ok
}

// MultiDevice is implemented by engines that spread passes over several
// device engines.
type MultiDevice interface {
	Devices() []Engine
}

// devicesOf is e's device engines: its Devices, or e itself.
func devicesOf(e Engine) []Engine {
	if s, ok := e.(MultiDevice); ok {
		return s.Devices()
	}
	return []Engine{e}
}
