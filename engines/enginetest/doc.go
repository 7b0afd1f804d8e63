// Package enginetest is the conformance suite every engines.Engine must
// pass: each layer type on random tensors of several shapes against the Go
// reference executor (engines/cpu), the pass protocol (pauses at global
// average pooling, regions, supplied means), and every catalog model on the
// small test images against the executor and the reference tools' golden
// outputs.
//
// It is imported by engine tests only; it may import engines, engines/cpu,
// models and internal/testing/testenv.
package enginetest
