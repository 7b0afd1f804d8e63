package vulkan

import (
	"encoding/binary"
	"math"
	"sync"
)

// devState is one live device context and every object made on it. When the
// device is lost the engine drops it; it is destroyed, objects first, once
// its last user lets go.
type devState struct {
	ctx   cctx
	dev   Device
	cfg   Config
	fp16  bool  // activations and conv weights in fp16 storage
	align int64 // binding offset alignment

	mu    sync.Mutex
	refs  int
	dead  bool
	gone  bool              // destroyed
	bufs  map[uintptr]int64 // live buffers and their sizes in bytes
	mem   *memCounter
	cmds  map[uintptr]struct{}
	pipes map[string]uintptr
	busy  []int // passes on each compute queue
	// plans are the runnable plans made here, whose idle instances
	// trimIdle frees.
	plans map[*devPlan]struct{}
}

// newDevState creates a device context on d: with the cooperative-matrix
// extension when coop, the rest as cfg says.
func newDevState(d Device, coop bool, cfg Config, mem *memCounter) (*devState, error) {
	ctx, err := cCtxCreate(d.Index, coop, cfg)
	if err != nil {
		return nil, err
	}
	return &devState{
		ctx: ctx, dev: d, cfg: cfg, fp16: d.Storage16, align: max(256, d.StorageAlign), refs: 1,
		mem: mem, bufs: map[uintptr]int64{}, cmds: map[uintptr]struct{}{}, pipes: map[string]uintptr{},
		busy: make([]int, ctx.queues()), plans: map[*devPlan]struct{}{},
	}, nil
}

func (s *devState) addPlan(dp *devPlan) {
	s.mu.Lock()
	s.plans[dp] = struct{}{}
	s.mu.Unlock()
}

func (s *devState) dropPlan(dp *devPlan) {
	s.mu.Lock()
	delete(s.plans, dp)
	s.mu.Unlock()
}

// trimIdle frees the idle instances of every plan on the device and returns
// how many it freed.
func (s *devState) trimIdle() int {
	s.mu.Lock()
	plans := make([]*devPlan, 0, len(s.plans))
	for dp := range s.plans {
		plans = append(plans, dp)
	}
	s.mu.Unlock()
	n := 0
	for _, dp := range plans {
		n += dp.trim()
	}
	return n
}

// takeQueue picks the compute queue with the fewest passes on it: while
// there are enough queues every pass has its own, so a small pass is not
// queued behind the submitted segments of a big one and the device
// interleaves their work.
func (s *devState) takeQueue() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := 0
	for i, n := range s.busy {
		if n < s.busy[q] {
			q = i
		}
	}
	s.busy[q]++
	return q
}

func (s *devState) dropQueue(q int) {
	s.mu.Lock()
	s.busy[q]--
	s.mu.Unlock()
}

func (s *devState) acquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return false
	}
	s.refs++
	return true
}

func (s *devState) release() {
	s.mu.Lock()
	s.refs--
	last := s.refs == 0
	s.mu.Unlock()
	if last {
		s.destroy()
	}
}

// kill marks the state lost (no new users) and drops the owner's reference.
func (s *devState) kill() {
	s.mu.Lock()
	if s.dead {
		s.mu.Unlock()
		return
	}
	s.dead = true
	s.mu.Unlock()
	s.release()
}

func (s *devState) isDead() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead
}

func (s *devState) destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return
	}
	s.gone = true
	for h := range s.cmds {
		s.ctx.cmdDestroy(h)
	}
	for _, h := range s.pipes {
		s.ctx.pipelineDestroy(h)
	}
	for h, size := range s.bufs {
		s.ctx.bufferDestroy(h)
		s.mem.add(-size)
	}
	s.cmds, s.pipes, s.bufs = nil, nil, nil
	s.ctx.destroy()
}

func alignUp(v, a int64) int64 { return (v + a - 1) / a * a }

// f32bits is a float's bit pattern for push and specialization constants.
func f32bits(f float32) uint32 { return math.Float32bits(f) }

// putHalf stores v as IEEE fp16 (round to nearest even) little-endian.
func putHalf(b []byte, v float32) { binary.LittleEndian.PutUint16(b, float32ToHalf(v)) }

func float32ToHalf(f float32) uint16 {
	x := math.Float32bits(f)
	sign := uint16(x>>16) & 0x8000
	exp := int(x>>23&0xff) - 127 + 15
	mant := x & 0x7fffff
	switch {
	case x&0x7fffffff == 0:
		return sign
	case int(x>>23&0xff) == 0xff: // inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		half := uint32(1) << (shift - 1)
		r := mant >> shift
		rem := mant & (1<<shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++
	}
	return sign | uint16(r)
}
