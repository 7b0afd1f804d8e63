package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// keyVersion changes whenever the pipeline's output for the same request
// changes (a codec, the models' handling): old entries are then never hit
// again, and expire.
const keyVersion = 1

// Key is the content address of a result.
type Key [sha256.Size]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// object is the blob key of the entry.
func (k Key) object() string {
	s := k.String()
	return "cache/" + s[:2] + "/" + s
}

// keyDoc is everything hashed into a Key besides the input's bytes.
type keyDoc struct {
	Version     int
	Engine      string
	Input       string // hex SHA-256 of the input's bytes
	Model       string
	Format      imaging.Format // resolved: "same" is the input's
	Quality     int            // resolved: 0 is the default
	Lossless    bool
	Effort      *int
	Subsampling string
	Tile        int
	TTA         bool
}

// Key reads src to its end and returns the address of plan's result for
// it; src is left at its start.
func (c *Cache) Key(src io.ReadSeeker, plan upscale.Plan) (Key, error) {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return Key{}, fmt.Errorf("cache: rewinding the input: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, src); err != nil {
		return Key{}, fmt.Errorf("cache: reading the input: %w", err)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return Key{}, fmt.Errorf("cache: rewinding the input: %w", err)
	}
	o := plan.Options
	doc, err := json.Marshal(keyDoc{
		Version: keyVersion, Engine: c.cfg.Engine, Input: hex.EncodeToString(h.Sum(nil)),
		Model: plan.Model.ID, Format: plan.Format, Quality: o.Quality, Lossless: o.Lossless,
		Effort: o.Effort, Subsampling: subsampling(o.Subsampling), Tile: o.Tile, TTA: o.TTA,
	})
	if err != nil {
		return Key{}, err
	}
	return sha256.Sum256(doc), nil
}

// subsampling spells the JPEG chroma option one way ("4:2:0", "420" and
// "" are the same output).
func subsampling(s string) string {
	s = strings.ReplaceAll(s, ":", "")
	if s == "" {
		return "420"
	}
	return s
}
