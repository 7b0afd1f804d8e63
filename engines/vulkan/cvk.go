package vulkan

/*
#cgo LDFLAGS: -lvulkan
#cgo CFLAGS: -O2 -std=c11 -Wall
#include <stdlib.h>
#include "vk.h"
*/
import "C"

import (
	"log/slog"
	"strings"
	"unsafe"
)

// This file is the only bridge to the C layer: thin wrappers that convert
// arguments, turn results into errors and drain C logs into slog.

type msgBuf [C.UPX_MSG]C.char

func (m *msgBuf) ptr() *C.char { return &m[0] }

func (m *msgBuf) err(r C.int) error {
	drainLogs()
	if r == 0 {
		return nil
	}
	return resultError(int(r), C.GoString(&m[0]))
}

func drainLogs() {
	var buf [16384]C.char
	n := C.upx_log_drain(&buf[0], C.size_t(len(buf)))
	if n == 0 {
		return
	}
	text := C.GoStringN(&buf[0], C.int(n))
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		level, rest, _ := strings.Cut(line, " ")
		switch level {
		case "error":
			slog.Error(rest)
		case "warn":
			slog.Warn(rest)
		default:
			slog.Debug(rest)
		}
	}
}

func cInstanceInit() error {
	var m msgBuf
	return m.err(C.upx_instance_init(m.ptr()))
}

func cDeviceCount() int {
	var m msgBuf
	var n C.int
	C.upx_device_count(&n, m.ptr())
	return int(n)
}

func cDeviceInfo(i int) (Device, error) {
	var m msgBuf
	var in C.upx_device_info
	if err := m.err(C.upx_device_info_get(C.int(i), &in, m.ptr())); err != nil {
		return Device{}, err
	}
	d := Device{
		Index:           i,
		Name:            C.GoString(&in.name[0]),
		Driver:          C.GoString(&in.driver_name[0]),
		DriverInfo:      C.GoString(&in.driver_info[0]),
		Type:            DeviceType(in._type),
		VendorID:        uint32(in.vendor_id),
		DeviceID:        uint32(in.device_id),
		APIVersion:      uint32(in.api_version),
		HeapSize:        int64(in.heap_size),
		HeapBudget:      int64(in.heap_budget),
		HeapUsage:       int64(in.heap_usage),
		MemoryBudgetExt: in.has_memory_budget != 0,
		Storage16:       in.storage16 != 0,
		Float16:         in.float16 != 0,
		CoopMatrixNV:    in.coopmat_nv != 0,
		CoopMatrixF16:   in.coopmat_nv_f16 != 0,
		MemoryModel:     in.memory_model != 0,
		CoopMatrixKHR:   in.coopmat_khr != 0,
		PushDescriptor:  in.push_descriptor != 0,
		Timeline:        in.timeline != 0,
		ComputeQueues:   int(in.compute_queues),
		SubgroupSize:    int(in.subgroup_size),
		MaxShared:       int(in.max_shared),
		MaxInvocations:  int(in.max_invocations),
		MaxStorageRange: int64(in.max_storage_range),
		MaxAlloc:        int64(in.max_alloc),
		StorageAlign:    int64(in.min_storage_align),
		TimestampPeriod: float64(in.timestamp_period),
	}
	for k := range 3 {
		d.MaxGroups[k] = int(in.max_group_count[k])
	}
	return d, nil
}

// cctx is one device context (C handle).
type cctx struct{ p *C.upx_ctx }

// cCtxCreate creates a context on device i with up to cfg.Queues compute
// queues, the cooperative-matrix extension when coop (and the KHR one too
// with cfg.CoopKHR), pipeline statistics with cfg.PipeStats. A profiling
// context has one queue: dispatches of passes on other queues would run
// between a pass's timestamps and count as its time.
func cCtxCreate(i int, coop bool, cfg Config) (cctx, error) {
	var m msgBuf
	var p *C.upx_ctx
	cm := C.int(0)
	if coop {
		cm = 1
		if cfg.CoopKHR {
			cm = 2 // the KHR extension too
		}
	}
	ps := C.int(0)
	if cfg.PipeStats {
		ps = 1
	}
	queues := cfg.Queues
	if cfg.Profile {
		queues = 1
	}
	if err := m.err(C.upx_ctx_create(C.int(i), cm, C.uint32_t(queues), ps, &p, m.ptr())); err != nil {
		return cctx{}, err
	}
	return cctx{p}, nil
}

func (c cctx) destroy() { C.upx_ctx_destroy(c.p); drainLogs() }

// queues is the number of compute queues the context created.
func (c cctx) queues() int { return int(C.upx_ctx_queues(c.p)) }

func (c cctx) budget() (budget, usage int64) {
	var m msgBuf
	var b, u C.uint64_t
	C.upx_ctx_budget(c.p, &b, &u, m.ptr())
	return int64(b), int64(u)
}

const (
	bufDevice   = C.UPX_BUF_DEVICE
	bufUpload   = C.UPX_BUF_UPLOAD
	bufReadback = C.UPX_BUF_READBACK
)

func (c cctx) bufferCreate(size int64, kind int) (uintptr, unsafe.Pointer, error) {
	var m msgBuf
	var h C.uintptr_t
	var mapped unsafe.Pointer
	if err := m.err(C.upx_buffer_create(c.p, C.uint64_t(size), C.int(kind), &h, &mapped, m.ptr())); err != nil {
		return 0, nil, err
	}
	return uintptr(h), mapped, nil
}

