package imaging

/*
#include "webp_cgo.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// webpLibwebpImport encodes an 8-bit RGB or RGBA image as lossy WebP the
// way a whole-picture libwebp user would: WebPPictureImportRGB(A) of the
// entire image, then the encoder's WebPEncode. It is the reference the
// tests hold the band-wise encoder to.
func webpLibwebpImport(img *Image, opt EncodeOptions) ([]byte, error) {
	if img.Depth != 8 || (img.C != 3 && img.C != 4) || opt.Lossless {
		return nil, fmt.Errorf("imaging: webp reference: %d channels, %d-bit: %w", img.C, img.Depth, ErrUnsupported)
	}
	if opt.Quality == 0 {
		opt.Quality = DefaultQuality
	}
	pic := C.uwe_new_imported((*C.uint8_t)(unsafe.Pointer(&img.Pix8[0])), C.int(img.W), C.int(img.H), C.size_t(img.Stride()), C.int(img.C))
	if pic == nil {
		return nil, fmt.Errorf("imaging: webp reference: import failed: %w", ErrUnsupported)
	}
	defer C.uwe_free(pic)
	out, n, err := webpEncodePicture(pic, opt)
	if err != nil {
		return nil, err
	}
	defer C.uwe_free_out(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
