package models

import (
	"bytes"
	"testing"
)

// Seeds beyond these live in testdata/fuzz/<FuzzName>/ (real model params,
// truncated real weights).

// checkNet exercises everything a parsed net offers; it must not panic.
func checkNet(n *Net) {
	n.Validate()
	n.GlobalPools()
	for _, s := range []Shape{Shape3(3, 40, 40), Shape3(1, 1, 1), Shape3(4, 7, 3)} {
		n.InferShapes(s)
	}
}

func FuzzParseParam(f *testing.F) {
	f.Add([]byte(tinyParam))
	f.Add([]byte("7767517\n2 2\nInput in 0 1 x\nCrop c 1 1 x y -23309=2,4,4 -23310=2,-4,-4 -23311=2,-2,-1\n"))
	f.Add([]byte("7767517\n3 3\nInput in 0 1 x\nInterp i 1 1 x y 0=3 1=5.000000e-01 2=0.5\nPixelShuffle p 1 1 y z 0=2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseParam(bytes.NewReader(data), "fuzz.param")
		if err != nil {
			if n != nil {
				t.Fatal("net returned with an error")
			}
			return
		}
		if len(n.Producer) != len(n.Blobs) || len(n.Consumers) != len(n.Blobs) {
			t.Fatalf("inconsistent blob tables: %d blobs, %d producers, %d consumer lists", len(n.Blobs), len(n.Producer), len(n.Consumers))
		}
		for i, l := range n.Layers {
			for _, b := range l.Inputs {
				if n.Producer[b] >= i || n.Producer[b] < 0 {
					t.Fatalf("layer %d reads blob %d produced by %d", i, b, n.Producer[b])
				}
			}
		}
		checkNet(n)
	})
}

func FuzzLoadBin(f *testing.F) {
	f.Add([]byte(tinyParam), tinyBin().Bytes())
	f.Add([]byte(tinyParam), tinyBin().Bytes()[:9])
	f.Fuzz(func(t *testing.T, param, bin []byte) {
		n, err := ParseParam(bytes.NewReader(param), "fuzz.param")
		if err != nil {
			return
		}
		if err := n.LoadWeights(bytes.NewReader(bin), "fuzz.bin"); err != nil {
			return
		}
		total := 0
		for _, l := range n.Layers {
			total += len(l.Weight) + len(l.Bias)
		}
		if total > len(bin) {
			t.Fatalf("%d values loaded from %d bytes", total, len(bin))
		}
		checkNet(n)
	})
}
