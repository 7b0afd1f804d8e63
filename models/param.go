package models

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Limits on what a .param file may declare, so a hostile file cannot make the
// parser allocate without bound.
const (
	paramMagic = 7767517
	// MaxLayers is the most layers a .param file may declare.
	MaxLayers = 100000
	// MaxBlobs is the most blobs a .param file may declare.
	MaxBlobs = 200000
	// maxLayerIO is the most inputs or outputs one layer may list.
	maxLayerIO = 4096
	// maxParamID is the highest parameter id (NCNN keeps 32 slots).
	maxParamID = 31
	// arrayKeyBase: a key k <= -arrayKeyBase is the old array form of id -k-arrayKeyBase.
	arrayKeyBase = 23300
	// maxLineBytes is the longest line accepted.
	maxLineBytes = 1 << 20
)

// ParseParam parses an NCNN .param text file into a Net without weights.
// name is the file name used in error messages. The graph is checked: every
// blob is produced by exactly one layer, before any layer reads it.
// Errors wrap ErrFormat (or ErrUnsupported for string values) and name the
// file, line and layer.
func ParseParam(r io.Reader, name string) (*Net, error) {
	p := paramParser{name: name, sc: bufio.NewScanner(r), blobIndex: map[string]int{}}
	p.sc.Buffer(make([]byte, 0, 64*1024), maxLineBytes)
	n, err := p.parse()
	if err != nil {
		return nil, err
	}
	if err := n.checkGraph(); err != nil {
		return nil, err
	}
	return n, nil
}

type paramParser struct {
	name      string
	sc        *bufio.Scanner
	line      int
	blobIndex map[string]int
	net       Net
}

func (p *paramParser) errf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: %w", p.name, p.line, fmt.Sprintf(format, args...), ErrFormat)
}

// next returns the fields of the next non-blank line.
func (p *paramParser) next() ([]string, error) {
	for p.sc.Scan() {
		p.line++
		if f := strings.Fields(p.sc.Text()); len(f) > 0 {
			return f, nil
		}
	}
	if err := p.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes: %w", p.name, p.line+1, maxLineBytes, ErrFormat)
		}
		return nil, fmt.Errorf("%s:%d: read: %w", p.name, p.line, err)
	}
	return nil, io.EOF
}

func (p *paramParser) parse() (*Net, error) {
	f, err := p.next()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file, want magic %d: %w", p.name, paramMagic, ErrFormat)
	} else if err != nil {
		return nil, err
	}
	if len(f) != 1 || f[0] != strconv.Itoa(paramMagic) {
		return nil, p.errf("bad magic %q, want %d", strings.Join(f, " "), paramMagic)
	}
	f, err = p.next()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: missing layer and blob counts after magic: %w", p.name, ErrFormat)
	} else if err != nil {
		return nil, err
	}
	if len(f) != 2 {
		return nil, p.errf("want \"layer_count blob_count\", got %q", strings.Join(f, " "))
	}
	layerCount, err1 := strconv.Atoi(f[0])
	blobCount, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return nil, p.errf("bad counts %q", strings.Join(f, " "))
	}
	if layerCount < 1 || layerCount > MaxLayers {
		return nil, p.errf("layer count %d out of range 1..%d", layerCount, MaxLayers)
	}
	if blobCount < 1 || blobCount > MaxBlobs {
		return nil, p.errf("blob count %d out of range 1..%d", blobCount, MaxBlobs)
	}
	p.net = Net{Name: p.name, Layers: make([]Layer, 0, min(layerCount, 4096))}
	for i := 0; i < layerCount; i++ {
		f, err := p.next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: file ends after %d of %d layers: %w", p.name, i, layerCount, ErrFormat)
		} else if err != nil {
			return nil, err
		}
		l, err := p.layer(f, blobCount)
		if err != nil {
			return nil, err
		}
		p.net.Layers = append(p.net.Layers, l)
	}
	if f, err := p.next(); err == nil {
		return nil, p.errf("extra line %q after the %d declared layers", strings.Join(f, " "), layerCount)
	} else if err != io.EOF {
		return nil, err
	}
	if len(p.net.Blobs) != blobCount {
		return nil, fmt.Errorf("%s: header declares %d blobs, layers name %d: %w", p.name, blobCount, len(p.net.Blobs), ErrFormat)
	}
	return &p.net, nil
}

