package models

// Net is a parsed NCNN network: layers in file (topological) order and the
// blobs that connect them. Immutable after Load; safe for concurrent readers.
type Net struct {
	// Name is the .param file name, for error messages.
	Name   string
	Layers []Layer
	// Blobs are the blob names; Layer.Inputs/Outputs index into it.
	Blobs []string
	// Producer[b] is the index of the layer that writes blob b.
	Producer []int
	// Consumers[b] are the indices of the layers that read blob b.
	Consumers [][]int
}

// Layer is one NCNN layer with its typed parameters and weights (fp32).
type Layer struct {
	Type    string
	Name    string
	Inputs  []int
	Outputs []int
	Params  Params
	// Line is the 1-based line in the .param file.
	Line int
	// Weights of Convolution/Deconvolution/InnerProduct ([out][in][kh][kw] or
	// [out][in]), PReLU slopes, Scale factors.
	Weight []float32
	// Bias of Convolution/Deconvolution/InnerProduct, Scale bias.
	Bias []float32
}

// Shape is a blob shape: C×H×W for images; a 1-D blob of length n has
// Dims 1, W n, H and C 1.
type Shape struct {
	Dims    int
	C, H, W int
}

// Size is the number of elements.
func (s Shape) Size() int { return s.C * s.H * s.W }
