package vulkan

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// buffer is one VkBuffer with its own memory; host-visible kinds are mapped.
// Buffers are tracked by their device state, which frees whatever is left
// when it is destroyed.
type buffer struct {
	h      uintptr
	mapped unsafe.Pointer
	size   int64
}

func (s *devState) newBuffer(size int64, kind int) (*buffer, error) {
	size = max(alignUp(size, 16), 16)
	if kind == bufDevice && s.dev.MaxAlloc > 0 && size > s.dev.MaxAlloc {
		return nil, resultError(vkErrorOutOfDeviceMem, fmt.Sprintf("%d bytes exceed the device's largest allocation (%d)", size, s.dev.MaxAlloc))
	}
	// The allocation runs outside s.mu: a multi-gigabyte arena takes the
	// driver tens of milliseconds, and passes on other queues must not wait
	// for it to start or submit. Callers hold a reference, so the context
	// outlives the call.
	s.mu.Lock()
	gone := s.gone
	s.mu.Unlock()
	if gone {
		return nil, resultError(vkErrorDeviceLost, "device context destroyed")
	}
	h, mapped, err := s.ctx.bufferCreate(size, kind)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bufs[h] = size
	s.mem.add(size)
	return &buffer{h: h, mapped: mapped, size: size}, nil
}

func (s *devState) freeBuffer(b *buffer) {
	if b == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if size, ok := s.bufs[b.h]; ok {
		delete(s.bufs, b.h)
		s.mem.add(-size)
		s.ctx.bufferDestroy(b.h)
	}
}

func (s *devState) upload(b *buffer, off int64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return resultError(vkErrorDeviceLost, "device context destroyed")
	}
	return s.ctx.bufferUpload(b.h, off, data)
}

// bytes views a mapped buffer.
func (b *buffer) bytes() []byte { return unsafe.Slice((*byte)(b.mapped), b.size) }

// memCounter accounts for the bytes of the live buffers of an engine's
// device states (a new state after a device loss keeps counting).
type memCounter struct {
	inUse, peak atomic.Int64
}

func (m *memCounter) add(n int64) {
	v := m.inUse.Add(n)
	for p := m.peak.Load(); v > p && !m.peak.CompareAndSwap(p, v); p = m.peak.Load() {
	}
}
