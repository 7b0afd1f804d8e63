package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// Tensor is an fp32 blob. A 3-D blob is C planes of H×W, row-major. A 1-D
// blob of n elements has Dims 1, C = n and H = W = 1, so per-channel code
// treats it as C×1×1.
type Tensor struct {
	Dims    int
	C, H, W int
	Data    []float32
}

// NewTensor returns a zeroed C×H×W blob.
func NewTensor(c, h, w int) *Tensor {
	return &Tensor{Dims: 3, C: c, H: h, W: w, Data: make([]float32, c*h*w)}
}

// NewVector returns a zeroed 1-D blob of n elements.
func NewVector(n int) *Tensor {
	return &Tensor{Dims: 1, C: n, H: 1, W: 1, Data: make([]float32, n)}
}

// Plane is channel c's H×W values.
func (t *Tensor) Plane(c int) []float32 {
	n := t.H * t.W
	return t.Data[c*n : (c+1)*n : (c+1)*n]
}

// Size is the number of elements.
func (t *Tensor) Size() int { return t.C * t.H * t.W }

// Bytes is the memory the blob's data takes.
func (t *Tensor) Bytes() int64 { return int64(len(t.Data)) * 4 }

// Shape converts to the models package convention (1-D: W = n).
func (t *Tensor) Shape() models.Shape {
	if t.Dims == 1 {
		return models.Shape{Dims: 1, C: 1, H: 1, W: t.C}
	}
	return models.Shape{Dims: 3, C: t.C, H: t.H, W: t.W}
}

func (t *Tensor) String() string {
	if t.Dims == 1 {
		return fmt.Sprintf("[%d]", t.C)
	}
	return fmt.Sprintf("%d×%d×%d", t.C, t.H, t.W)
}

// sameShape reports whether a and b have equal dims and extents.
func sameShape(a, b *Tensor) bool {
	return a.Dims == b.Dims && a.C == b.C && a.H == b.H && a.W == b.W
}
