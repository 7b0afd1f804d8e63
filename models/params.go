package models

// Params holds a layer's "id=value" parameters, typed as they appear in the
// file: a value with '.', 'e' or 'E' is a float, otherwise an int.
type Params struct {
	ints   map[int]int
	floats map[int]float32
	arrays map[int][]float32 // array values (ints are stored exactly as float32 when ints)
	iarr   map[int][]int
}

// Int returns integer parameter id or def when absent.
func (p Params) Int(id, def int) int {
	if v, ok := p.ints[id]; ok {
		return v
	}
	return def
}

// Float returns float parameter id or def when absent. An int value is accepted
// and converted (NCNN files write e.g. 1=2 for some float params).
func (p Params) Float(id int, def float32) float32 {
	if v, ok := p.floats[id]; ok {
		return v
	}
	if v, ok := p.ints[id]; ok {
		return float32(v)
	}
	return def
}

// Has reports whether id is set (scalar or array).
func (p Params) Has(id int) bool {
	_, a := p.ints[id]
	_, b := p.floats[id]
	_, c := p.arrays[id]
	_, d := p.iarr[id]
	return a || b || c || d
}

// Floats returns array parameter id as floats (nil when absent).
func (p Params) Floats(id int) []float32 {
	if v, ok := p.arrays[id]; ok {
		return v
	}
	if v, ok := p.iarr[id]; ok {
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out
	}
	return nil
}

// Ints returns array parameter id as ints (nil when absent).
func (p Params) Ints(id int) []int {
	if v, ok := p.iarr[id]; ok {
		return v
	}
	if v, ok := p.arrays[id]; ok {
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out
	}
	return nil
}

// SetInt sets integer parameter id (used by the parser and by tests that
// build layers by hand).
func (p *Params) SetInt(id, v int) {
	if p.ints == nil {
		p.ints = map[int]int{}
	}
	p.ints[id] = v
}

// SetFloat sets float parameter id.
func (p *Params) SetFloat(id int, v float32) {
	if p.floats == nil {
		p.floats = map[int]float32{}
	}
	p.floats[id] = v
}

// SetInts sets integer array parameter id.
func (p *Params) SetInts(id int, v []int) {
	if p.iarr == nil {
		p.iarr = map[int][]int{}
	}
	p.iarr[id] = v
}

// SetFloats sets float array parameter id.
func (p *Params) SetFloats(id int, v []float32) {
	if p.arrays == nil {
		p.arrays = map[int][]float32{}
	}
	p.arrays[id] = v
}