// layer parses "Type name n_in n_out in… out… key=value…".
func (p *paramParser) layer(f []string, blobCount int) (Layer, error) {
	if len(f) < 4 {
		return Layer{}, p.errf("layer line needs \"Type name n_in n_out\", got %q", strings.Join(f, " "))
	}
	l := Layer{Type: f[0], Name: f[1], Line: p.line}
	nin, err1 := strconv.Atoi(f[2])
	nout, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || nin < 0 || nout < 0 || nin > maxLayerIO || nout > maxLayerIO {
		return Layer{}, p.errf("layer %s: bad blob counts %q %q (each 0..%d)", l.Name, f[2], f[3], maxLayerIO)
	}
	if len(f) < 4+nin+nout {
		return Layer{}, p.errf("layer %s: lists %d blob names, declares %d inputs and %d outputs", l.Name, len(f)-4, nin, nout)
	}
	blob := func(name string) (int, error) {
		if strings.Contains(name, "=") {
			return 0, p.errf("layer %s: blob name %q looks like a parameter: too few blob names", l.Name, name)
		}
		if b, ok := p.blobIndex[name]; ok {
			return b, nil
		}
		if len(p.net.Blobs) >= blobCount {
			return 0, p.errf("layer %s: blob %q exceeds the declared blob count %d", l.Name, name, blobCount)
		}
		b := len(p.net.Blobs)
		p.blobIndex[name] = b
		p.net.Blobs = append(p.net.Blobs, name)
		p.net.Producer = append(p.net.Producer, -1)
		p.net.Consumers = append(p.net.Consumers, nil)
		return b, nil
	}
	layerIdx := len(p.net.Layers)
	for _, name := range f[4 : 4+nin] {
		b, err := blob(name)
		if err != nil {
			return Layer{}, err
		}
		l.Inputs = append(l.Inputs, b)
		if c := p.net.Consumers[b]; len(c) == 0 || c[len(c)-1] != layerIdx {
			p.net.Consumers[b] = append(c, layerIdx)
		}
	}
	for _, name := range f[4+nin : 4+nin+nout] {
		b, err := blob(name)
		if err != nil {
			return Layer{}, err
		}
		if prev := p.net.Producer[b]; prev == layerIdx {
			return Layer{}, p.errf("layer %s: lists output blob %q twice", l.Name, name)
		} else if prev >= 0 {
			return Layer{}, p.errf("layer %s: blob %q is already produced by layer %s (line %d)", l.Name, name, p.net.Layers[prev].Name, p.net.Layers[prev].Line)
		}
		p.net.Producer[b] = layerIdx
		l.Outputs = append(l.Outputs, b)
	}
	seen := map[int]bool{}
	for _, tok := range f[4+nin+nout:] {
		if err := p.param(&l, tok, seen); err != nil {
			return Layer{}, err
		}
	}
	return l, nil
}

