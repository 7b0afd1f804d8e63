package vulkan

import (
	"os"

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
// convolution (its 32×16 input patch fills the shared memory), else 16.
func coopTileH(mode int) int {
	if mode == coopConv2x2S2 {
		return 8
	}
	return coopTile
}

// coopRPS is the tile rows each subgroup computes (spec constant RPS): 2 or
// 4 (half the subgroups, twice the reuse of each weight fragment, twice the
// accumulators). UPSCALED_VK_COOP_RPS overrides it (measurements).
var coopRPS = func() int {
	if v := os.Getenv("UPSCALED_VK_COOP_RPS"); v == "2" || v == "4" {
		return int(v[0] - '0')
	}
	return 2
}()

// coopKHR (UPSCALED_VK_COOP_KHR=1) runs the kernel through
// VK_KHR_cooperative_matrix (conv3x3_coopmat_khr) instead of the NV
// extension; for measurements on devices that have both: the device still
// qualifies by its NV 16×16×16 fp16 shape (CoopMatrixUsable).
var coopKHR = os.Getenv("UPSCALED_VK_COOP_KHR") == "1"

// coopShader is the kernel's shader.
func coopShader() string {
	if coopKHR {
		return "conv3x3_coopmat_khr"
	}
	return "conv3x3_coopmat"
}

// coopSpec is the kernel's specialization: activation, its parameters, NB,
// RPS, the workgroup size (32 per subgroup, a subgroup per RPS rows) and
// the mode.
func coopSpec(act int, a, b float32, nb, mode int) []uint32 {
	return []uint32{uint32(act), f32bits(a), f32bits(b), uint32(nb), uint32(coopRPS),
		uint32(32 * coopTileH(mode) / coopRPS), uint32(mode)}
}

// coopNB is the number of 16-channel output blocks a workgroup computes for
// outC output channels (spec constant NB, 1..4): narrow layers take fewer
// blocks instead of multiplying zero weights.
func coopNB(outC int) int { return min(4, (outC+15)/16) }

// coopStrided runs 2×2 stride-2 convolutions and deconvolutions on the
// kernel too (modes 1 and 2); UPSCALED_VK_COOP_STRIDED=0 keeps them on the
// plain kernels. The conformance suite passed with them on the H200 (every
// carried model); Real-CUGAN pages run 1.3× faster.
var coopStrided = os.Getenv("UPSCALED_VK_COOP_STRIDED") != "0"

// coopEligible: a 3×3 stride-1 undilated convolution (the tiled kernel and
// the cooperative-matrix kernel's mode 0).
func coopEligible(c models.Conv) bool {
	return c.KernelW == 3 && c.KernelH == 3 && c.StrideW == 1 && c.StrideH == 1 && c.DilationW == 1 && c.DilationH == 1
}

// coopStridedEligible: a 2×2 stride-2 undilated layer (modes 1 and 2).
func coopStridedEligible(c models.Conv) bool {
	return coopStrided && c.KernelW == 2 && c.KernelH == 2 && c.StrideW == 2 && c.StrideH == 2 && c.DilationW == 1 && c.DilationH == 1
}

// prepareCoop adds layer i's weights in the kernel's layout when the kernel
// takes the layer: a third part after the plain kernels' weights and bias.
func (p *program) prepareCoop(i int, c models.Conv) error {
	l := &p.net.Layers[i]
	switch {
	case l.Type == "Convolution" && coopEligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoop(l.Weight, c.NumOutput, c.NumInput, 9, coopNB(c.NumOutput)), true))
	case l.Type == "Convolution" && coopStridedEligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoop(l.Weight, c.NumOutput, c.NumInput, 4, coopNB(c.NumOutput)), true))
	case l.Type == "Deconvolution" && coopStridedEligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoopDeconv(l.Weight, c.NumOutput, c.NumInput), true))
	case l.Type == "Deconvolution" && coopDeconv4Eligible(c):
		p.layerParts[i] = append(p.layerParts[i], p.addPart(arrangeCoop(arrangeCoopDeconv4(l.Weight, c.NumOutput, c.NumInput), 16, c.NumInput, 9, 1), true))
	}
	return nil
}

// coopDeconv4 runs 4×4 stride-2 deconvolutions to at most 4 channels on
// the kernel's mode 3; UPSCALED_VK_COOP_DECONV4=0 keeps them on the plain
// kernel (checked on the H200 as coopStrided).
var coopDeconv4 = os.Getenv("UPSCALED_VK_COOP_DECONV4") != "0"

// coopDeconv4Eligible: a 4×4 stride-2 undilated deconvolution to at most 4
// channels with symmetric cuts (mode 3).
func coopDeconv4Eligible(c models.Conv) bool {
	return coopDeconv4 && c.KernelW == 4 && c.KernelH == 4 && c.StrideW == 2 && c.StrideH == 2 &&
		c.DilationW == 1 && c.DilationH == 1 && c.NumOutput <= 4
}
