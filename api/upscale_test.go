package api

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/internal/testing/testpipe"
)

// tinyPNG is a w×h RGB gradient.
func tinyPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.NRGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUpscaleOK(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	img := tinyPNG(t, 16, 12)
	tests := []struct {
		name        string
		raw         bool
		fields      []string
		contentType string
		wantName    string
		wantModel   string
		wantScale   int
	}{
		{"default webp", false, nil, "image/webp", "page.webp", "realcugan-up2x-conservative", 2},
		{"multipart png", false, []string{"format", "png"}, "image/png", "page.png", "realcugan-up2x-conservative", 2},
		{"multipart jpeg via preset", false, []string{"format", "jpeg", "preset", "h", "quality", "80"}, "image/jpeg", "page.jpg", "realcugan-up2x-denoise3x", 2},
		{"raw body with query", true, []string{"format", "png", "scale", "2", "denoise", "0"}, "image/png", "image.png", "realcugan-up2x-no-denoise", 2},
		{"same format", false, []string{"format", "same", "family", "realesrgan"}, "image/png", "page.png", "realesrgan-animevideov3-x2", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			if tt.raw {
				q := make([]string, 0, len(tt.fields)/2)
				for i := 0; i+1 < len(tt.fields); i += 2 {
					q = append(q, tt.fields[i]+"="+tt.fields[i+1])
				}
				var err error
				resp, err = http.Post(ts.URL+"/v1/upscale?"+strings.Join(q, "&"), "image/png", bytes.NewReader(img))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
			} else {
				resp = postImage(t, ts.URL, "../dir/page.PNG", img, tt.fields...)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			h := resp.Header
			if got := h.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := h.Get("Content-Disposition"); !strings.Contains(got, `filename="`+tt.wantName+`"`) || !strings.Contains(got, "filename*=UTF-8''"+tt.wantName) {
				t.Errorf("Content-Disposition %q, want filename %q", got, tt.wantName)
			}
			if got := h.Get("X-Upscaled-Model"); got != tt.wantModel {
				t.Errorf("X-Upscaled-Model %q, want %q", got, tt.wantModel)
			}
			wantSize := fmt.Sprintf("%dx%d", 16*tt.wantScale, 12*tt.wantScale)
			if got := h.Get("X-Upscaled-Output-Size"); got != wantSize {
				t.Errorf("X-Upscaled-Output-Size %q, want %q", got, wantSize)
			}
			for _, k := range []string{"X-Upscaled-Processing-Ms", "X-Upscaled-Queue-Ms", "X-Request-Id"} {
				if h.Get(k) == "" {
					t.Errorf("missing header %s", k)
				}
			}
			if st := h.Get("Server-Timing"); !regexp.MustCompile(`^queue;dur=[0-9.]+, decode;dur=[0-9.]+, engine;dur=[0-9.]+, encode;dur=[0-9.]+$`).MatchString(st) {
				t.Errorf("Server-Timing %q, want the queue, decode, engine and encode stages", st)
			}
			if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers: Cache-Control %q, X-Content-Type-Options %q", h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
			}
			m := decodeAny(t, body)
			if b := m.Bounds(); fmt.Sprintf("%dx%d", b.Dx(), b.Dy()) != wantSize {
				t.Errorf("decoded result is %dx%d, want %s", b.Dx(), b.Dy(), wantSize)
			}
		})
	}
}

// TestUpscaleMatchesReference checks the served image against the reference
// tool's output for the same input and model.
func TestUpscaleMatchesReference(t *testing.T) {
	s, ts := newTestServer(t, testOpts{})
	const model = "realcugan-up2x-conservative"
	resp := postImage(t, ts.URL, "small.png", readTestImage(t, "small-color-48x48.png"), "format", "png", "model", model)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	ref, err := os.ReadFile(testenv.Golden(t, "small-color-48x48.png", model))
	if err != nil {
		t.Fatal(err)
	}
	if p := testpipe.PSNR(t, decodePNG(t, body), decodePNG(t, ref)); p < 40 {
		t.Fatalf("PSNR %.1f dB against the reference, want ≥ 40", p)
	}
	assertSpoolEmpty(t, s)
}

func assertSpoolEmpty(t *testing.T, s *Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		entries, err := os.ReadDir(s.cfg.SpoolDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spool directory holds %d files after the request", len(entries))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClientDisconnectReleases cancels a request while it is processing:
// the reservation and the spool files must be released.
func TestClientDisconnectReleases(t *testing.T) {
	b := budget.New(2<<30, 4, 10*time.Second)
	s, ts := newTestServer(t, testOpts{budget: b})
	body, ct := multipartBody(t, "page.png", readTestImage(t, "mid-gray-256x256.png"), "format", "png")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/v1/upscale", body)
	req.Header.Set("Content-Type", ct)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("request finished with %d before it was canceled", resp.StatusCode)
		}
		done <- err
	}()
	waitUntil(t, 30*time.Second, "the request to reserve memory", func() bool { return b.Reserved() > 0 })
	cancel()
	<-done
	waitUntil(t, 30*time.Second, "the reservation to be released", func() bool { return b.Reserved() == 0 })
	assertSpoolEmpty(t, s)
}

// TestRequestDeadline: work past Config.RequestTimeout ends with 503.
func TestRequestDeadline(t *testing.T) {
	_, ts := newTestServer(t, testOpts{cfg: Config{RequestTimeout: 300 * time.Millisecond}})
	resp := postImage(t, ts.URL, "page.png", readTestImage(t, "mid-gray-256x256.png"), "format", "png")
	p := problemOf(t, resp, http.StatusServiceUnavailable)
	if !strings.HasSuffix(p.Type, ":timeout") || !strings.Contains(p.Detail, "UPSCALED_REQUEST_TIMEOUT") {
		t.Fatalf("problem %+v, want type timeout", p)
	}
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
