package upscale

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/upscaled/upscaled/imaging"
)

// TestPlanReadsTheHeader: Plan on a file gives the plan Prepare gives for
// the file's header, and leaves the file where it was.
func TestPlanReadsTheHeader(t *testing.T) {
	p := newTestPipeline(t, Config{})
	in := cropPNG(t, "page-color-1000x1400.jpg", 0, 0, 48, 40)
	path := filepath.Join(t.TempDir(), "page.png")
	if err := os.WriteFile(path, in, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o := Options{Model: "realesrgan-animevideov3-x2", Format: "same"}
	got, err := p.Plan(f, o)
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := f.Seek(0, io.SeekCurrent); at != 0 {
		t.Fatalf("Plan left the file at %d, want 0", at)
	}
	h, err := imaging.DecodeConfig(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Prepare(h, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Plan %+v\nPrepare %+v", got, want)
	}
	if got.Format != imaging.PNG || got.OutWidth != 96 || got.OutHeight != 80 || got.HostBytes <= 0 {
		t.Fatalf("plan %s %dx%d, %d bytes; want png 96x80 and an estimate", got.Format, got.OutWidth, got.OutHeight, got.HostBytes)
	}
}

func TestPlanRefuses(t *testing.T) {
	p := newTestPipeline(t, Config{MaxInputPixels: 1000})
	small := cropPNG(t, "page-color-1000x1400.jpg", 0, 0, 20, 20)
	big := cropPNG(t, "page-color-1000x1400.jpg", 0, 0, 40, 40)
	tests := []struct {
		name string
		in   []byte
		o    Options
		want error
	}{
		{"empty", nil, Options{}, imaging.ErrUnsupported},
		{"not an image", []byte("hello, not an image"), Options{}, imaging.ErrUnsupported},
		{"truncated header", small[:20], Options{}, imaging.ErrCorrupt},
		{"over the input limit", big, Options{}, ErrInputTooLarge},
		{"bad format", small, Options{Format: "gif"}, ErrBadOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Plan(bytes.NewReader(tt.in), tt.o); !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
}

// TestRunReserves: Run asks the reserver for the plan's bytes, holds them
// until the result is written, reports the wait, and writes what Process
// writes.
func TestRunReserves(t *testing.T) {
	p := newTestPipeline(t, Config{})
	in := cropPNG(t, "page-color-1000x1400.jpg", 0, 0, 40, 32)
	plan, err := p.Plan(bytes.NewReader(in), Options{Model: "realesrgan-animevideov3-x2", Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var asked int64
	released := 0
	wait := 20 * time.Millisecond
	mem := ReserverFunc(func(ctx context.Context, bytes int64) (func(), error) {
		asked = bytes
		if out.Len() != 0 {
			t.Error("output written before the memory was reserved")
		}
		time.Sleep(wait)
		return func() {
			released++
			if out.Len() == 0 {
				t.Error("memory released before the result was written")
			}
		}, nil
	})
	res, err := p.Run(context.Background(), plan, bytes.NewReader(in), &out, mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	if asked != plan.HostBytes || released != 1 {
		t.Fatalf("reserved %d bytes, released %d times; want %d once", asked, released, plan.HostBytes)
	}
	if res.Stages.Queue < wait {
		t.Errorf("Stages.Queue %s, want at least the reserver's %s", res.Stages.Queue, wait)
	}
	var direct bytes.Buffer
	if _, err := p.Process(context.Background(), bytes.NewReader(in), plan, &direct, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), direct.Bytes()) {
		t.Fatal("Run and Process wrote different files")
	}
}

// TestRunRefused: a refusal is a *ReserveError with the reserver's message,
// and nothing is decoded or written.
func TestRunRefused(t *testing.T) {
	p := newTestPipeline(t, Config{})
	in := cropPNG(t, "page-color-1000x1400.jpg", 0, 0, 40, 32)
	plan, err := p.Plan(bytes.NewReader(in), Options{Model: "realesrgan-animevideov3-x2", Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	full := errors.New("no memory left")
	mem := ReserverFunc(func(context.Context, int64) (func(), error) { return nil, full })
	src := bytes.NewReader(in)
	var out bytes.Buffer
	_, err = p.Run(context.Background(), plan, src, &out, mem, nil)
	var re *ReserveError
	if !errors.As(err, &re) || !errors.Is(err, full) || err.Error() != full.Error() || re.Bytes != plan.HostBytes {
		t.Fatalf("err %v (%T), want a ReserveError of %d bytes saying %q", err, err, plan.HostBytes, full)
	}
	if out.Len() != 0 || src.Len() != len(in) {
		t.Fatalf("refused run wrote %d bytes and read %d", out.Len(), len(in)-src.Len())
	}
}
