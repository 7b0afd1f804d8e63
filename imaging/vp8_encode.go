package imaging

/*
#include <stdlib.h>
#include "vp8_enc.h"
#include "webp_cgo.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/upscaled/upscaled/internal/cpuwork"
)

// vp8Parts is the encoder's token partition count (vp8_internal.h);
// vp8e_write_part's part vp8Parts is the first partition.
const vp8Parts = 8

// vp8EncodePicture encodes the lossy, alpha-free picture pic with our own
// VP8 encoder (vp8_enc.h) on the shared CPU pool: every pool worker may
// take MB rows of the wavefront (cpuwork.Workers() of them at most, the
// pool's whole budget: a page's encode is one request's serial tail, and
// the pool still bounds all requests together), then the 8 token
// partitions and the first (modes) are written at once. vp8e_work only
// waits for rows other running calls took, so it is safe on the pool's
// workers. The caller frees the file with vp8FreeOut.
func vp8EncodePicture(pic *C.uwe, quality int) (*C.uint8_t, C.size_t, error) {
	e := C.uwe_vp8_new(pic, C.int(quality))
	if e == nil {
		return nil, 0, fmt.Errorf("imaging: webp: vp8 encoder: cannot start: %w", ErrTooLarge)
	}
	defer C.vp8e_free(e)
	cpuwork.For(cpuwork.Workers(), func(lo, hi int) { C.vp8e_work(e) })
	cpuwork.For(vp8Parts+1, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			C.vp8e_write_part(e, C.int(p))
		}
	})
	var (
		out *C.uint8_t
		n   C.size_t
	)
	if st := C.vp8e_finish(e, &out, &n); st != 0 {
		return nil, 0, fmt.Errorf("imaging: webp: vp8 encoder error %d: %w", int(st), ErrUnsupported)
	}
	return out, n, nil
}

func vp8FreeOut(p *C.uint8_t) { C.free(unsafe.Pointer(p)) }
