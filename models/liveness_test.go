package models

import (
	"slices"
	"testing"
)

// A Split's outputs share its input's memory: their root is the input, and
// the root lives until the last reader of any of them.
func TestLiveness(t *testing.T) {
	n := parse(t, `7767517
5 7
Input     in  0 1 data
Split     sp  1 2 data a b
Pooling   gap 1 1 a m 0=1 4=1
BinaryOp  mul 2 1 b m s 0=2
Split     sp2 1 2 s o p
`)
	lv := n.Liveness()
	idx := func(name string) int {
		b, ok := n.Find(name)
		if !ok {
			t.Fatalf("no blob %s", name)
		}
		return b
	}
	data, a, b, m, s, o, p := idx("data"), idx("a"), idx("b"), idx("m"), idx("s"), idx("o"), idx("p")
	for _, c := range []struct {
		blob, root, last int
	}{{data, data, 1}, {a, data, 2}, {b, data, 3}, {m, m, 3}, {s, s, 4}, {o, s, 4}, {p, s, 4}} {
		if lv.Root[c.blob] != c.root || lv.Last[c.blob] != c.last {
			t.Errorf("blob %s: root %s, last layer %d; want %s, %d", n.Blobs[c.blob], n.Blobs[lv.Root[c.blob]], lv.Last[c.blob], n.Blobs[c.root], c.last)
		}
	}
	// data's memory is read through b by layer 3; s's through o, p by none after 4
	want := make([]int, len(n.Blobs))
	for blob, last := range map[int]int{data: 3, a: -1, b: -1, m: 3, s: 4, o: -1, p: -1} {
		want[blob] = last
	}
	if !slices.Equal(lv.RootLast, want) {
		t.Errorf("root last uses %v, want %v", lv.RootLast, want)
	}
}
