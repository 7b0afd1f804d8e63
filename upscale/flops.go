package upscale

import "github.com/upscaled/upscaled/tiling"

// flops is the convolution arithmetic (2 × multiply-adds) of the model over
// the image as one untiled pass, and of the tile plan the run will use,
// every tile (under every TTA transform) once: executed arithmetic above
// tiles shows recomputation, tiles above model shows the tiles' overlap.
func (p *Pipeline) flops(prog *program, pl Plan) (model, tiles float64) {
	w, h := pl.Input.OrientedSize()
	whole, err := tiling.NewPlan(w, h, 0, 0, prog.geom)
	if err != nil {
		return 0, 0
	}
	tp, err := p.tilePlan(prog, w, h, pl.Options.Tile)
	if err != nil {
		return 0, 0
	}
	bySize := map[[2]int]float64{}
	of := func(t tiling.Tile) float64 {
		k := [2]int{t.Padded.Dy(), t.Padded.Dx()}
		f, ok := bySize[k]
		if !ok {
			f, _ = prog.net.ConvFLOPs(k[0], k[1])
			bySize[k] = f
		}
		return f
	}
	model = of(whole.Tiles[0])
	for _, t := range tp.Tiles {
		tiles += of(t)
	}
	if pl.Options.TTA {
		model, tiles = 8*model, 8*tiles
	}
	return model, tiles
}
