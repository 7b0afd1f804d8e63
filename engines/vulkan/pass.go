package vulkan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/timeline"
)

// ErrPassState: a Pass method was called out of order.
var ErrPassState = errors.New("pass used out of order")

// pass is one forward pass in an instance of a plan. Segments between
// pooling pauses are submitted as one batch; the arena stays alive across
// pauses so nothing is recomputed.
type pass struct {
	p      *program
	st     *devState
	dp     *devPlan
	inst   *instance
	opt    engines.PassOptions
	known  map[int]bool // pooling layers whose means are in the io buffer
	counts map[int]int  // pixels summed per pooling layer
	seg    int          // next segment to submit
	// submitted is the first segment of the latest submission (profile)
	submitted int
	pending   int // pooling layer awaiting Supply, or -1
	done      bool
	closed    bool
	failed    error
	// queue is the compute queue the pass submits to; inflight is a value
	// of its timeline, submitted and not yet waited for.
	queue    int
	inflight uint64
	// busy: a submission of this pass counts in the engine's busy time.
	busy bool
	// endDevice ends the in-flight submission's timeline span.
	endDevice func()
	depth     int
	out       engines.Tile
}

func (p *program) start(ctx context.Context, t engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	pd, st, err := p.device(true)
	if err != nil {
		return nil, fmt.Errorf("vulkan: start %s: %w", p.info.ID, err)
	}
	fail := func(err error) (engines.Pass, error) {
		pd.passDone()
		st.release()
		return nil, fmt.Errorf("vulkan: start %s on a %d×%d tile: %w", p.info.ID, t.W, t.H, p.e.checkLost(st, err))
	}
	esize := int64(4)
	if st.fp16 {
		esize = 2
	}
	l, err := p.layout(t.H, t.W, t.Depth, esize)
	if err != nil {
		return fail(err)
	}
	dp, err := pd.plan(l)
	if err != nil {
		return fail(err)
	}
	ps := &pass{p: p, st: st, dp: dp, opt: opt, known: map[int]bool{}, counts: map[int]int{}, pending: -1, depth: t.Depth}
	slots := map[int]*poolSlot{}
	for k := range l.pools {
		slots[l.pools[k].layer] = &l.pools[k]
	}
	for layer, m := range opt.Means {
		s, ok := slots[layer]
		if !ok {
			return fail(fmt.Errorf("%w: means given for layer %d, which is not a global average pooling layer", ErrPassState, layer))
		}
		if len(m) != s.C {
			return fail(fmt.Errorf("%w: %d means for pooling layer %d over %d channels", ErrPassState, len(m), layer, s.C))
		}
	}
	regions := map[int]engines.Rect{}
	for _, s := range l.pools {
		r := engines.Rect{X1: s.W, Y1: s.H}
		if opt.Region != nil {
			r = opt.Region(s.layer, s.H, s.W)
		}
		if r.X0 < 0 || r.Y0 < 0 || r.X1 > s.W || r.Y1 > s.H || r.X0 > r.X1 || r.Y0 > r.Y1 {
			return fail(fmt.Errorf("%w: pooling layer %d region %+v outside its %d×%d input", ErrPassState, s.layer, r, s.W, s.H))
		}
		regions[s.layer] = r
	}
	end := timeline.Begin(ctx, "acquire")
	inst, err := dp.acquire()
	end()
	if err != nil {
		return fail(err)
	}
	ps.inst = inst
	ps.queue = st.takeQueue()
	io := inst.io.bytes()
	for _, s := range l.pools {
		r := regions[s.layer]
		for k, v := range []int{r.X0, r.Y0, r.X1, r.Y1} {
			binary.LittleEndian.PutUint32(io[s.region+int64(k*4):], uint32(int32(v)))
		}
		ps.counts[s.layer] = (r.X1 - r.X0) * (r.Y1 - r.Y0)
		if m, ok := opt.Means[s.layer]; ok {
			putFloats(io[s.means:], m)
			ps.known[s.layer] = true
		}
	}
	// 16-bit samples go over as their in-memory (little-endian: x86-64,
	// arm64) bytes, which the shaders unpack from 32-bit words.
	defer timeline.Begin(ctx, "stage input")()
	px := inst.in.bytes()
	if t.Depth == 8 {
		copy(px, t.Pix8)
	} else {
		copy(px, unsafe.Slice((*byte)(unsafe.Pointer(&t.Pix16[0])), len(t.Pix16)*2))
	}
	return ps, nil
}

func putFloats(b []byte, v []float32) {
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[i*4:], math.Float32bits(x))
	}
}

func (ps *pass) errf(err error) error {
	return fmt.Errorf("vulkan: pass %s: %w", ps.p.info.ID, err)
}

