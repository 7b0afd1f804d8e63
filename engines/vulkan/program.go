package vulkan

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

// program is a model prepared for the engine: weights arranged on the host
// at Load (kept to re-upload after a device loss), per-device state and
// plans built on demand.
type program struct {
	e       *Engine
	info    models.Info
	net     *models.Net
	in, out int // blob indices
	parts   []wpart
	// layerParts[i] are layer i's weights parts (kind-specific order).
	layerParts [][]int
	// fusedInto[i] is the convolution a PReLU layer i is fused into, or -1;
	// preluOf[j] is the PReLU fused into convolution j, or -1.
	fusedInto, preluOf []int
	gap                []bool // global average pooling layers
	// coop: 3×3 stride-1 convolutions get cooperative-matrix weights and
	// kernels.
	coop bool

	mu      sync.Mutex
	closed  bool
	layouts map[layoutKey]*layout
	dev     *progDev
}

type layoutKey struct {
	h, w, depth int
	esize       int64
}

func (p *program) partBytes(k int, esize int64) int64 { return partSize(p.parts[k], esize) }

func (p *program) addPart(data []float32, half bool) int {
	p.parts = append(p.parts, wpart{data: data, half: half})
	return len(p.parts) - 1
}

func newProgram(e *Engine, m engines.Model, coop bool) (*program, error) {
	n := m.Net
	if n == nil {
		return nil, fmt.Errorf("vulkan: load %s: no network: %w", m.Info.ID, models.ErrFormat)
	}
	p := &program{e: e, info: m.Info, net: n, layouts: map[layoutKey]*layout{}, coop: coop}
	var ok bool
	if p.in, ok = n.Find(m.Info.InputBlob); !ok {
		return nil, fmt.Errorf("vulkan: load %s: %s has no input blob %q: %w", m.Info.ID, n.Name, m.Info.InputBlob, models.ErrFormat)
	}
	if p.out, ok = n.Find(m.Info.OutputBlob); !ok {
		return nil, fmt.Errorf("vulkan: load %s: %s has no output blob %q: %w", m.Info.ID, n.Name, m.Info.OutputBlob, models.ErrFormat)
	}
	L := len(n.Layers)
	p.layerParts = make([][]int, L)
	p.fusedInto = make([]int, L)
	p.preluOf = make([]int, L)
	p.gap = make([]bool, L)
	for i := range L {
		p.fusedInto[i], p.preluOf[i] = -1, -1
	}
	for i := range n.Layers {
		l := &n.Layers[i]
		if l.Type != "PReLU" || len(l.Inputs) != 1 {
			continue
		}
		b := l.Inputs[0]
		j := n.Producer[b]
		if j < 0 || n.Layers[j].Type != "Convolution" || len(n.Consumers[b]) != 1 || n.Layers[j].Params.Int(9, 0) != 0 {
			continue
		}
		p.fusedInto[i], p.preluOf[j] = j, i
	}
	for i := range n.Layers {
		if err := p.prepare(i); err != nil {
			l := &n.Layers[i]
			return nil, fmt.Errorf("vulkan: load %s: %s layer %s (line %d): %w", m.Info.ID, l.Type, l.Name, l.Line, err)
		}
	}
	return p, nil
}

