package models

import "errors"

var (
	// ErrUnknownModel: the id is not in the catalog.
	ErrUnknownModel = errors.New("unknown model")
	// ErrNotInstalled: the model's files are not in the models directory.
	ErrNotInstalled = errors.New("model not installed")
	// ErrChecksum: a file's SHA-256 differs from the pinned one.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrFormat: a .param or .bin file is malformed.
	ErrFormat = errors.New("malformed model file")
	// ErrUnsupported: the model uses a feature this engine cannot run (e.g. int8 weights).
	ErrUnsupported = errors.New("unsupported model feature")
	// ErrFetch: model files could not be obtained (npm missing, download failed,
	// file absent from the package).
	ErrFetch = errors.New("model fetch failed")
)
