package imaging

import "encoding/binary"

// exifOrientation returns the orientation tag (1..8) from a TIFF-structured
// EXIF block (starting at the byte-order mark), or 1 when absent or invalid.
func exifOrientation(b []byte) int {
	if len(b) >= 6 && string(b[:6]) == "Exif\x00\x00" {
		b = b[6:] // some writers keep the JPEG APP1 prefix in PNG eXIf / WebP EXIF
	}
	if len(b) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int64(bo.Uint32(b[4:8]))
	if off < 8 || off+2 > int64(len(b)) {
		return 1
	}
	n := int64(bo.Uint16(b[off:]))
	for i := int64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > int64(len(b)) {
			return 1
		}
		if bo.Uint16(b[e:]) != 0x0112 {
			continue
		}
		typ, cnt := bo.Uint16(b[e+2:]), bo.Uint32(b[e+4:])
		if typ != 3 || cnt != 1 {
			return 1
		}
		v := int(bo.Uint16(b[e+8:]))
		if v < 1 || v > 8 {
			return 1
		}
		return v
	}
	return 1
}
