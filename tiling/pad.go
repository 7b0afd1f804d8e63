package tiling

// Reflect101 maps x to a coordinate inside [0,n) by mirroring about the first
// and last pixel without repeating them (…2 1 0 1 2…, n−3 n−2 n−1 n−2 n−3…).
// Coordinates farther out than one image width keep reflecting, so images
// smaller than the margin are padded without out-of-range reads; n = 1
// replicates its only pixel.
func Reflect101(x, n int) int {
	if n <= 1 {
		return 0
	}
	period := 2 * (n - 1)
	x %= period
	if x < 0 {
		x += period
	}
	if x >= n {
		x = period - x
	}
	return x
}

// Pixel is a sample type of an interleaved image: 8 or 16 bits per channel.
type Pixel interface{ ~uint8 | ~uint16 }

// Extract copies window r of an interleaved w×h image with c channels
// (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) into dst as RGB, 3 samples per pixel,
// row-major: gray is replicated, alpha dropped. Pixels of r outside the image
// come from reflect-101 of the image; pixels inside are the real neighbours.
// dst must hold r.Dx()·r.Dy()·3 samples.
func Extract[T Pixel](dst []T, src []T, w, h, c int, r Rect) {
	rw := r.Dx()
	xs := make([]int, rw)
	for i := range xs {
		xs[i] = Reflect101(r.X0+i, w) * c
	}
	// RGB: the part of each row inside the image is one copy.
	in0, in1 := max(r.X0, 0), min(r.X1, w)
	o := 0
	for y := r.Y0; y < r.Y1; y++ {
		row := src[Reflect101(y, h)*w*c:]
		switch {
		case c == 1 || c == 2:
			for _, sx := range xs {
				v := row[sx]
				dst[o], dst[o+1], dst[o+2] = v, v, v
				o += 3
			}
		case c == 3 && in0 < in1:
			for _, sx := range xs[:in0-r.X0] {
				dst[o], dst[o+1], dst[o+2] = row[sx], row[sx+1], row[sx+2]
				o += 3
			}
			o += copy(dst[o:o+(in1-in0)*3], row[in0*3:in1*3])
			for _, sx := range xs[in1-r.X0:] {
				dst[o], dst[o+1], dst[o+2] = row[sx], row[sx+1], row[sx+2]
				o += 3
			}
		default:
			for _, sx := range xs {
				dst[o], dst[o+1], dst[o+2] = row[sx], row[sx+1], row[sx+2]
				o += 3
			}
		}
	}
}

// ExtractPlane copies window r of channel ch of an interleaved w×h image with
// c channels into dst (one sample per pixel), reflect-101 outside the image.
func ExtractPlane[T Pixel](dst []T, src []T, w, h, c, ch int, r Rect) {
	o := 0
	for y := r.Y0; y < r.Y1; y++ {
		row := src[Reflect101(y, h)*w*c:]
		for x := r.X0; x < r.X1; x++ {
			dst[o] = row[Reflect101(x, w)*c+ch]
			o++
		}
	}
}
