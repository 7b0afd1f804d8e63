package imaging

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// pngGroupBytes is the target raw size of a row group compressed as one
// independent deflate segment (bytes).
var pngGroupBytes = 512 << 10

// pngLevels maps an effort (0..6) to a deflate level of
// klauspost/compress/flate (1 fastest .. 9 smallest).
var pngLevels = [MaxEffort + 1]int{1, 2, 3, 4, 5, 6, 9}

// pngEncoder writes PNG as rows arrive. Rows are cut into groups; each
// group is filtered and deflated on its own goroutine into a segment that
// ends on a byte boundary (sync flush; the last one with the final block),
// so the segments concatenate into one deflate stream. The zlib Adler-32
// is combined from the groups' checksums.
type pngEncoder struct {
	w         io.Writer
	g         geometry
	rowBytes  int // bytes per row without the filter byte
	bpp       int // bytes per pixel, the filter distance
	groupRows int
	raw       []byte // rows of the current group
	rows      int    // rows in raw
	prev      []byte // last row of the previous group (nil before the first)
	pipe      *orderedPipe
	raws      *freeList[byte] // group rows
	filts     *freeList[byte] // filtered groups
	outs      *freeList[byte] // compressed groups
	level     int             // deflate level
	adler     uint32
	started   bool
	closed    bool
}

var pngColorType = [5]byte{0, 0, 4, 2, 6}

func newPNGEncoder(w io.Writer, g geometry, opt EncodeOptions) (*pngEncoder, error) {
	if g.width > 1<<31-1 || g.height > 1<<31-1 {
		return nil, fmt.Errorf("imaging: png: %dx%d exceeds 2^31-1: %w", g.width, g.height, ErrTooLarge)
	}
	e := &pngEncoder{w: w, g: g, adler: 1, level: pngLevels[effortOr(opt, DefaultPNGEffort)]}
	e.bpp = g.c * g.depth / 8
	e.rowBytes = g.width * e.bpp
	e.groupRows = max(1, pngGroupBytes/e.rowBytes)
	keep := opt.Workers + 2
	e.raws = newFreeList[byte](keep, e.groupRows*e.rowBytes)
	e.filts = newFreeList[byte](keep, e.groupRows*(e.rowBytes+1))
	e.outs = newFreeList[byte](keep, 0)
	e.pipe = newOrderedPipe(opt.Workers, e.emit)
	var hd bytes.Buffer
	hd.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(g.width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(g.height))
	ihdr[8], ihdr[9] = byte(g.depth), pngColorType[g.c]
	writeChunk(&hd, "IHDR", ihdr)
	if opt.ICC != nil && iccMatches(opt.ICC, g.c) {
		var z bytes.Buffer
		z.WriteString("ICC Profile\x00\x00") // name, NUL, method 0 (zlib)
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		zw.Write(opt.ICC)
		zw.Close()
		writeChunk(&hd, "iCCP", z.Bytes())
	}
	if _, err := w.Write(hd.Bytes()); err != nil {
		return nil, err
	}
	return e, nil
}

func writeChunk(w io.Writer, typ string, data []byte) error {
	var hd [8]byte
	binary.BigEndian.PutUint32(hd[:], uint32(len(data)))
	copy(hd[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(hd[4:])
	crc.Write(data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc.Sum32())
	for _, b := range [][]byte{hd[:], data, tail[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (e *pngEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: png: WriteRows after Close: %w", ErrUnsupported)
	}
	if err := e.g.accept(b); err != nil {
		return err
	}
	s := b.Stride()
	for y := 0; y < b.H; y++ {
		if e.raw == nil {
			e.raw = e.raws.get()
		}
		row := e.raw[e.rows*e.rowBytes : (e.rows+1)*e.rowBytes]
		if b.Depth == 8 {
			copy(row, b.Pix8[y*s:(y+1)*s])
		} else {
			for i, v := range b.Pix16[y*s : (y+1)*s] {
				row[2*i], row[2*i+1] = byte(v>>8), byte(v)
			}
		}
		e.rows++
		if e.rows == e.groupRows {
			if err := e.submit(false); err != nil {
				return err
			}
		}
	}
	return nil
}

// submit hands the current group to a worker.
func (e *pngEncoder) submit(final bool) error {
	raw, n, prev := e.raw, e.rows, e.prev
	if n > 0 {
		e.prev = append(e.prev[:0:0], raw[(n-1)*e.rowBytes:n*e.rowBytes]...)
	}
	e.raw, e.rows = nil, 0
	rb, bpp := e.rowBytes, e.bpp
	return e.pipe.submit(func() result {
		filtered := filterRows(e.filts.get()[:n*(rb+1)], raw[:n*rb], prev, rb, bpp)
		if raw != nil {
			e.raws.put(raw)
		}
		r := result{adler: adler32.Checksum(filtered), n: int64(len(filtered))}
		r.out = deflateSegment(e.outs.get()[:0], filtered, e.level, final)
		e.filts.put(filtered)
		return r
	})
}

// flatePools keeps idle deflate writers per level (index = level).
var flatePools [10]sync.Pool

func getFlate(level int) *flate.Writer {
	if fw, ok := flatePools[level].Get().(*flate.Writer); ok {
		return fw
	}
	fw, _ := flate.NewWriter(io.Discard, level)
	return fw
}

// deflateBound is the most deflate output for n input bytes (stored
// blocks: 5 bytes per 64 KiB, plus flush and final markers).
func deflateBound(n int) int { return n + 5*(n/65535+2) + 16 }

// deflateSegment compresses p at level, appending to dst, as a
// byte-aligned part of a deflate stream: sync-flushed, or closed with the
// final block when final is set.
func deflateSegment(dst, p []byte, level int, final bool) []byte {
	if cap(dst) < deflateBound(len(p)) {
		dst = make([]byte, 0, deflateBound(len(p)))
	}
	b := bytes.NewBuffer(dst[:0])
	fw := getFlate(level)
	fw.Reset(b)
	fw.Write(p)
	if final {
		fw.Close()
	} else {
		fw.Flush()
	}
	flatePools[level].Put(fw)
	return b.Bytes()
}

// emit writes one compressed group as an IDAT chunk (in order).
func (e *pngEncoder) emit(r result) error {
	data := r.out
	if !e.started {
		data = append([]byte{0x78, 0x9C}, data...)
		e.started = true
	}
	e.adler = adler32Combine(e.adler, r.adler, r.n)
	err := writeChunk(e.w, "IDAT", data)
	e.outs.put(r.out)
	return err
}

func (e *pngEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.g.complete(); err != nil {
		e.pipe.drain(true)
		return err
	}
	if err := e.submit(true); err != nil {
		return err
	}
	if err := e.pipe.drain(true); err != nil {
		return err
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], e.adler)
	if err := writeChunk(e.w, "IDAT", sum[:]); err != nil {
		return err
	}
	return writeChunk(e.w, "IEND", nil)
}

// adler32Combine returns the Adler-32 of A||B from adler(A), adler(B), len(B).
func adler32Combine(a, b uint32, lenB int64) uint32 {
	const mod = 65521
	a1, b1 := uint64(a&0xffff), uint64(a>>16)
	a2, b2 := uint64(b&0xffff), uint64(b>>16)
	n := uint64(lenB % mod)
	s1 := (a1 + a2 + mod - 1) % mod
	s2 := (b1 + b2 + n*a1 + mod*mod - n) % mod
	return uint32(s2<<16 | s1)
}
