package vulkan

import (
	"github.com/upscaled/upscaled/models"
)

// The cooperative-matrix (tensor-core) kernel, conv3x3_coopmat.glsl, and its
// choices. It computes a coopTile-wide tile of coopTileH(mode) rows ×
// coopNB(outC)·16 output channels per workgroup, in one of three modes.
const coopTile = 16

// Modes of the kernel (spec constant MODE).
const (
	coopConv3x3     = 0 // 3×3 stride-1 convolution
	coopDeconv2x2S2 = 1 // 2×2 stride-2 deconvolution (tile = input pixels)
	coopConv2x2S2   = 2 // 2×2 stride-2 convolution
	coopDeconv4x4S2 = 3 // 4×4 stride-2 deconvolution to ≤ 4 channels
)

// coopTileH is the tile height of a mode: 8 rows for the 2×2 stride-2
// convolution (its 32×16 input patch fills the shared memory) and
// deconvolution (its 4 chunks staged at once do), coopConvRows for the 3×3
// convolution, else 16. The shader
// derives it from its workgroup size (coopSpec).
func coopTileH(mode int) int {
	switch mode {
	case coopConv2x2S2:
		return 8 / coopStridedKC
	case coopDeconv2x2S2:
		return 8
	case coopConv3x3:
		return coopConvRows
	}
	return coopTile
}

// coopConvRows is mode 0's tile height, 16 or 8, likewise
// (UPSCALED_VK_TEST_CONV_ROWS).
var coopConvRows = 16

// coopShader is the kernel's shader: conv3x3_coopmat_khr through
// VK_KHR_cooperative_matrix (Config.CoopKHR), else the NV extension's.
func (cfg Config) coopShader() string {
	if cfg.CoopKHR {
		return "conv3x3_coopmat_khr"
	}
	return "conv3x3_coopmat"
}

// coopSpec is the kernel's specialization: activation, its parameters, NB,
// RPS (Config.CoopRPS, the tile rows each subgroup computes), the
// workgroup size (32 per subgroup, a subgroup per RPS rows), the mode and
// the chunks staged at once.
func (cfg Config) coopSpec(act int, a, b float32, nb, mode int) []uint32 {
	return []uint32{uint32(act), f32bits(a), f32bits(b), uint32(nb), uint32(cfg.CoopRPS),
		uint32(32 * coopTileH(mode) / cfg.CoopRPS), uint32(mode), uint32(coopKC(mode))}
}

// coopKC is the 16-channel chunks a mode stages per barrier pair: 4 for
// the deconvolution (a chunk gives each subgroup only RPS·4 MMAs),
// coopStridedKC for the strided convolution, else 1.
func coopKC(mode int) int {
	switch mode {
	case coopDeconv2x2S2:
		return 4
	case coopConv2x2S2:
		return coopStridedKC
	}
	return 1
}

// coopStridedKC is mode 2's chunks per stage, 1 (16×8 tiles) or 2 (16×4
// tiles, whose two stages fit the shared memory); the package's
// benchmarks compare them (UPSCALED_VK_TEST_STRIDED_KC).
var coopStridedKC = 1

// coopNB is the number of 16-channel output blocks a workgroup computes for
// outC output channels (spec constant NB, 1..4): narrow layers take fewer
// blocks instead of multiplying zero weights.
func coopNB(outC int) int { return min(4, (outC+15)/16) }

// coopEligible: a 3×3 stride-1 undilated convolution (the tiled kernel and
// the cooperative-matrix kernel's mode 0).
func coopEligible(c models.Conv) bool {
	return c.KernelW == 3 && c.KernelH == 3 && c.StrideW == 1 && c.StrideH == 1 && c.DilationW == 1 && c.DilationH == 1
}

// coopStridedEligible: a 2×2 stride-2 undilated layer (modes 1 and 2) while
// Config.CoopStrided is on. The conformance suite passed with them on the
// H200 (every carried model); Real-CUGAN pages run 1.3× faster.
func (cfg Config) coopStridedEligible(c models.Conv) bool {
	return cfg.CoopStrided && c.KernelW == 2 && c.KernelH == 2 && c.StrideW == 2 && c.StrideH == 2 && c.DilationW == 1 && c.DilationH == 1
}

// prepareCoop adds layer i's weights in the kernel's layout when the kernel
// takes the layer: a third part after the plain kernels' weights and bias.
func (p *program) prepareCoop(i int, c models.Conv) error {
	l := &p.net.Layers[i]
	cfg := p.e.cfg
	switch {
	case l.Type == "Convolution" && coopEligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoop(l.Weight, c.NumOutput, c.NumInput, 9, coopNB(c.NumOutput)), true))
	case l.Type == "Convolution" && cfg.coopStridedEligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoop(l.Weight, c.NumOutput, c.NumInput, 4, coopNB(c.NumOutput)), true))
	case l.Type == "Deconvolution" && cfg.coopStridedEligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoopDeconv(l.Weight, c.NumOutput, c.NumInput), true))
	case l.Type == "Deconvolution" && cfg.coopDeconv4Eligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoop(arrangeCoopDeconv4(l.Weight, c.NumOutput, c.NumInput), 16, c.NumInput, 9, 1), true))
	}
	return nil
}

// coopDeconv4Eligible: a 4×4 stride-2 undilated deconvolution to at most 4
// channels with symmetric cuts (mode 3) while Config.CoopDeconv4 is on
// (checked on the H200 as the strided modes).
func (cfg Config) coopDeconv4Eligible(c models.Conv) bool {
	return cfg.CoopDeconv4 && c.KernelW == 4 && c.KernelH == 4 && c.StrideW == 2 && c.StrideH == 2 &&
		c.DilationW == 1 && c.DilationH == 1 && c.NumOutput <= 4
}
