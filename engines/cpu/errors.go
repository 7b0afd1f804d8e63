package cpu

import (
	"errors"

	"github.com/upscaled/upscaled/models"
)

var (
	// ErrShape: a layer got blobs whose shapes it cannot work with (e.g. a
	// convolution whose input channels differ from its weights, or an output
	// that would be empty). It is models.ErrShape, so shape inference and
	// execution report the same kind.
	ErrShape = models.ErrShape
	// ErrTile: a tile given to Start is malformed (channels, depth, sizes).
	ErrTile = errors.New("invalid tile")
	// ErrPassState: Pass methods called out of order (Supply without a
	// pause, Next while a mean is owed, Output before the end).
	ErrPassState = errors.New("pass used out of order")
)
