package imaging

/*
#include <stdlib.h>
#include <webp/decode.h>
#include "vp8_enc.h"
#include "webp_cgo.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// This file serves the tests of the VP8 encoder: direct calls with its
// hooks, and libwebp's own decoder as the judge.

// yuvPlanes is a 4:2:0 picture: Y W×H, U and V ((W+1)/2)×((H+1)/2), each
// packed (stride = width).
type yuvPlanes struct {
	W, H    int
	Y, U, V []byte
}

func newYUVPlanes(w, h int) *yuvPlanes {
	cw, ch := (w+1)/2, (h+1)/2
	return &yuvPlanes{W: w, H: h, Y: make([]byte, w*h), U: make([]byte, cw*ch), V: make([]byte, cw*ch)}
}

// vp8Hooks are vp8e_opts' test hooks (vp8_enc.h); -1 means choose.
type vp8Hooks struct {
	ForceY, ForceUV, Filter, QIndex, UVDelta int
}

// vp8NoHooks chooses everything as production does.
var vp8NoHooks = vp8Hooks{-1, -1, -1, -1, C.VP8E_UV_DELTA}

// vp8EncodePlanes encodes p with threads pthreads and returns the file
// and the encoder's own unfiltered reconstruction.
func vp8EncodePlanes(p *yuvPlanes, quality, threads int, h vp8Hooks) ([]byte, *yuvPlanes, error) {
	rec := newYUVPlanes(p.W, p.H)
	cy, cu, cv := C.CBytes(p.Y), C.CBytes(p.U), C.CBytes(p.V)
	ry, ru, rv := C.malloc(C.size_t(len(rec.Y))), C.malloc(C.size_t(len(rec.U))), C.malloc(C.size_t(len(rec.V)))
	defer func() {
		for _, q := range []unsafe.Pointer{cy, cu, cv, ry, ru, rv} {
			C.free(q)
		}
	}()
	o := C.vp8e_opts{quality: C.int(quality), force_ymode: C.int(h.ForceY), force_uvmode: C.int(h.ForceUV),
		filter_level: C.int(h.Filter), qindex: C.int(h.QIndex), uv_delta: C.int(h.UVDelta),
		recon_y: (*C.uint8_t)(ry), recon_u: (*C.uint8_t)(ru), recon_v: (*C.uint8_t)(rv)}
	var (
		out *C.uint8_t
		n   C.size_t
	)
	cw := (p.W + 1) / 2
	st := C.vp8e_encode((*C.uint8_t)(cy), (*C.uint8_t)(cu), (*C.uint8_t)(cv), C.int(p.W), C.int(cw), C.int(p.W), C.int(p.H), &o, C.int(threads), &out, &n)
	if st != 0 {
		return nil, nil, fmt.Errorf("vp8e_encode: %d", int(st))
	}
	defer C.free(unsafe.Pointer(out))
	copy(rec.Y, unsafe.Slice((*byte)(ry), len(rec.Y)))
	copy(rec.U, unsafe.Slice((*byte)(ru), len(rec.U)))
	copy(rec.V, unsafe.Slice((*byte)(rv), len(rec.V)))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), rec, nil
}

// libwebpDecodeYUV decodes data with libwebp's WebPDecodeYUV.
func libwebpDecodeYUV(data []byte) (*yuvPlanes, error) {
	var w, h, ys, uvs C.int
	var u, v *C.uint8_t
	cd := C.CBytes(data)
	defer C.free(cd)
	y := C.WebPDecodeYUV((*C.uint8_t)(cd), C.size_t(len(data)), &w, &h, &u, &v, &ys, &uvs)
	if y == nil {
		return nil, fmt.Errorf("libwebp cannot decode %d bytes", len(data))
	}
	defer C.WebPFree(unsafe.Pointer(y))
	return copyPlanes(int(w), int(h), y, u, v, ys, uvs), nil
}

// libwebpDecodeRGB decodes data to 8-bit RGB with libwebp's WebPDecodeRGB.
func libwebpDecodeRGB(data []byte) (*Image, error) {
	var w, h C.int
	cd := C.CBytes(data)
	defer C.free(cd)
	p := C.WebPDecodeRGB((*C.uint8_t)(cd), C.size_t(len(data)), &w, &h)
	if p == nil {
		return nil, fmt.Errorf("libwebp cannot decode %d bytes", len(data))
	}
	defer C.WebPFree(unsafe.Pointer(p))
	return &Image{W: int(w), H: int(h), C: 3, Depth: 8, Pix8: C.GoBytes(unsafe.Pointer(p), w*h*3)}, nil
}

// vp8PlanesOf converts an 8-bit image without alpha to the YUV 4:2:0
// planes the WebP encoder imports (webp_yuv.c).
func vp8PlanesOf(img *Image) (*yuvPlanes, error) {
	if img.Depth != 8 || img.C == 2 || img.C == 4 {
		return nil, fmt.Errorf("vp8PlanesOf: %d channels, %d-bit", img.C, img.Depth)
	}
	pic := C.uwe_new(C.int(img.W), C.int(img.H), 0, 0)
	if pic == nil {
		return nil, fmt.Errorf("vp8PlanesOf: no picture")
	}
	defer C.uwe_free(pic)
	if C.uwe_rows(pic, (*C.uint8_t)(unsafe.Pointer(&img.Pix8[0])), C.size_t(img.Stride()), C.int(img.C), 0, C.int(img.H)) != 0 {
		return nil, fmt.Errorf("vp8PlanesOf: import failed")
	}
	var y, u, v *C.uint8_t
	var ys, uvs C.int
	C.uwe_get_planes(pic, &y, &u, &v, &ys, &uvs)
	return copyPlanes(img.W, img.H, y, u, v, ys, uvs), nil
}

// copyPlanes copies C planes of a w×h 4:2:0 picture (luma stride ys,
// chroma stride uvs) into Go memory.
func copyPlanes(w, h int, y, u, v *C.uint8_t, ys, uvs C.int) *yuvPlanes {
	p := newYUVPlanes(w, h)
	cw, ch := (p.W+1)/2, (p.H+1)/2
	row := func(base *C.uint8_t, stride C.int, r, n int) []byte {
		return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(base), r*int(stride))), n)
	}
	for r := 0; r < p.H; r++ {
		copy(p.Y[r*p.W:(r+1)*p.W], row(y, ys, r, p.W))
	}
	for r := 0; r < ch; r++ {
		copy(p.U[r*cw:(r+1)*cw], row(u, uvs, r, cw))
		copy(p.V[r*cw:(r+1)*cw], row(v, uvs, r, cw))
	}
	return p
}

// vp8Pic is a lossy picture imported once, for benchmarks of the
// encoders alone.
type vp8Pic struct{ p *C.uwe }

func newVP8Pic(img *Image) (*vp8Pic, error) {
	if img.Depth != 8 || img.C == 2 || img.C == 4 {
		return nil, fmt.Errorf("newVP8Pic: %d channels, %d-bit", img.C, img.Depth)
	}
	pic := C.uwe_new(C.int(img.W), C.int(img.H), 0, 0)
	if pic == nil {
		return nil, fmt.Errorf("newVP8Pic: no picture")
	}
	if C.uwe_rows(pic, (*C.uint8_t)(unsafe.Pointer(&img.Pix8[0])), C.size_t(img.Stride()), C.int(img.C), 0, C.int(img.H)) != 0 {
		C.uwe_free(pic)
		return nil, fmt.Errorf("newVP8Pic: import failed")
	}
	return &vp8Pic{pic}, nil
}

func (p *vp8Pic) free() { C.uwe_free(p.p) }

// ours encodes with the parallel encoder on threads pthreads: bytes.
func (p *vp8Pic) ours(quality, threads int) (int, error) {
	var y, u, v *C.uint8_t
	var ys, uvs C.int
	C.uwe_get_planes(p.p, &y, &u, &v, &ys, &uvs)
	w, h := C.uwe_width(p.p), C.uwe_height(p.p)
	o := C.vp8e_opts{quality: C.int(quality), force_ymode: -1, force_uvmode: -1, filter_level: -1, qindex: -1, uv_delta: C.VP8E_UV_DELTA}
	var (
		out *C.uint8_t
		n   C.size_t
	)
	if st := C.vp8e_encode(y, u, v, ys, uvs, w, h, &o, C.int(threads), &out, &n); st != 0 {
		return 0, fmt.Errorf("vp8e_encode: %d", int(st))
	}
	C.free(unsafe.Pointer(out))
	return int(n), nil
}

// libwebp encodes with libwebp at method 0 on this thread: bytes.
func (p *vp8Pic) libwebp(quality int) (int, error) {
	var (
		out *C.uint8_t
		n   C.size_t
	)
	if st := C.uwe_encode(p.p, 0, C.float(quality), 0, 0, 0, &out, &n); st != 0 {
		return 0, fmt.Errorf("uwe_encode: %d", int(st))
	}
	C.uwe_free_out(out)
	return int(n), nil
}
