// Package models owns the model catalog (ids, files, checksums, family
// parameters), fetching and verifying model files, and the NCNN model format:
// the .param/.bin parsers and the validated graph with shape inference.
//
// It must not import any other package of this module, nor net/http.
package models
