package models

// Liveness says how long each blob's memory is needed in a forward pass
// that runs the layers in order. A Split's outputs are its input (no copy),
// so every blob maps to the root blob whose memory it uses.
type Liveness struct {
	// Root[b] is the blob whose memory b uses.
	Root []int
	// Last[b] is the last layer that writes or reads blob b (-1: none).
	Last []int
	// RootLast[r] is the last layer using root r's memory through any blob
	// that shares it (-1 for blobs that are not roots, or unused).
	RootLast []int
}

// Liveness computes the blobs' roots and last uses: the one place the
// executors' and the pipeline's memory plans take them from.
func (n *Net) Liveness() Liveness {
	lv := Liveness{Root: make([]int, len(n.Blobs)), Last: make([]int, len(n.Blobs)), RootLast: make([]int, len(n.Blobs))}
	for b := range n.Blobs {
		lv.Root[b], lv.Last[b], lv.RootLast[b] = b, -1, -1
	}
	for i, l := range n.Layers {
		if l.Type == "Split" && len(l.Inputs) > 0 {
			for _, b := range l.Outputs {
				lv.Root[b] = lv.Root[l.Inputs[0]]
			}
		}
		for _, b := range l.Outputs {
			lv.Last[b] = max(lv.Last[b], i)
		}
		for _, b := range l.Inputs {
			lv.Last[b] = max(lv.Last[b], i)
		}
	}
	for b, u := range lv.Last {
		r := lv.Root[b]
		lv.RootLast[r] = max(lv.RootLast[r], u)
	}
	return lv
}
