package models

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Tags that prefix the weight tensors of Convolution, Deconvolution and
// InnerProduct in a .bin file.
const (
	tagFP16  = 0x01306B47
	tagFP32  = 0x0002C056
	tagInt8  = 0x000D4B38
	tagPlain = 0 // fp32 without a tag value
	// MaxTensorValues is the most values one tensor in a .bin file may hold.
	MaxTensorValues = 1 << 28
	// readChunk bounds each allocation to what the file actually holds.
	readChunk = 1 << 16
)

// LoadWeights reads the .bin data of every layer, in layer order, into
// Layer.Weight and Layer.Bias (fp32). name is the file name used in errors.
// The file must be consumed exactly: truncation and trailing bytes are errors
// (ErrFormat) naming the offset and layer; int8 and quantized weights give
// ErrUnsupported.
func (n *Net) LoadWeights(r io.Reader, name string) error {
	br := &binReader{r: bufio.NewReaderSize(r, 1<<20), name: name}
	for i := range n.Layers {
		l := &n.Layers[i]
		br.layer = l
		if err := br.load(l); err != nil {
			return err
		}
	}
	br.layer = nil
	extra, err := io.Copy(io.Discard, br.r)
	if err != nil {
		return fmt.Errorf("%s: offset %d: read: %w", name, br.off, err)
	}
	if extra > 0 {
		return fmt.Errorf("%s: offset %d: %d trailing bytes after the last layer's data: %w", name, br.off, extra, ErrFormat)
	}
	return nil
}

type binReader struct {
	r     *bufio.Reader
	name  string
	off   int64
	layer *Layer
}

func (b *binReader) errf(wrap error, format string, args ...any) error {
	where := "end of file"
	if b.layer != nil {
		where = fmt.Sprintf("layer %s (%s, param line %d)", b.layer.Name, b.layer.Type, b.layer.Line)
	}
	return fmt.Errorf("%s: offset %d: %s: %s: %w", b.name, b.off, where, fmt.Sprintf(format, args...), wrap)
}

// load reads l's data as its kind lays it out (WeightsOf).
func (b *binReader) load(l *Layer) error {
	w, err := WeightsOf(l)
	if err != nil {
		var se *shapeError
		if errors.As(err, &se) {
			return b.errf(se.kind, "%s", se.msg)
		}
		return b.errf(err, "layout")
	}
	switch {
	case w.Tagged:
		l.Weight, err = b.tagged(w.WeightName, w.Weight)
	case w.Weight != 0:
		l.Weight, err = b.raw(w.WeightName, w.Weight)
	}
	if err != nil {
		return err
	}
	if w.Bias != 0 {
		l.Bias, err = b.raw(w.BiasName, w.Bias)
	}
	return err
}

func (b *binReader) checkCount(what string, count int) error {
	if count < 0 || count > MaxTensorValues {
		return b.errf(ErrFormat, "%s count %d out of range 0..%d", what, count, MaxTensorValues)
	}
	return nil
}

// tagged reads a tag-prefixed tensor of count values.
func (b *binReader) tagged(what string, count int) ([]float32, error) {
	if err := b.checkCount(what, count); err != nil {
		return nil, err
	}
	var tb [4]byte
	if err := b.full(tb[:], what+" tag"); err != nil {
		return nil, err
	}
	switch tag := binary.LittleEndian.Uint32(tb[:]); tag {
	case tagFP16:
		out, err := b.values(what, count, 2)
		if err != nil {
			return nil, err
		}
		if pad := (4 - count*2%4) % 4; pad > 0 {
			if err := b.full(tb[:pad], what+" padding"); err != nil {
				return nil, err
			}
		}
		return out, nil
	case tagFP32, tagPlain:
		return b.values(what, count, 4)
	case tagInt8:
		b.off -= 4
		return nil, b.errf(ErrUnsupported, "%s is int8 (tag %#08x)", what, tag)
	default:
		b.off -= 4
		return nil, b.errf(ErrUnsupported, "%s has tag %#08x: a quantized table, or not a weight tensor", what, tag)
	}
}

// raw reads count untagged fp32 values.
func (b *binReader) raw(what string, count int) ([]float32, error) {
	if err := b.checkCount(what, count); err != nil {
		return nil, err
	}
	return b.values(what, count, 4)
}

// values reads count little-endian values of size 2 (fp16) or 4 (fp32) bytes,
// allocating no more than the bytes actually present.
func (b *binReader) values(what string, count, size int) ([]float32, error) {
	out := make([]float32, 0, min(count, readChunk))
	buf := make([]byte, min(count, readChunk)*size)
	start := b.off
	for len(out) < count {
		k := min(count-len(out), readChunk)
		chunk := buf[:k*size]
		got, err := io.ReadFull(b.r, chunk)
		b.off += int64(got)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			have := b.off - start
			b.off = start
			return nil, b.errf(ErrFormat, "%s of %d values truncated: need %d bytes, only %d remain", what, count, count*size, have)
		} else if err != nil {
			return nil, b.errf(err, "read %s", what)
		}
		for i := 0; i < k; i++ {
			if size == 2 {
				out = append(out, halfToFloat32(binary.LittleEndian.Uint16(chunk[2*i:])))
			} else {
				out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(chunk[4*i:])))
			}
		}
	}
	return out, nil
}

func (b *binReader) full(p []byte, what string) error {
	got, err := io.ReadFull(b.r, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return b.errf(ErrFormat, "%s truncated: need %d bytes, file has %d", what, len(p), got)
	} else if err != nil {
		return b.errf(err, "read %s", what)
	}
	b.off += int64(len(p))
	return nil
}
