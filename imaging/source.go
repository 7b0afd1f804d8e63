package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits on metadata read while parsing a header (bytes).
const (
	// MaxICCBytes bounds an embedded ICC profile (compressed or not).
	MaxICCBytes = 16 << 20
	// maxHeadBytes bounds what Decode keeps of the header for replay to
	// the pixel decoder (WebP excepted: its decoder needs the whole file).
	maxHeadBytes = 64 << 20
	// maxExifBytes is how much of an EXIF block is read for the orientation.
	maxExifBytes = 1 << 20
)

// source feeds header parsers. In record mode it keeps every byte it hands
// out (except dropped metadata) so that Decode can replay the header to the
// pixel decoder; otherwise it only counts.
type source struct {
	r       io.Reader
	n       int64 // bytes consumed from r
	record  bool
	buf     []byte // recorded bytes (record mode)
	kept    int64  // bytes a recording source would hold (both modes)
	max     int64  // cap on len(buf) (record mode)
	scratch []byte
}

func newSource(r io.Reader, record bool) *source {
	return &source{r: r, record: record, max: maxHeadBytes}
}

// errTruncated maps EOF while reading a header to ErrCorrupt.
func errTruncated(f Format, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("imaging: %s: truncated %s: %w", f, what, ErrCorrupt)
	}
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnsupported) {
		return err
	}
	return fmt.Errorf("imaging: %s: reading %s: %w", f, what, err)
}

// read returns the next n bytes; the slice is valid until the next call.
// Large n grows the buffer only as data actually arrives.
func (s *source) read(n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("imaging: negative length: %w", ErrCorrupt)
	}
	if s.record && int64(len(s.buf))+int64(n) > s.max {
		return nil, fmt.Errorf("imaging: header metadata exceeds %d bytes: %w", s.max, ErrTooLarge)
	}
	var out []byte
	if n <= 1<<16 {
		if cap(s.scratch) < n {
			s.scratch = make([]byte, n, max(n, 4096))
		}
		out = s.scratch[:n]
		k, err := io.ReadFull(s.r, out)
		s.n += int64(k)
		if err != nil {
			return nil, err
		}
	} else {
		var bb bytes.Buffer
		k, err := io.CopyN(&bb, s.r, int64(n))
		s.n += k
		if err != nil {
			return nil, err
		}
		out = bb.Bytes()
	}
	if s.record {
		s.buf = append(s.buf, out...)
	}
	s.kept += int64(n)
	return out, nil
}

// skip consumes n bytes, recording them in record mode.
func (s *source) skip(n int64) error {
	if n < 0 {
		return fmt.Errorf("imaging: negative length: %w", ErrCorrupt)
	}
	if !s.record {
		k, err := io.CopyN(io.Discard, s.r, n)
		s.n += k
		s.kept += k
		if err == nil && k < n {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if int64(len(s.buf))+n > s.max {
		return fmt.Errorf("imaging: header metadata exceeds %d bytes: %w", s.max, ErrTooLarge)
	}
	bb := bytes.NewBuffer(s.buf)
	k, err := io.CopyN(bb, s.r, n)
	s.n += k
	s.kept += k
	s.buf = bb.Bytes()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// drop consumes n bytes without recording them and forgets the last back
// recorded bytes: used for metadata the pixel decoder does not need.
func (s *source) drop(back int, n int64) error {
	s.forget(back)
	k, err := io.CopyN(io.Discard, s.r, n)
	s.n += k
	if err == nil && k < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// rest is the stream to hand to a pixel decoder: the recorded header then the unread remainder.
func (s *source) rest() io.Reader {
	return io.MultiReader(bytes.NewReader(s.buf), s.r)
}

// forget removes the last k recorded bytes from the replay.
func (s *source) forget(k int) {
	k = int(min(int64(k), s.kept))
	s.kept -= int64(k)
	if s.record {
		s.buf = s.buf[:len(s.buf)-k]
	}
}
