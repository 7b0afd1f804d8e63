package imaging

import (
	"fmt"
	"image"
	"image/color"
)

// fromStd converts a stdlib decoder's image into an Image with c channels,
// reusing its pixel buffer where the layout allows.
func fromStd(src image.Image, c int) (*Image, error) {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	switch t := src.(type) {
	case *image.Gray:
		return pack8(t.Pix, t.Stride, w, h, 1, []int{0}, c)
	case *image.NRGBA:
		return pack8(t.Pix, t.Stride, w, h, 4, pick(c), c)
	case *image.RGBA:
		// Only opaque sources arrive here (PNG RGB, JPEG RGB, BMP 24-bit).
		return pack8(t.Pix, t.Stride, w, h, 4, pick(c), c)
	case *image.Gray16:
		return pack16(t.Pix, t.Stride, w, h, 1, []int{0}, c)
	case *image.NRGBA64:
		return pack16(t.Pix, t.Stride, w, h, 4, pick(c), c)
	case *image.RGBA64:
		return pack16(t.Pix, t.Stride, w, h, 4, pick(c), c)
	case *image.Paletted:
		return fromPaletted(t, c, image.Rect(0, 0, w, h), t.Rect.Min)
	case *image.YCbCr:
		if c != 3 {
			break
		}
		return fromYCbCr(t)
	case *image.CMYK:
		if c != 3 {
			break
		}
		return fromCMYK(t)
	}
	return nil, fmt.Errorf("imaging: decoded %T cannot become %d channels: %w", src, c, ErrUnsupported)
}

// pick lists which of 4 interleaved samples (R,G,B,A) make c channels.
func pick(c int) []int {
	switch c {
	case 1:
		return []int{0}
	case 2:
		return []int{0, 3}
	case 3:
		return []int{0, 1, 2}
	}
	return []int{0, 1, 2, 3}
}

// pack8 keeps samples sel of each sc-sample pixel, in place (the output
// never overtakes the input) when the rows are contiguous.
func pack8(pix []byte, stride, w, h, sc int, sel []int, c int) (*Image, error) {
	if len(sel) != c {
		return nil, fmt.Errorf("imaging: cannot map %d samples to %d channels: %w", sc, c, ErrUnsupported)
	}
	dst := pix
	if stride != w*sc {
		dst = make([]byte, w*h*c)
	}
	o := 0
	for y := 0; y < h; y++ {
		row := pix[y*stride : y*stride+w*sc]
		if sc == c && stride == w*sc {
			o += len(row)
			continue
		}
		for x := 0; x < w; x++ {
			p := row[x*sc:]
			for _, k := range sel {
				dst[o] = p[k]
				o++
			}
		}
	}
	return &Image{W: w, H: h, C: c, Depth: 8, Pix8: dst[: w*h*c : w*h*c]}, nil
}

// pack16 converts big-endian 16-bit samples to uint16, keeping samples sel.
func pack16(pix []byte, stride, w, h, sc int, sel []int, c int) (*Image, error) {
	if len(sel) != c {
		return nil, fmt.Errorf("imaging: cannot map %d samples to %d channels: %w", sc, c, ErrUnsupported)
	}
	dst := make([]uint16, w*h*c)
	o := 0
	for y := 0; y < h; y++ {
		row := pix[y*stride : y*stride+w*sc*2]
		for x := 0; x < w; x++ {
			p := row[x*sc*2:]
			for _, k := range sel {
				dst[o] = uint16(p[2*k])<<8 | uint16(p[2*k+1])
				o++
			}
		}
	}
	return &Image{W: w, H: h, C: c, Depth: 16, Pix16: dst}, nil
}

// paletteLUT returns the palette as non-premultiplied RGBA, 256 entries.
func paletteLUT(p color.Palette) [256][4]uint8 {
	var lut [256][4]uint8
	for i, c := range p {
		if i >= 256 {
			break
		}
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		lut[i] = [4]uint8{n.R, n.G, n.B, n.A}
	}
	return lut
}

