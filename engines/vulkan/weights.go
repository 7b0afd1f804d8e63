package vulkan

import (
	"encoding/binary"
	"math"
)

// wpart is one weights tensor arranged for a shader. half parts are stored
// in the activation storage type (fp16 on 16-bit-storage devices); others
// stay fp32 (biases, slopes, InnerProduct).
type wpart struct {
	data []float32
	half bool
}

// arrangeConv turns NCNN [out][in][kh][kw] weights into the shaders' layout
// [oc4][ic4][kh][kw][4 in lanes] of vec4 over 4 output lanes, zero-padded.
func arrangeConv(w []float32, outC, inC, kh, kw int) []float32 {
	o4, i4 := c4(outC), c4(inC)
	dst := make([]float32, o4*i4*kh*kw*16)
	for oc := range outC {
		for ic := range inC {
			for ky := range kh {
				for kx := range kw {
					v := w[((oc*inC+ic)*kh+ky)*kw+kx]
					d := ((((oc/4*i4+ic/4)*kh+ky)*kw+kx)*4+ic%4)*4 + oc%4
					dst[d] = v
				}
			}
		}
	}
	return dst
}

// padVec copies v into a slice of length c4(n)·4 (zeros beyond len(v));
// a nil v gives zeros.
func padVec(v []float32, n int) []float32 {
	out := make([]float32, c4(n)*4)
	copy(out, v)
	return out
}

// encodeParts lays the parts out in one buffer, each at an aligned offset,
// and returns the bytes and offsets.
func encodeParts(parts []wpart, esize, align int64) ([]byte, []int64) {
	offs := make([]int64, len(parts))
	var size int64
	for i, p := range parts {
		offs[i] = size
		size = alignUp(size+partSize(p, esize), align)
	}
	buf := make([]byte, max(size, 16))
	for i, p := range parts {
		b := buf[offs[i]:]
		if p.half && esize == 2 {
			for k, v := range p.data {
				putHalf(b[k*2:], v)
			}
			continue
		}
		for k, v := range p.data {
			binary.LittleEndian.PutUint32(b[k*4:], math.Float32bits(v))
		}
	}
	return buf, offs
}

func partSize(p wpart, esize int64) int64 {
	n := int64(max(len(p.data), 4))
	if p.half {
		return n * esize
	}
	return n * 4
}

// arrangeCoop lays convolution weights with taps = kh·kw (9 or 4) out for
// the cooperative-matrix kernel with nb 16-channel output blocks per
// workgroup: [oc/(16·nb)][ic16][tap][16 k][16·nb n], k the input channel
// within its 16-channel chunk and n the output channel within the
// workgroup's range, zero-padded. One workgroup's weights for one chunk are
// thus contiguous (taps·16·16·nb halves).
func arrangeCoop(w []float32, outC, inC, taps, nb int) []float32 {
	og, i16 := (outC+16*nb-1)/(16*nb), (inC+15)/16
	row := 16 * nb
	dst := make([]float32, og*i16*taps*16*row)
	for oc := range outC {
		for ic := range inC {
			for t := range taps {
				dst[(((oc/row*i16+ic/16)*taps+t)*16+ic%16)*row+oc%row] = w[(oc*inC+ic)*taps+t]
			}
		}
	}
	return dst
}

// arrangeCoopDeconv lays 2×2 stride-2 deconvolution weights (NCNN
// [out][in][kh][kw]) out for the cooperative-matrix kernel's DECONV mode:
// [oc16][ic16][16 k][4 taps × 16 n], tap t = ky·2 + kx, n the output
// channel within its 16-channel block, zero-padded.
func arrangeCoopDeconv(w []float32, outC, inC int) []float32 {
	o16, i16 := (outC+15)/16, (inC+15)/16
	dst := make([]float32, o16*i16*16*64)
	for oc := range outC {
		for ic := range inC {
			for t := range 4 {
				dst[((oc/16*i16+ic/16)*16+ic%16)*64+t*16+oc%16] = w[(oc*inC+ic)*4+t]
			}
		}
	}
	return dst
}

// arrangeCoopDeconv4 turns 4×4 stride-2 deconvolution weights (NCNN
// [out][in][4][4], outC ≤ 4) into the weights of the virtual 3×3
// convolution of the kernel's mode 3, NCNN layout [16][in][3][3]: output
// channel P·4 + oc, P = Py·2 + Px the output parity. Uncut output row
// 2m + Py takes input row m (ky = Py, tap row 1) and m − 1 (ky = Py + 2,
// tap row 0); tap row 2 and column 2 stay zero.
func arrangeCoopDeconv4(w []float32, outC, inC int) []float32 {
	dst := make([]float32, 16*inC*9)
	for p := range 4 {
		py, px := p/2, p%2
		for oc := range outC {
			for ic := range inC {
				for ty := range 2 {
					for tx := range 2 {
						ky, kx := py+2*(1-ty), px+2*(1-tx)
						dst[((p*4+oc)*inC+ic)*9+ty*3+tx] = w[((oc*inC+ic)*4+ky)*4+kx]
					}
				}
			}
		}
	}
	return dst
}