// param parses one "key=value" token into l.Params.
func (p *paramParser) param(l *Layer, tok string, seen map[int]bool) error {
	k, v, ok := strings.Cut(tok, "=")
	if !ok {
		return p.errf("layer %s: parameter %q is not key=value", l.Name, tok)
	}
	key, err := strconv.Atoi(k)
	if err != nil {
		return p.errf("layer %s: parameter key %q is not an integer", l.Name, k)
	}
	id, oldArray := key, false
	if key <= -arrayKeyBase {
		id, oldArray = -key-arrayKeyBase, true
	}
	if id < 0 || id > maxParamID {
		return p.errf("layer %s: parameter id %d (key %q) out of range 0..%d", l.Name, id, k, maxParamID)
	}
	if seen[id] {
		return p.errf("layer %s: parameter id %d given twice", l.Name, id)
	}
	seen[id] = true
	vals := strings.Split(v, ",")
	if oldArray {
		n, err := strconv.Atoi(vals[0])
		if err != nil || n < 0 {
			return p.errf("layer %s: array parameter %d: bad element count %q", l.Name, id, vals[0])
		}
		vals = vals[1:]
		if len(vals) == 1 && vals[0] == "" && n == 0 {
			vals = nil
		}
		if n != len(vals) {
			return p.errf("layer %s: array parameter %d declares %d elements, has %d", l.Name, id, n, len(vals))
		}
		return p.array(l, id, vals)
	}
	if len(vals) > 1 {
		return p.array(l, id, vals)
	}
	s, err := p.scalar(l, id, v)
	if err != nil {
		return err
	}
	if s.isFloat {
		l.Params.SetFloat(id, s.f)
	} else {
		l.Params.SetInt(id, s.i)
	}
	return nil
}

func (p *paramParser) array(l *Layer, id int, vals []string) error {
	ints := make([]int, 0, len(vals))
	floats := make([]float32, 0, len(vals))
	anyFloat := false
	for _, v := range vals {
		s, err := p.scalar(l, id, v)
		if err != nil {
			return err
		}
		if s.isFloat {
			anyFloat = true
			floats = append(floats, s.f)
		} else {
			floats = append(floats, float32(s.i))
		}
		ints = append(ints, s.i)
	}
	if anyFloat {
		l.Params.SetFloats(id, floats)
	} else {
		l.Params.SetInts(id, ints)
	}
	return nil
}

type scalar struct {
	isFloat bool
	i       int
	f       float32
}

// scalar types a value token: a float iff it contains '.', 'e' or 'E'; a
// token starting with a letter or '"' is a string, which no supported layer uses.
func (p *paramParser) scalar(l *Layer, id int, v string) (scalar, error) {
	if v == "" {
		return scalar{}, p.errf("layer %s: parameter %d: empty value", l.Name, id)
	}
	if c := v[0]; c == '"' || (c|0x20 >= 'a' && c|0x20 <= 'z') {
		return scalar{}, fmt.Errorf("%s:%d: layer %s: parameter %d: string value %q not supported: %w", p.name, p.line, l.Name, id, v, ErrUnsupported)
	}
	if strings.ContainsAny(v, ".eE") {
		f, err := strconv.ParseFloat(v, 32)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return scalar{}, p.errf("layer %s: parameter %d: bad float %q (finite float32 expected)", l.Name, id, v)
		}
		return scalar{isFloat: true, f: float32(f), i: int(f)}, nil
	}
	i, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return scalar{}, p.errf("layer %s: parameter %d: bad integer %q (32-bit expected)", l.Name, id, v)
	}
	return scalar{i: int(i), f: float32(i)}, nil
}

// checkGraph verifies the file order is a topological order: every blob read
// by a layer is produced by an earlier layer, and every blob has a producer.
func (n *Net) checkGraph() error {
	for li, l := range n.Layers {
		for _, b := range l.Inputs {
			pr := n.Producer[b]
			if pr < 0 {
				return fmt.Errorf("%s:%d: layer %s reads blob %q that no layer produces: %w", n.Name, l.Line, l.Name, n.Blobs[b], ErrFormat)
			}
			if pr >= li {
				return fmt.Errorf("%s:%d: layer %s reads blob %q before layer %s (line %d) produces it: %w", n.Name, l.Line, l.Name, n.Blobs[b], n.Layers[pr].Name, n.Layers[pr].Line, ErrFormat)
			}
		}
	}
	return nil
}

// Find returns the index of the blob named name.
func (n *Net) Find(name string) (int, bool) {
	for i, b := range n.Blobs {
		if b == name {
			return i, true
		}
	}
	return -1, false
}