// fromPaletted expands the pixels of src inside r (offset by org) into an
// Image of r's size with c channels.
func fromPaletted(src *image.Paletted, c int, r image.Rectangle, org image.Point) (*Image, error) {
	lut := paletteLUT(src.Palette)
	sel := pick(c)
	w, h := r.Dx(), r.Dy()
	dst := make([]uint8, w*h*c)
	for y := 0; y < h; y++ {
		row := src.Pix[(y+org.Y-src.Rect.Min.Y)*src.Stride+(org.X-src.Rect.Min.X):]
		o := y * w * c
		for x := 0; x < w; x++ {
			e := &lut[row[x]]
			for _, k := range sel {
				dst[o] = e[k]
				o++
			}
		}
	}
	return &Image{W: w, H: h, C: c, Depth: 8, Pix8: dst}, nil
}

// fromGIF places the first frame on the logical screen; pixels the frame
// does not cover are transparent (the header then reports alpha).
func fromGIF(src image.Image, h Header) (*Image, error) {
	p, ok := src.(*image.Paletted)
	if !ok {
		return nil, fmt.Errorf("imaging: gif: decoded %T: %w", src, ErrCorrupt)
	}
	if p.Rect.Min.X == 0 && p.Rect.Min.Y == 0 && p.Rect.Dx() == h.Width && p.Rect.Dy() == h.Height {
		return fromPaletted(p, h.Channels, p.Rect, p.Rect.Min)
	}
	if !p.Rect.In(image.Rect(0, 0, h.Width, h.Height)) {
		return nil, fmt.Errorf("imaging: gif: frame %v outside the screen: %w", p.Rect, ErrCorrupt)
	}
	frame, err := fromPaletted(p, h.Channels, p.Rect, p.Rect.Min)
	if err != nil {
		return nil, err
	}
	out, err := NewImage(h.Width, h.Height, h.Channels, 8)
	if err != nil {
		return nil, err
	}
	fs := frame.Stride()
	for y := 0; y < frame.H; y++ {
		o := ((y+p.Rect.Min.Y)*h.Width + p.Rect.Min.X) * h.Channels
		copy(out.Pix8[o:o+fs], frame.Pix8[y*fs:(y+1)*fs])
	}
	return out, nil
}

// fromYCbCr converts JPEG YCbCr planes to interleaved RGB with the stdlib
// colour formula (JFIF full range).
func fromYCbCr(t *image.YCbCr) (*Image, error) {
	w, h := t.Rect.Dx(), t.Rect.Dy()
	var xs, ys uint
	switch t.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		xs = 1
	case image.YCbCrSubsampleRatio420:
		xs, ys = 1, 1
	case image.YCbCrSubsampleRatio440:
		ys = 1
	case image.YCbCrSubsampleRatio411:
		xs = 2
	case image.YCbCrSubsampleRatio410:
		xs, ys = 2, 1
	}
	dst := make([]uint8, w*h*3)
	mx, my := t.Rect.Min.X, t.Rect.Min.Y
	for y := 0; y < h; y++ {
		yrow := t.Y[(y)*t.YStride:]
		crow := (((y + my) >> ys) - (my >> ys)) * t.CStride
		o := y * w * 3
		for x := 0; x < w; x++ {
			ci := crow + ((x + mx) >> xs) - (mx >> xs)
			r, g, b := color.YCbCrToRGB(yrow[x], t.Cb[ci], t.Cr[ci])
			dst[o], dst[o+1], dst[o+2] = r, g, b
			o += 3
		}
	}
	return &Image{W: w, H: h, C: 3, Depth: 8, Pix8: dst}, nil
}

// fromCMYK converts ink values (0 none, 255 full; the stdlib decoder has
// already undone Adobe's inversion) to RGB.
func fromCMYK(t *image.CMYK) (*Image, error) {
	w, h := t.Rect.Dx(), t.Rect.Dy()
	dst := make([]uint8, w*h*3)
	for y := 0; y < h; y++ {
		row := t.Pix[y*t.Stride:]
		o := y * w * 3
		for x := 0; x < w; x++ {
			p := row[4*x : 4*x+4]
			k := 255 - uint32(p[3])
			dst[o] = uint8(((255-uint32(p[0]))*k + 127) / 255)
			dst[o+1] = uint8(((255-uint32(p[1]))*k + 127) / 255)
			dst[o+2] = uint8(((255-uint32(p[2]))*k + 127) / 255)
			o += 3
		}
	}
	return &Image{W: w, H: h, C: 3, Depth: 8, Pix8: dst}, nil
}