func (c cctx) bufferDestroy(h uintptr) { C.upx_buffer_destroy(c.p, C.uintptr_t(h)) }

func (c cctx) bufferUpload(h uintptr, off int64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	var m msgBuf
	return m.err(C.upx_buffer_upload(c.p, C.uintptr_t(h), C.uint64_t(off), unsafe.Pointer(&data[0]), C.uint64_t(len(data)), m.ptr()))
}

func (c cctx) pipelineCreate(spirv []uint32, nbind, pushWords int, spec []uint32) (uintptr, error) {
	var m msgBuf
	var h C.uintptr_t
	var sp *C.uint32_t
	if len(spec) > 0 {
		sp = (*C.uint32_t)(unsafe.Pointer(&spec[0]))
	}
	r := C.upx_pipeline_create(c.p, (*C.uint32_t)(unsafe.Pointer(&spirv[0])), C.size_t(len(spirv)),
		C.uint32_t(nbind), C.uint32_t(pushWords), sp, C.uint32_t(len(spec)), &h, m.ptr())
	if err := m.err(r); err != nil {
		return 0, err
	}
	return uintptr(h), nil
}

func (c cctx) pipelineDestroy(h uintptr) { C.upx_pipeline_destroy(c.p, C.uintptr_t(h)) }

// binding is one storage buffer range bound to a dispatch.
type binding struct {
	buf       uintptr
	off, size int64
}

// dispatchRec is one recorded dispatch (Go side; copied into C memory).
type dispatchRec struct {
	pipeline uintptr
	groups   [3]int
	binds    []binding
	push     []uint32
	barrier  bool
}

const maxBind = C.UPX_MAX_BIND
const maxPush = C.UPX_MAX_PUSH

func (c cctx) cmdRecord(ds []dispatchRec, timestamps bool) (uintptr, error) {
	n := len(ds)
	arr := (*C.upx_dispatch)(C.calloc(C.size_t(max(n, 1)), C.size_t(unsafe.Sizeof(C.upx_dispatch{}))))
	defer C.free(unsafe.Pointer(arr))
	cs := unsafe.Slice(arr, max(n, 1))
	for i, d := range ds {
		x := &cs[i]
		x.pipeline = C.uintptr_t(d.pipeline)
		for k := range 3 {
			x.groups[k] = C.uint32_t(d.groups[k])
		}
		x.nbind = C.uint32_t(len(d.binds))
		for k, b := range d.binds {
			x.buf[k] = C.uintptr_t(b.buf)
			x.off[k] = C.uint64_t(b.off)
			x.size[k] = C.uint64_t(b.size)
		}
		for k, v := range d.push {
			x.push[k] = C.uint32_t(v)
		}
		x.push_words = C.uint32_t(len(d.push))
		if d.barrier {
			x.barrier = 1
		}
	}
	var m msgBuf
	var h C.uintptr_t
	ts := C.int(0)
	if timestamps {
		ts = 1
	}
	if err := m.err(C.upx_cmd_record(c.p, arr, C.uint32_t(n), ts, &h, m.ptr())); err != nil {
		return 0, err
	}
	return uintptr(h), nil
}

func (c cctx) cmdDestroy(h uintptr) { C.upx_cmd_destroy(c.p, C.uintptr_t(h)) }

// cmdTimestamps reads the n timestamps (ticks) of a finished command buffer
// recorded with timestamps.
func (c cctx) cmdTimestamps(h uintptr, n int) ([]uint64, error) {
	ticks := make([]uint64, n)
	var m msgBuf
	if err := m.err(C.upx_cmd_timestamps(c.p, C.uintptr_t(h), (*C.uint64_t)(unsafe.Pointer(&ticks[0])), C.uint32_t(n), m.ptr())); err != nil {
		return nil, err
	}
	return ticks, nil
}

// tick is a point on one queue's timeline (v 0: none).
type tick struct {
	q int
	v uint64
}

// submit queues cmds, in order, on queue q after the device has seen after
// (see upx_submit); the returned value of q's timeline signals their
// completion.
func (c cctx) submit(q int, cmds []uintptr, after tick) (uint64, error) {
	arr := make([]C.uintptr_t, len(cmds))
	for i, h := range cmds {
		arr[i] = C.uintptr_t(h)
	}
	var m msgBuf
	var v C.uint64_t
	var p *C.uintptr_t
	if len(arr) > 0 {
		p = &arr[0]
	}
	if err := m.err(C.upx_submit(c.p, C.uint32_t(q), p, C.uint32_t(len(cmds)), C.uint32_t(after.q), C.uint64_t(after.v), &v, m.ptr())); err != nil {
		return 0, err
	}
	return uint64(v), nil
}

// wait blocks until queue q's timeline reaches v or timeout passes; timedOut
// reports VK_TIMEOUT without an error.
func (c cctx) wait(q int, v uint64, timeoutNS uint64) (timedOut bool, err error) {
	var m msgBuf
	r := C.upx_wait(c.p, C.uint32_t(q), C.uint64_t(v), C.uint64_t(timeoutNS), m.ptr())
	if r == vkTimeout {
		return true, nil
	}
	return false, m.err(r)
}

// setFaults arms the C layer's fault injection (tests): the next allocN
// buffer allocations fail with allocResult; the next wait returns waitResult.
func setFaults(allocN, allocResult, waitResult int) {
	C.upx_fault_set(C.int(allocN), C.int(allocResult), C.int(waitResult))
}

// validationErrors is the number of error messages from the debug messenger
// (validation layers, when loaded) since the process started.
func validationErrors() int { return int(C.upx_error_count()) }
