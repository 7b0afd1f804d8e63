package main

import (
	"fmt"
	"strings"

	"github.com/upscaled/upscaled/imaging"
)

// The lossy WebP encoder of the process (imaging.SetWebPCodec): a setting
// of serve, upscale and bench.
const (
	webpEncoderEnv  = "UPSCALED_WEBP_ENCODER"
	webpEncoderHelp = "lossy WebP encoder: auto (the project's parallel VP8 encoder, one picture on every core, for pictures without alpha at the default effort " +
		"when there are 3+ cores; else libwebp), libwebp (single-threaded: less CPU time a page when the cores are the bottleneck), or parallel"
)

// webpEncoderFlag adds --webp-encoder to a command that encodes images;
// the flag, else UPSCALED_WEBP_ENCODER, applies to the whole process.
func webpEncoderFlag(f *flagSet) {
	set := func(v string) error {
		c, err := imaging.ParseWebPCodec(strings.TrimSpace(v))
		if err == nil {
			imaging.SetWebPCodec(c)
		}
		return err
	}
	if v := f.fromEnv(webpEncoderEnv, ""); v != "" {
		if err := set(v); err != nil && f.envErr == nil {
			f.envErr = fmt.Errorf("%s=%s: %w", webpEncoderEnv, v, err)
		}
	}
	f.Func("webp-encoder", "auto|libwebp|parallel", webpEncoderEnv, "auto", webpEncoderHelp, set)
}
