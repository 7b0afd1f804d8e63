package cpu

import "errors"

// ErrShape: a layer got blobs whose shapes it cannot work with (e.g. a
// convolution whose input channels differ from its weights, or an output
// that would be empty).
var ErrShape = errors.New("blob shape mismatch")
