package cache

import (
	"errors"
	"fmt"
)

// Config holds the cache's settings. cmd fills it from UPSCALED_CACHE*.
type Config struct {
	// MaxBytes bounds the entries of a local store together, in bytes
	// (UPSCALED_CACHE_MAX_BYTES); the least recently used go first. An
	// entry larger than this is not kept. Not used on S3.
	MaxBytes int64
	// Engine is the engine kind ("cpu", "vulkan"): part of the key, since
	// engines may differ in the last bit of a pixel.
	Engine string
	// SpoolDir holds entries read from a remote store while they are
	// checked, before they are served.
	SpoolDir string
}

// DefaultMaxBytes is MaxBytes' default: 2 GiB.
const DefaultMaxBytes = 2 << 30

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{MaxBytes: DefaultMaxBytes}
}

// Validate reports every invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.MaxBytes < 1 {
		errs = append(errs, fmt.Errorf("UPSCALED_CACHE_MAX_BYTES: %d: must be at least 1 byte (UPSCALED_CACHE=0 turns the cache off)", c.MaxBytes))
	}
	if c.Engine == "" {
		errs = append(errs, errors.New("cache: the engine kind must be set"))
	}
	return errors.Join(errs...)
}
