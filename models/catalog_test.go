package models

import (
	"errors"
	"strings"
	"testing"
)

// TestResolve: every family refuses a scale/denoise pair it has no model
// for, naming the pairs it has; none ignores a parameter.
func TestResolve(t *testing.T) {
	tests := []struct {
		family         Family
		scale, denoise int
		want           string // model id, or "" for a refusal
	}{
		{RealCUGAN, 2, -1, "realcugan-up2x-conservative"},
		{RealCUGAN, 3, 3, "realcugan-up3x-denoise3x"},
		{RealCUGAN, 3, 1, ""},
		{RealESRGAN, 2, 0, "realesrgan-animevideov3-x2"},
		{RealESRGAN, 4, 0, "realesrgan-animevideov3-x4"},
		{RealESRGAN, 2, 3, ""},
		{RealESRGAN, 4, -1, ""},
		{RealESRGAN, 1, 0, ""},
	}
	for _, tt := range tests {
		info, err := Resolve(tt.family, tt.scale, tt.denoise)
		if tt.want != "" {
			if err != nil || info.ID != tt.want {
				t.Errorf("Resolve(%s, %d, %d) = %s, %v; want %s", tt.family, tt.scale, tt.denoise, info.ID, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, ErrUnknownModel) {
			t.Errorf("Resolve(%s, %d, %d) = %s, %v; want ErrUnknownModel", tt.family, tt.scale, tt.denoise, info.ID, err)
			continue
		}
		if !strings.Contains(err.Error(), "scale 2 with denoise") {
			t.Errorf("refusal %q does not name the pairs that exist", err)
		}
	}
}
