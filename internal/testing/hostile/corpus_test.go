package hostile

import (
	"bytes"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"testing"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// The corpus must be what it claims: valid cases decode with the standard
// decoders at the stated size (before orientation), invalid ones do not.
func TestCorpusIsWhatItClaims(t *testing.T) {
	cases := Cases()
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if seen[c.Name] {
				t.Fatalf("duplicate case name")
			}
			seen[c.Name] = true
			cfg, _, err := image.DecodeConfig(bytes.NewReader(c.Data))
			switch c.Want {
			case OK:
				if err != nil {
					t.Fatalf("valid case: %v", err)
				}
				if _, _, err := image.Decode(bytes.NewReader(c.Data)); err != nil {
					t.Fatalf("valid case does not decode: %v", err)
				}
			case TooLarge:
				if err == nil && int64(cfg.Width)*int64(cfg.Height) < 60_000_000 {
					t.Fatalf("bomb claims only %dx%d", cfg.Width, cfg.Height)
				}
			case Unsupported:
				if err == nil {
					t.Fatalf("non-image decodes as %dx%d", cfg.Width, cfg.Height)
				}
			case Corrupt:
				if _, _, err := image.Decode(bytes.NewReader(c.Data)); err == nil && !c.StdDecodes {
					t.Fatalf("corrupt case decodes")
				}
			}
		})
	}
}
