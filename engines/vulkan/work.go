package vulkan

import (
	"sync"
	"time"

	"github.com/upscaled/upscaled/engines"
)

// workCounter counts an engine's executed convolution arithmetic and the
// time its device had work in flight; it outlives device contexts, like
// memCounter.
type workCounter struct {
	mu       sync.Mutex
	flops    float64
	inflight int       // submissions not yet seen finished
	since    time.Time // when inflight last went from 0 to 1
	busy     time.Duration
}

func (w *workCounter) addFLOPs(f float64) {
	w.mu.Lock()
	w.flops += f
	w.mu.Unlock()
}

// begin marks one submission in flight.
func (w *workCounter) begin() {
	w.mu.Lock()
	if w.inflight == 0 {
		w.since = time.Now()
	}
	w.inflight++
	w.mu.Unlock()
}

// end marks one submission finished (or abandoned).
func (w *workCounter) end() {
	w.mu.Lock()
	w.inflight--
	if w.inflight == 0 {
		w.busy += time.Since(w.since)
	}
	w.mu.Unlock()
}

func (w *workCounter) read() engines.Work {
	w.mu.Lock()
	defer w.mu.Unlock()
	busy := w.busy
	if w.inflight > 0 {
		busy += time.Since(w.since)
	}
	return engines.Work{ConvFLOPs: w.flops, Busy: busy}
}

// Work is the convolution arithmetic the engine executed and the time its
// device had work in flight, since it opened.
func (e *Engine) Work() engines.Work { return e.work.read() }

// segmentFLOPs is the convolution arithmetic of segments [from, to).
func (l *layout) segmentFLOPs(from, to int) float64 {
	first := 0
	if from > 0 {
		first = l.segs[from-1].end
	}
	var f float64
	for _, s := range l.steps[first:l.segs[to-1].end] {
		f += s.flops
	}
	return f
}
