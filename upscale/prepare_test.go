package upscale

import (
	"errors"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
)

func TestPrepare(t *testing.T) {
	png := imaging.Header{Format: imaging.PNG, Width: 300, Height: 200, Channels: 3, Depth: 8, Orientation: 1, Frames: 1}
	rotated := png
	rotated.Format, rotated.Orientation = imaging.JPEG, 6
	gif := png
	gif.Format = imaging.GIF
	anim := gif
	anim.Frames = 3
	p := newTestPipeline(t, Config{MaxInputPixels: 100_000, MaxOutputPixels: 400_000})
	tests := []struct {
		name    string
		h       imaging.Header
		o       Options
		wantErr error
		errText string
		model   string
		format  imaging.Format
		ow, oh  int
	}{
		{name: "defaults", h: png, model: models.DefaultModel, format: imaging.WebP, ow: 600, oh: 400},
		{name: "same keeps PNG", h: png, o: Options{Format: "same"}, model: models.DefaultModel, format: imaging.PNG, ow: 600, oh: 400},
		{name: "same turns GIF into PNG", h: gif, o: Options{Format: "same"}, model: models.DefaultModel, format: imaging.PNG, ow: 600, oh: 400},
		{name: "orientation swaps the output", h: rotated, o: Options{Format: "jpg"}, model: models.DefaultModel, format: imaging.JPEG, ow: 400, oh: 600},
		{name: "unknown model", h: png, o: Options{Model: "nope"}, wantErr: models.ErrUnknownModel},
		{name: "input too large", h: imaging.Header{Format: imaging.PNG, Width: 400, Height: 300, Channels: 3, Depth: 8}, wantErr: ErrInputTooLarge, errText: "120000 pixels, the limit is 100000"},
		{name: "output too large", h: png, o: Options{Model: "realesrgan-animevideov3-x3"}, wantErr: ErrOutputTooLarge, errText: "the limit is 400000"},
		{name: "bad format", h: png, o: Options{Format: "tiff"}, wantErr: ErrBadOptions, errText: `"tiff"`},
		{name: "bad quality", h: png, o: Options{Quality: 101}, wantErr: ErrBadOptions, errText: "quality 101"},
		{name: "negative tile", h: png, o: Options{Tile: -1}, wantErr: ErrBadOptions},
		{name: "animated", h: anim, wantErr: imaging.ErrAnimated},
		{name: "empty image", h: imaging.Header{Format: imaging.PNG}, wantErr: imaging.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := p.Prepare(tt.h, tt.o)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err %v, want %v mentioning %q", err, tt.wantErr, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pl.Model.ID != tt.model || pl.Format != tt.format || pl.OutWidth != tt.ow || pl.OutHeight != tt.oh {
				t.Fatalf("plan %s %s %dx%d, want %s %s %dx%d", pl.Model.ID, pl.Format, pl.OutWidth, pl.OutHeight, tt.model, tt.format, tt.ow, tt.oh)
			}
			if pl.HostBytes <= 0 || p.Estimate(tt.h, tt.o) != pl.HostBytes {
				t.Fatalf("HostBytes %d, Estimate %d", pl.HostBytes, p.Estimate(tt.h, tt.o))
			}
		})
	}
}

func TestPrepareNotInstalled(t *testing.T) {
	p := New(Config{}, newTestPipeline(t, Config{}).Engine(), t.TempDir())
	_, err := p.Prepare(imaging.Header{Format: imaging.PNG, Width: 10, Height: 10, Channels: 3, Depth: 8}, Options{})
	if !errors.Is(err, models.ErrNotInstalled) || !strings.Contains(err.Error(), "models fetch") {
		t.Fatalf("err %v, want ErrNotInstalled naming the fetch command", err)
	}
}

func TestOutputKind(t *testing.T) {
	tests := []struct {
		name   string
		f      imaging.Format
		depth  int
		ow, oh int
		want   imaging.Format
		wantD  int
		note   string
	}{
		{"webp fits", imaging.WebP, 8, 16383, 100, imaging.WebP, 8, ""},
		{"webp too wide falls back to PNG", imaging.WebP, 8, 16384, 100, imaging.PNG, 8, "WebP cannot exceed 16383 px"},
		{"webp too tall, 16-bit input keeps 16 bits in PNG", imaging.WebP, 16, 100, 20000, imaging.PNG, 16, "PNG written"},
		{"16-bit to JPEG", imaging.JPEG, 16, 10, 10, imaging.JPEG, 8, "8 bits"},
		{"16-bit PNG", imaging.PNG, 16, 10, 10, imaging.PNG, 16, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, d, notes := outputKind(tt.f, &imaging.Image{Depth: tt.depth}, tt.ow, tt.oh)
			if f != tt.want || d != tt.wantD {
				t.Fatalf("got %s/%d, want %s/%d", f, d, tt.want, tt.wantD)
			}
			joined := strings.Join(notes, "\n")
			if (tt.note == "") != (joined == "") || !strings.Contains(joined, tt.note) {
				t.Fatalf("notes %q, want one mentioning %q", notes, tt.note)
			}
		})
	}
}
