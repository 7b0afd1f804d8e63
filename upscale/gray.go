package upscale

// Grayscale input runs through the RGB network with the gray value
// replicated to R, G and B; the output is turned back into one channel as
// the Rec. 601 luma of the RGB result (the weights of image/color's gray
// model). The three channels come out nearly equal, so luma and a plain
// channel mean differ by at most a level; luma keeps any tint the network
// adds perceptually weighted.

func luma8(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

func luma16(r, g, b uint16) uint16 {
	return uint16((19595*uint64(r) + 38470*uint64(g) + 7471*uint64(b) + 1<<15) >> 16)
}
