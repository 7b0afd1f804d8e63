package vulkan

import (
	"errors"
	"fmt"
	"sync"

	"github.com/upscaled/upscaled/engines"
)

// progDev is a program's state on one device context: the weights buffer
// and the plans recorded there.
type progDev struct {
	st      *devState
	weights *buffer
	wOff    []int64
	mu      sync.Mutex
	plans   map[layoutKey]*devPlan
	// passes is the number of open passes; the weights outlive them when
	// the program closes or moves to a new device context first.
	passes int
	closed bool
}

// devPlan is a layout made runnable: a pipeline per step and a pool of
// instances (arena, io and pixel buffers with command buffers recorded once
// per segment) that passes take and give back.
type devPlan struct {
	pd    *progDev
	l     *layout
	pipes []uintptr
	mu    sync.Mutex
	idle  []*instance
	// inUse counts instances taken and not given back; peak is its highest
	// value. The plan keeps up to peak idle instances: pages that run
	// several passes of one layout at once (streams × bands) take them
	// again next time instead of allocating gigabytes of arena per pass.
	inUse, peak int
	// made counts instances created (tests).
	made int
	// retired: evicted from its progDev's cache, or the progDev closed;
	// instances given back are freed instead of kept.
	retired bool
}

// instance is one set of buffers a pass runs in, with its recorded
// command buffers (one per segment).
type instance struct {
	arena       []*buffer // one per arena block
	io, in, out *buffer
	cmds        []uintptr
	// last is the instance's latest submission: the next pass, maybe on
	// another queue, orders its first submission after it on the device.
	last tick
}

// minIdle is the instances a plan keeps for reuse even below its peak.
const minIdle = 2

// device returns the program's state on the live device (uploading the
// weights when it is new) and a state reference the caller releases; with
// pass set it also counts an open pass the caller ends with passDone.
func (p *program) device(pass bool) (*progDev, *devState, error) {
	st, err := p.e.state()
	if err != nil {
		return nil, nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		st.release()
		return nil, nil, fmt.Errorf("vulkan: program %s: %w", p.info.ID, engines.ErrClosed)
	}
	if p.dev != nil && p.dev.st == st {
		if pass {
			p.dev.addPass()
		}
		return p.dev, st, nil
	}
	if p.dev != nil {
		p.dev.close()
		p.dev = nil
	}
	esize := int64(4)
	if st.fp16 {
		esize = 2
	}
	data, offs := encodeParts(p.parts, esize, st.align)
	wb, err := st.newBuffer(int64(len(data)), bufDevice)
	if err == nil {
		if err = st.upload(wb, 0, data); err != nil {
			st.freeBuffer(wb)
		}
	}
	if err != nil {
		st.release()
		return nil, nil, p.e.checkLost(st, fmt.Errorf("uploading %d bytes of weights: %w", len(data), err))
	}
	p.dev = &progDev{st: st, weights: wb, wOff: offs, plans: map[layoutKey]*devPlan{}}
	if pass {
		p.dev.addPass()
	}
	return p.dev, st, nil
}

func (pd *progDev) addPass() {
	pd.mu.Lock()
	pd.passes++
	pd.mu.Unlock()
}

// passDone ends a pass counted by device(true).
func (pd *progDev) passDone() {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	pd.passes--
	if pd.closed && pd.passes == 0 {
		pd.st.freeBuffer(pd.weights)
	}
}

// close retires the plans; the weights go when no pass uses them.
func (pd *progDev) close() {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	for _, dp := range pd.plans {
		dp.retire()
	}
	pd.plans = map[layoutKey]*devPlan{}
	pd.closed = true
	if pd.passes == 0 {
		pd.st.freeBuffer(pd.weights)
	}
}

// plan returns the runnable plan of l, creating its pipelines.
func (pd *progDev) plan(l *layout) (*devPlan, error) {
	key := layoutKey{l.h, l.w, l.depth, l.esize}
	pd.mu.Lock()
	defer pd.mu.Unlock()
	if dp, ok := pd.plans[key]; ok {
		return dp, nil
	}
	if err := pd.st.dev.bindable(l); err != nil {
		return nil, err
	}
	dp := &devPlan{pd: pd, l: l, pipes: make([]uintptr, len(l.steps))}
	pd.st.addPlan(dp)
	for i, s := range l.steps {
		h, err := pd.st.pipeline(s.shader, len(s.binds), len(s.push), s.spec)
		if err != nil {
			return nil, err
		}
		dp.pipes[i] = h
	}
	if len(pd.plans) >= 16 {
		for k, old := range pd.plans {
			old.retire()
			delete(pd.plans, k)
			break
		}
	}
	pd.plans[key] = dp
	return dp, nil
}

// acquire takes an idle instance or makes one. When the device is out of
// memory, the idle instances of every plan on it go and it tries once more:
// memory the budget reserved for this pass may be held by a cache.
func (dp *devPlan) acquire() (*instance, error) {
	dp.mu.Lock()
	dp.inUse++
	dp.peak = max(dp.peak, dp.inUse)
	if n := len(dp.idle); n > 0 {
		in := dp.idle[n-1]
		dp.idle = dp.idle[:n-1]
		dp.mu.Unlock()
		return in, nil
	}
	dp.made++
	dp.mu.Unlock()
	in, err := dp.newInstance()
	if errors.Is(err, engines.ErrOutOfMemory) && dp.pd.st.trimIdle() > 0 {
		in, err = dp.newInstance()
	}
	if err != nil {
		dp.mu.Lock()
		dp.inUse--
		dp.mu.Unlock()
	}
	return in, err
}