// prepare arranges layer i's weights.
func (p *program) prepare(i int) error {
	l := &p.net.Layers[i]
	switch l.Type {
	case "Convolution", "Deconvolution":
		c, err := models.ConvParams(l)
		if err != nil {
			return err
		}
		if len(l.Weight) != c.WeightSize {
			return fmt.Errorf("%w: %d weights, want %d", models.ErrFormat, len(l.Weight), c.WeightSize)
		}
		w := p.addPart(arrangeConv(l.Weight, c.NumOutput, c.NumInput, c.KernelH, c.KernelW), true)
		bias := padVec(l.Bias, c.NumOutput)
		if k := p.preluOf[i]; k >= 0 {
			slopes := p.net.Layers[k].Weight
			s := make([]float32, c4(c.NumOutput)*4)
			for ch := range c.NumOutput {
				switch len(slopes) {
				case 1:
					s[ch] = slopes[0]
				case c.NumOutput:
					s[ch] = slopes[ch]
				default:
					return fmt.Errorf("%w: fused PReLU has %d slopes for %d channels", models.ErrFormat, len(slopes), c.NumOutput)
				}
			}
			bias = append(bias, s...)
		}
		p.layerParts[i] = []int{w, p.addPart(bias, false)}
		if p.coop {
			if err := p.prepareCoop(i, c); err != nil {
				return err
			}
		}
	case "InnerProduct":
		nOut := l.Params.Int(0, 0)
		if nOut <= 0 || len(l.Weight) == 0 || len(l.Weight)%nOut != 0 {
			return fmt.Errorf("%w: %d weights for %d outputs", models.ErrFormat, len(l.Weight), nOut)
		}
		p.layerParts[i] = []int{p.addPart(l.Weight, false), p.addPart(padVec(l.Bias, nOut), false)}
	case "PReLU":
		if p.fusedInto[i] >= 0 {
			return nil
		}
		if len(l.Weight) == 0 {
			return fmt.Errorf("%w: PReLU without slopes", models.ErrFormat)
		}
		p.layerParts[i] = []int{p.addPart(padVec(l.Weight, len(l.Weight)), false)}
	case "Scale":
		if l.Params.Int(0, 0) == -233 {
			p.layerParts[i] = []int{-1, -1}
			if l.Params.Int(1, 0) != 0 {
				p.layerParts[i][1] = p.addPart(padVec(l.Bias, len(l.Bias)), false)
			}
			return nil
		}
		n := len(l.Weight)
		if n == 0 {
			return fmt.Errorf("%w: Scale without scale data", models.ErrFormat)
		}
		bias := -1
		if l.Params.Int(1, 0) != 0 {
			bias = p.addPart(padVec(l.Bias, n), false)
		}
		p.layerParts[i] = []int{p.addPart(padVec(l.Weight, n), false), bias}
	case "Pooling":
		pp, err := models.PoolParams(l)
		if err != nil {
			return err
		}
		p.gap[i] = pp.Global && pp.Type == 1
	}
	return nil
}

// layout returns the (cached) plan layout for an h×w input.
func (p *program) layout(h, w, depth int, esize int64) (*layout, error) {
	key := layoutKey{h, w, depth, esize}
	p.mu.Lock()
	if l, ok := p.layouts[key]; ok {
		p.mu.Unlock()
		return l, nil
	}
	p.mu.Unlock()
	l, err := p.buildLayout(h, w, depth, esize)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.layouts) > 64 {
		clear(p.layouts)
	}
	p.layouts[key] = l
	return l, nil
}

// Footprint is the device bytes a pass over an h×w input holds (arena,
// pooling statistics and 16-bit pixel buffers), from the plan;
// engines.TooLarge when a blob exceeds the device's largest allocation or
// storage-buffer binding, 0 when the network cannot run at that size
// (Start says why).
func (p *program) Footprint(h, w int) int64 {
	esize := int64(4)
	if p.e.dev.Storage16 {
		esize = 2
	}
	l, err := p.layout(h, w, 16, esize)
	if errors.Is(err, engines.ErrOutOfMemory) {
		return engines.TooLarge
	}
	if err != nil {
		return 0
	}
	if p.e.dev.bindable(l) != nil {
		return engines.TooLarge
	}
	return l.footprint()
}

// Close frees the program's device memory; passes still open keep theirs
// until they close.
func (p *program) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.dev != nil {
		p.dev.close()
		p.dev = nil
	}
	return nil
}

// Start begins a pass over the RGB tile in.
func (p *program) Start(ctx context.Context, in engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vulkan: start %s: %w", p.info.ID, err)
	}
	if err := checkTile(in); err != nil {
		return nil, fmt.Errorf("vulkan: start %s: %w", p.info.ID, err)
	}
	return p.start(ctx, in, opt)
}
