package models

import "sort"

// kind is what this package knows of one NCNN layer type: how many blobs
// it takes and gives, its parameter checks, its output shapes and its data
// in the .bin file. Adding a layer type is one entry here; the engines then
// add its execution.
type kind struct {
	// inputs and outputs are the blob counts; -1 means one or more.
	inputs, outputs int
	// validate checks the parameters that do not depend on the input size
	// (nil: none).
	validate func(l *Layer) error
	// shape gives the output shapes from the input shapes (input is the
	// network's input).
	shape func(l *Layer, in []Shape, input Shape) ([]Shape, error)
	// weights is the layer's data in the .bin file (nil: none).
	weights func(p *Params) (WeightLayout, error)
}

var kinds = map[string]kind{
	"Input":         {inputs: 0, outputs: 1, shape: inputShape},
	"Split":         {inputs: 1, outputs: -1, shape: splitShape},
	"Convolution":   {inputs: 1, outputs: 1, validate: validateConv, shape: convLayerShape, weights: convWeights},
	"Deconvolution": {inputs: 1, outputs: 1, validate: validateConv, shape: convLayerShape, weights: convWeights},
	"Concat":        {inputs: -1, outputs: 1, shape: concatShape},
	"Crop":          {inputs: -1, outputs: 1, validate: validateCrop, shape: cropLayerShape},
	"Pooling":       {inputs: 1, outputs: 1, validate: validatePooling, shape: poolLayerShape},
	"InnerProduct":  {inputs: 1, outputs: 1, validate: validateInnerProduct, shape: innerProductShape, weights: innerProductWeights},
	"BinaryOp":      {inputs: -1, outputs: 1, validate: validateBinaryOp, shape: binaryOpShape},
	"Eltwise":       {inputs: -1, outputs: 1, validate: validateEltwise, shape: eltwiseShape},
	"PReLU":         {inputs: 1, outputs: 1, validate: validatePReLU, shape: preluShape, weights: preluWeights},
	"PixelShuffle":  {inputs: 1, outputs: 1, validate: validatePixelShuffle, shape: pixelShuffleShape},
	"Interp":        {inputs: 1, outputs: 1, validate: validateInterp, shape: interpLayerShape},
	"Scale":         {inputs: -1, outputs: 1, validate: validateScale, shape: scaleShape, weights: scaleWeights},
}

// LayerTypes are the NCNN layer types this package models, sorted: every
// engine executes each of them.
func LayerTypes() []string {
	out := make([]string, 0, len(kinds))
	for t := range kinds {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func kindOf(l *Layer) (kind, error) {
	k, ok := kinds[l.Type]
	if !ok {
		return kind{}, unsupported("layer type %q is not supported", l.Type)
	}
	return k, nil
}

// WeightLayout is a layer's data in the .bin file: Weight values (after a
// storage tag when Tagged: fp16 or fp32), then Bias values (raw fp32).
// Loaded, they are Layer.Weight and Layer.Bias as fp32.
type WeightLayout struct {
	Weight, Bias int // values
	Tagged       bool
	// WeightName and BiasName name the tensors in errors.
	WeightName, BiasName string
}

// WeightsOf is the layout of l's data in the .bin file (zero for a layer
// with none). A form this package cannot read (int8) is ErrUnsupported.
func WeightsOf(l *Layer) (WeightLayout, error) {
	k, err := kindOf(l)
	if err != nil || k.weights == nil {
		return WeightLayout{}, err
	}
	return k.weights(&l.Params)
}
