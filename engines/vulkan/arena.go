package vulkan

import "sort"

// assignOffsets places every storage in one arena so that storages whose
// step ranges [def, last] overlap never share bytes (first fit in step
// order), and returns the arena size. A storage read for the last time by
// step k can be reused by one first written at step k+1, not at k.
func assignOffsets(stors []storage) int64 {
	order := make([]int, 0, len(stors))
	for i, s := range stors {
		if s.def >= 0 {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return stors[order[a]].def < stors[order[b]].def })
	var live []int // storage indices, sorted by offset
	var peak int64
	for _, i := range order {
		s := &stors[i]
		kept := live[:0]
		for _, j := range live {
			if stors[j].last >= s.def {
				kept = append(kept, j)
			}
		}
		live = kept
		// first gap that fits, scanning live storages by offset
		var off int64
		for _, j := range live {
			if stors[j].off-off >= s.size {
				break
			}
			off = max(off, stors[j].off+stors[j].size)
		}
		s.off = off
		peak = max(peak, off+s.size)
		pos := sort.Search(len(live), func(k int) bool { return stors[live[k]].off > off })
		live = append(live, 0)
		copy(live[pos+1:], live[pos:])
		live[pos] = i
	}
	return peak
}