// retire frees the idle instances and those given back later.
func (dp *devPlan) retire() {
	dp.mu.Lock()
	dp.retired = true
	dp.mu.Unlock()
	dp.trim()
	dp.pd.st.dropPlan(dp)
}

// trim frees the idle instances and returns how many there were.
func (dp *devPlan) trim() int {
	dp.mu.Lock()
	idle := dp.idle
	dp.idle = nil
	dp.mu.Unlock()
	for _, in := range idle {
		dp.pd.freeInstance(in)
	}
	return len(idle)
}

// give returns an instance for reuse (or frees it, from a failed pass).
func (dp *devPlan) give(in *instance, reuse bool) {
	dp.mu.Lock()
	dp.inUse--
	if reuse && len(dp.idle) < max(minIdle, dp.peak) && !dp.retired && !dp.pd.st.isDead() {
		dp.idle = append(dp.idle, in)
		dp.mu.Unlock()
		return
	}
	dp.mu.Unlock()
	dp.pd.freeInstance(in)
}

func (pd *progDev) freeInstance(in *instance) {
	for _, h := range in.cmds {
		pd.st.freeCmd(h)
	}
	for _, b := range append([]*buffer{in.io, in.in, in.out}, in.arena...) {
		pd.st.freeBuffer(b)
	}
}

func (dp *devPlan) newInstance() (*instance, error) {
	st, l := dp.pd.st, dp.l
	in := &instance{}
	var err error
	alloc := func(dst **buffer, size int64, kind int) {
		if err == nil {
			*dst, err = st.newBuffer(size, kind)
		}
	}
	in.arena = make([]*buffer, len(l.blocks))
	for k, size := range l.blocks {
		alloc(&in.arena[k], size, bufDevice)
	}
	alloc(&in.io, l.io, bufReadback)
	alloc(&in.in, l.inBytes, bufUpload)
	alloc(&in.out, l.outBytes, bufReadback)
	if err == nil {
		clear(in.io.bytes())
		from := 0
		for _, seg := range l.segs {
			var h uintptr
			if h, err = st.record(dp.dispatches(in, from, seg.end)); err != nil {
				break
			}
			in.cmds = append(in.cmds, h)
			from = seg.end
		}
	}
	if err != nil {
		dp.pd.freeInstance(in)
		return nil, fmt.Errorf("a %d×%d pass (%d bytes of arena): %w", l.w, l.h, l.arena, err)
	}
	return in, nil
}

// span is a byte range of one buffer, for hazard tracking.
type span struct {
	buf        uintptr
	start, end int64
}

func overlaps(a span, list []span) bool {
	for _, b := range list {
		if a.buf == b.buf && a.start < b.end && b.start < a.end {
			return true
		}
	}
	return false
}

// dispatches resolves steps [from, to) against an instance's buffers and
// places a barrier before each dispatch that reads or writes bytes an
// earlier dispatch since the last barrier wrote, or writes bytes it read.
func (dp *devPlan) dispatches(in *instance, from, to int) []dispatchRec {
	l := dp.l
	var reads, writes []span
	out := make([]dispatchRec, 0, to-from)
	for i := from; i < to; i++ {
		s := l.steps[i]
		rec := dispatchRec{pipeline: dp.pipes[i], groups: s.groups, push: s.push}
		var r, w []span
		for k, b := range s.binds {
			var buf *buffer
			off := b.off
			switch b.space {
			case spArena:
				o := l.stors[b.stor].off
				buf, off = in.arena[o/l.blockSize], o%l.blockSize+b.off
			case spIO:
				buf = in.io
			case spIn:
				buf = in.in
			case spOut:
				buf = in.out
			case spWeights:
				buf, off = dp.pd.weights, dp.pd.wOff[b.part]+b.off
			}
			rec.binds = append(rec.binds, binding{buf: buf.h, off: off, size: b.size})
			sp := span{buf.h, off, off + b.size}
			if s.writes[k] {
				w = append(w, sp)
			} else {
				r = append(r, sp)
			}
		}
		hazard := false
		for _, x := range r {
			hazard = hazard || overlaps(x, writes)
		}
		for _, x := range w {
			hazard = hazard || overlaps(x, writes) || overlaps(x, reads)
		}
		if hazard {
			rec.barrier = true
			reads, writes = nil, nil
		}
		reads = append(reads, r...)
		writes = append(writes, w...)
		out = append(out, rec)
	}
	return out
}

// bindable fails (engines.ErrOutOfMemory) when a blob of l exceeds the
// device's storage-buffer range: no budget makes such a pass possible, so
// Footprint reports engines.TooLarge and tiling plans smaller tiles.
func (d Device) bindable(l *layout) error {
	if lim := d.MaxStorageRange; lim > 0 && l.maxBinding > lim {
		return fmt.Errorf("%w: a %d×%d input needs a %d-byte blob, over the device's %d-byte storage buffer range: use smaller tiles", engines.ErrOutOfMemory, l.w, l.h, l.maxBinding, lim)
	}
	return nil
}
