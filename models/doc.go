// Package models owns the model catalog (ids, files, checksums, family
// parameters), fetching and verifying model files, and the NCNN model format:
// the .param/.bin parsers and the validated graph with shape inference.
//
// What it knows of each layer type is one entry of the table in kinds.go:
// blob counts, parameter checks, output shapes and the layout of the
// layer's data in the .bin file (WeightsOf). Validate, InferShapes and
// LoadWeights read that table; an engine adds only the execution of a type
// (LayerTypes lists them).
//
// It must not import any other package of this module, nor net/http.
package models
