package vulkan

import (
	"errors"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

func TestAssignOffsets(t *testing.T) {
	// a chain a→b→c→d: a and c may share bytes, b and d too
	chain := []storage{{size: 100, def: 0, last: 1}, {size: 50, def: 1, last: 2}, {size: 100, def: 2, last: 3}, {size: 50, def: 3, last: 3}}
	cases := []struct {
		name      string
		stors     []storage
		blockSize int64
		want      []int64
	}{
		{"chain", chain, 1 << 20, []int64{150}},
		{"chain-blocks", chain, 120, []int64{100, 50}},
		{"all-live", []storage{{size: 10, def: 0, last: 3}, {size: 20, def: 1, last: 3}, {size: 30, def: 2, last: 3}}, 1 << 20, []int64{60}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := append([]storage(nil), c.stors...)
			blocks, err := assignOffsets(st, c.blockSize)
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != len(c.want) {
				t.Fatalf("blocks %v, want %v", blocks, c.want)
			}
			for k := range blocks {
				if blocks[k] != c.want[k] {
					t.Fatalf("blocks %v, want %v", blocks, c.want)
				}
			}
			for i := range st {
				a := st[i]
				if a.off/c.blockSize != (a.off+a.size-1)/c.blockSize {
					t.Errorf("storage %d at %d+%d straddles a %d-byte block", i, a.off, a.size, c.blockSize)
				}
				for j := i + 1; j < len(st); j++ {
					b := st[j]
					liveTogether := a.def <= b.last && b.def <= a.last
					if liveTogether && a.off < b.off+b.size && b.off < a.off+a.size {
						t.Errorf("storages %d and %d are live together and overlap", i, j)
					}
				}
			}
		})
	}
	if _, err := assignOffsets([]storage{{size: 300, def: 0, last: 0}}, 200); !errors.Is(err, engines.ErrOutOfMemory) {
		t.Errorf("storage over the block size: %v, want ErrOutOfMemory", err)
	}
}
