package timeline

import (
	"context"
	"sync"
	"time"
)

// Span is one piece of work: on a stream's track (host work of one request
// stream) or, with Device set, a submission in flight on the device.
type Span struct {
	Track  string
	Name   string
	Device bool
	Start  time.Duration // since the recorder began
	End    time.Duration
}

// Recorder collects spans from any number of goroutines.
type Recorder struct {
	t0    time.Time
	mu    sync.Mutex
	spans []Span
}

// New starts a recorder; span times count from now.
func New() *Recorder { return &Recorder{t0: time.Now()} }

// Spans returns a copy of the spans recorded so far.
func (r *Recorder) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

func (r *Recorder) add(s Span) {
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
}

type recorderKey struct{}
type trackKey struct{}

// With returns ctx carrying r; spans begun under it are recorded.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

// WithTrack names the track (a request stream) host spans under ctx go to.
func WithTrack(ctx context.Context, track string) context.Context {
	return context.WithValue(ctx, trackKey{}, track)
}

// On reports whether spans under ctx are recorded (to skip building span
// names on the hot path).
func On(ctx context.Context) bool {
	r, _ := ctx.Value(recorderKey{}).(*Recorder)
	return r != nil
}

// Track is the track ctx's host spans go to.
func Track(ctx context.Context) string {
	t, _ := ctx.Value(trackKey{}).(string)
	return t
}

// Begin starts a host span named name on ctx's track; the returned func ends
// it. A no-op without a recorder.
func Begin(ctx context.Context, name string) func() {
	return begin(ctx, name, false)
}

// BeginDevice starts a device span (a submission in flight) labelled with
// ctx's track; the returned func ends it when the device is seen done.
func BeginDevice(ctx context.Context, name string) func() {
	return begin(ctx, name, true)
}

func begin(ctx context.Context, name string, device bool) func() {
	r, _ := ctx.Value(recorderKey{}).(*Recorder)
	if r == nil {
		return func() {}
	}
	track, _ := ctx.Value(trackKey{}).(string)
	start := time.Since(r.t0)
	return func() {
		r.add(Span{Track: track, Name: name, Device: device, Start: start, End: time.Since(r.t0)})
	}
}
