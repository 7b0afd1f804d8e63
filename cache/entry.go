package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// An entry object is: payload | meta (JSON) | footer.
//
//	footer: meta length (uint32 BE) | payload length (uint64 BE) |
//	        SHA-256 of payload + meta | magic
const (
	magic      = "UPSCCH01"
	footerSize = 4 + 8 + sha256.Size + 8 // the last 8: magic
	maxMeta    = 64 << 10                // bytes
)

// meta describes the result an entry holds.
type meta struct {
	Model               string
	Format              imaging.Format
	ContentType         string
	InWidth, InHeight   int
	OutWidth, OutHeight int
	Tiles               int
	Notes               []string `json:",omitempty"`
}

func metaOf(r upscale.Result) meta {
	return meta{Model: r.Model, Format: r.Format, ContentType: r.ContentType, InWidth: r.InWidth, InHeight: r.InHeight,
		OutWidth: r.OutWidth, OutHeight: r.OutHeight, Tiles: r.Tiles, Notes: r.Notes}
}

func (m meta) result() upscale.Result {
	return upscale.Result{Model: m.Model, Format: m.Format, ContentType: m.ContentType, InWidth: m.InWidth, InHeight: m.InHeight,
		OutWidth: m.OutWidth, OutHeight: m.OutHeight, Tiles: m.Tiles, Notes: m.Notes}
}

// errCorrupt: an entry whose footer, lengths or hash do not check out.
var errCorrupt = errors.New("cache: corrupt entry")

// trailer returns what follows a payload of n bytes whose running hash is
// h: the meta and the footer.
func trailer(h hash.Hash, n int64, m meta) ([]byte, error) {
	doc, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if len(doc) > maxMeta {
		return nil, fmt.Errorf("cache: result description is %d bytes", len(doc))
	}
	h.Write(doc)
	var b bytes.Buffer
	b.Write(doc)
	binary.Write(&b, binary.BigEndian, uint32(len(doc)))
	binary.Write(&b, binary.BigEndian, uint64(n))
	b.Write(h.Sum(nil))
	b.WriteString(magic)
	return b.Bytes(), nil
}

// layout is what an entry's footer says.
type layout struct {
	payload int64 // bytes
	meta    meta
	metaRaw []byte
	sum     []byte
}

// readLayout reads and checks the footer and meta of an entry of size
// bytes; the hash is checked by the caller while it reads the payload.
func readLayout(r io.ReaderAt, size int64) (layout, error) {
	if size < footerSize {
		return layout{}, fmt.Errorf("%w: %d bytes", errCorrupt, size)
	}
	f := make([]byte, footerSize)
	if _, err := r.ReadAt(f, size-footerSize); err != nil && !errors.Is(err, io.EOF) {
		return layout{}, err
	}
	if string(f[footerSize-len(magic):]) != magic {
		return layout{}, fmt.Errorf("%w: no footer", errCorrupt)
	}
	metaLen := int64(binary.BigEndian.Uint32(f[0:4]))
	payload := int64(binary.BigEndian.Uint64(f[4:12]))
	if metaLen > maxMeta || payload < 0 || payload+metaLen+footerSize != size {
		return layout{}, fmt.Errorf("%w: lengths %d + %d do not add up to %d", errCorrupt, payload, metaLen, size)
	}
	raw := make([]byte, metaLen)
	if _, err := r.ReadAt(raw, payload); err != nil && !errors.Is(err, io.EOF) {
		return layout{}, err
	}
	l := layout{payload: payload, metaRaw: raw, sum: f[12 : 12+sha256.Size]}
	if err := json.Unmarshal(raw, &l.meta); err != nil {
		return layout{}, fmt.Errorf("%w: description: %v", errCorrupt, err)
	}
	return l, nil
}

// check hashes the payload read from r (its first l.payload bytes) and the
// meta against the footer's sum, copying the payload to w (nil: nowhere).
func (l layout) check(r io.Reader, w io.Writer) error {
	h := sha256.New()
	dst := io.Writer(h)
	if w != nil {
		dst = io.MultiWriter(h, w)
	}
	n, err := io.Copy(dst, io.LimitReader(r, l.payload))
	if err != nil {
		return err
	}
	if n != l.payload {
		return fmt.Errorf("%w: %d of %d bytes", errCorrupt, n, l.payload)
	}
	h.Write(l.metaRaw)
	if !bytes.Equal(h.Sum(nil), l.sum) {
		return fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	return nil
}