// Next submits every segment up to the next pooling layer whose means are
// unknown (or the end) and waits for it.
func (ps *pass) Next(ctx context.Context) (engines.Stop, error) {
	switch {
	case ps.closed:
		return engines.Stop{}, ps.errf(engines.ErrClosed)
	case ps.failed != nil:
		return engines.Stop{}, ps.errf(ps.failed)
	case ps.pending >= 0:
		return engines.Stop{}, ps.errf(fmt.Errorf("%w: Next before Supply for pooling layer %d", ErrPassState, ps.pending))
	case ps.done:
		return engines.Stop{Layer: -1}, nil
	}
	if err := ctx.Err(); err != nil {
		return engines.Stop{}, ps.errf(err)
	}
	if ps.inflight == 0 {
		l := ps.dp.l
		from := ps.seg
		ps.submitted = from
		for ps.seg < len(l.segs) {
			s := l.segs[ps.seg]
			ps.seg++
			if s.pool >= 0 && !ps.known[s.pool] {
				break
			}
		}
		for k := from; k < ps.seg; k += 64 {
			v, err := ps.st.ctx.submit(ps.queue, ps.inst.cmds[k:min(ps.seg, k+64)], ps.inst.last)
			if err != nil {
				return engines.Stop{}, ps.fail(err)
			}
			ps.inflight = v
			ps.inst.last = tick{ps.queue, v}
			if !ps.busy {
				ps.busy = true
				ps.p.e.work.begin()
				ps.endDevice = func() {}
				if timeline.On(ctx) {
					ps.endDevice = timeline.BeginDevice(ctx, fmt.Sprintf("%s segments %d-%d", ps.p.info.ID, from, ps.seg))
				}
			}
		}
		ps.p.e.work.addFLOPs(l.segmentFLOPs(from, ps.seg))
	}
	if err := ps.wait(ctx); err != nil {
		return engines.Stop{}, err
	}
	ps.profileSegments(ps.submitted, ps.seg)
	seg := ps.dp.l.segs[ps.seg-1]
	if seg.pool >= 0 && !ps.known[seg.pool] {
		var slot poolSlot
		for _, s := range ps.dp.l.pools {
			if s.layer == seg.pool {
				slot = s
			}
		}
		sums := slot.readSums(ps.inst.io.bytes())
		ps.pending = seg.pool
		return engines.Stop{Layer: seg.pool, Sums: sums, Count: ps.counts[seg.pool]}, nil
	}
	end := timeline.Begin(ctx, "readback")
	ps.finish()
	end()
	return engines.Stop{Layer: -1}, nil
}

// wait blocks until the in-flight submission completes or ctx ends (the
// submission then stays in flight; Close waits for it).
func (ps *pass) wait(ctx context.Context) error {
	for ps.inflight != 0 {
		timedOut, err := ps.st.ctx.wait(ps.queue, ps.inflight, uint64(20*time.Millisecond))
		if err != nil {
			return ps.fail(err)
		}
		if !timedOut {
			ps.inflight = 0
			ps.idle()
			break
		}
		if err := ctx.Err(); err != nil {
			return ps.errf(err)
		}
	}
	return nil
}

// fail records a device error; device loss retires the device.
func (ps *pass) fail(err error) error {
	ps.failed = ps.p.e.checkLost(ps.st, err)
	ps.inflight = 0
	ps.idle()
	return ps.errf(ps.failed)
}

// idle ends the pass's share of the engine's busy time.
func (ps *pass) idle() {
	if ps.busy {
		ps.busy = false
		ps.p.e.work.end()
		ps.endDevice()
	}
}

func (ps *pass) finish() {
	l := ps.dp.l
	t := engines.Tile{W: l.outW, H: l.outH, C: 3, Depth: ps.depth}
	n := l.outW * l.outH * 3
	// The output is read where the device wrote it (host-cached mapped
	// memory), not copied: valid until Close gives the instance back.
	// 16-bit samples are in-memory little-endian words, as on the input side.
	b := ps.inst.out.bytes()
	if ps.depth == 8 {
		t.Pix8 = b[:n:n]
	} else {
		t.Pix16 = unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), n)
	}
	ps.out = t
	ps.done = true
}

// Supply writes the channel means for the pooling layer Next stopped at.
func (ps *pass) Supply(means []float32) error {
	switch {
	case ps.closed:
		return ps.errf(engines.ErrClosed)
	case ps.pending < 0:
		return ps.errf(fmt.Errorf("%w: Supply without a pooling pause", ErrPassState))
	}
	for _, s := range ps.dp.l.pools {
		if s.layer != ps.pending {
			continue
		}
		if len(means) != s.C {
			return ps.errf(fmt.Errorf("%w: %d means for pooling layer %d over %d channels", ErrPassState, len(means), s.layer, s.C))
		}
		putFloats(ps.inst.io.bytes()[s.means:], means)
	}
	ps.known[ps.pending] = true
	ps.pending = -1
	return nil
}

// Output is the result after Next returned Layer -1.
// Output is empty once the pass is closed: its samples were the instance's.
func (ps *pass) Output() engines.Tile {
	if ps.closed {
		return engines.Tile{}
	}
	return ps.out
}

// Close waits for in-flight work and returns the instance for reuse.
func (ps *pass) Close() {
	if ps.closed {
		return
	}
	ps.closed = true
	if ps.inflight != 0 {
		if _, err := ps.st.ctx.wait(ps.queue, ps.inflight, math.MaxUint64); err != nil {
			ps.failed = ps.p.e.checkLost(ps.st, err)
		}
	}
	ps.idle()
	ps.st.dropQueue(ps.queue)
	ps.dp.give(ps.inst, ps.failed == nil)
	ps.dp.pd.passDone()
	ps.st.release()
}
