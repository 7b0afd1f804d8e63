package vulkan

import (
	"fmt"
	"sort"

	"github.com/upscaled/upscaled/engines"
)

// assignOffsets places every storage so that storages whose step ranges
// [def, last] overlap never share bytes (first fit in step order): a storage
// read for the last time by step k can be reused by one first written at
// step k+1, not at k. The arena is split into blocks of at most blockSize
// bytes (one device allocation each) and no storage straddles two blocks.
// It returns each block's size.
func assignOffsets(stors []storage, blockSize int64) ([]int64, error) {
	order := make([]int, 0, len(stors))
	for i, s := range stors {
		if s.def < 0 {
			continue
		}
		if s.size > blockSize {
			return nil, fmt.Errorf("%w: a %d-byte blob exceeds the device's largest allocation (%d bytes): use smaller tiles", engines.ErrOutOfMemory, s.size, blockSize)
		}
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool { return stors[order[a]].def < stors[order[b]].def })
	var live []int
	var blocks []int64
	for _, i := range order {
		s := &stors[i]
		kept := live[:0]
		for _, j := range live {
			if stors[j].last >= s.def {
				kept = append(kept, j)
			}
		}
		live = kept
		var off int64
		for {
			if off/blockSize != (off+s.size-1)/blockSize {
				off = (off/blockSize + 1) * blockSize
			}
			end := int64(-1)
			for _, j := range live {
				o := &stors[j]
				if o.off < off+s.size && off < o.off+o.size {
					end = max(end, o.off+o.size)
				}
			}
			if end < 0 {
				break
			}
			off = end
		}
		s.off = off
		b := int(off / blockSize)
		for len(blocks) <= b {
			blocks = append(blocks, 0)
		}
		blocks[b] = max(blocks[b], off%blockSize+s.size)
		live = append(live, i)
	}
	return blocks, nil
}
