package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/internal/testing/hostile"
	"github.com/upscaled/upscaled/upscale"
)

func hostileCase(t *testing.T, name string) hostile.Case {
	t.Helper()
	for _, c := range hostile.Cases() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no hostile case %q", name)
	return hostile.Case{}
}

// TestUpscaleRefusals covers each error path of POST /v1/upscale: status,
// problem type and the field or limit the message names.
func TestUpscaleRefusals(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	img := tinyPNG(t, 16, 12)
	tests := []struct {
		name       string
		filename   string
		data       []byte
		fields     []string
		status     int
		wantType   string
		wantField  string
		wantDetail string
	}{
		{"unknown field", "a.png", img, []string{"colour", "red"}, 400, "invalid-request", "colour", `unknown field "colour"`},
		{"model with preset", "a.png", img, []string{"model", "realcugan-up2x-conservative", "preset", "F"}, 400, "invalid-request", "model", "cannot be combined with preset"},
		{"preset with scale", "a.png", img, []string{"preset", "Q", "scale", "2"}, 400, "invalid-request", "preset", "cannot be combined with scale"},
		{"scale out of range", "a.png", img, []string{"scale", "9"}, 400, "invalid-request", "scale", "at most 4"},
		{"denoise out of range", "a.png", img, []string{"denoise", "-2"}, 400, "invalid-request", "denoise", "at least -1"},
		{"quality zero", "a.png", img, []string{"quality", "0"}, 400, "invalid-request", "quality", "at least 1"},
		{"quality not a number", "a.png", img, []string{"quality", "high"}, 400, "invalid-request", "quality", "must be an integer"},
		{"effort over 6", "a.png", img, []string{"effort", "7"}, 400, "invalid-request", "effort", "at most 6, got 7"},
		{"negative effort", "a.png", img, []string{"effort", "-1"}, 400, "invalid-request", "effort", "at least 0"},
		{"effort not a number", "a.png", img, []string{"effort", "max"}, 400, "invalid-request", "effort", "must be an integer"},
		{"bad subsampling", "a.png", img, []string{"subsampling", "411"}, 400, "invalid-request", "subsampling", "420, 422, 444"},
		{"negative tile", "a.png", img, []string{"tile", "-5"}, 400, "invalid-request", "tile", "at least 0"},
		{"bad bool", "a.png", img, []string{"tta", "maybe"}, 400, "invalid-request", "tta", "true or false"},
		{"bad format", "a.png", img, []string{"format", "gif"}, 400, "invalid-request", "format", "webp, png, jpeg, same"},
		{"bad preset", "a.png", img, []string{"preset", "Z"}, 400, "invalid-request", "preset", "F, E, Q, H"},
		{"bad family", "a.png", img, []string{"family", "waifu"}, 400, "invalid-request", "family", "realcugan, realesrgan"},
		{"unknown model", "a.png", img, []string{"model", "realcugan-up9x"}, 400, "unknown-model", "model", "realcugan-up9x"},
		{"realesrgan with denoise", "a.png", img, []string{"family", "realesrgan", "denoise", "3"}, 400, "unknown-model", "scale", "realesrgan has scale 2 with denoise 0"},
		{"no model for scale", "a.png", img, []string{"scale", "1"}, 400, "unknown-model", "scale", "scale 1"},
		{"field twice", "a.png", img, []string{"format", "png", "format", "jpeg"}, 400, "invalid-request", "format", "given 2 times"},
		{"too many fields", "a.png", img, manyFields(40), 400, "invalid-request", "f32", "more than 32 form fields"},
		{"missing image", "", nil, []string{"format", "png"}, 400, "invalid-request", "image", `field "image" is required`},
		{"not an image", "notes.png", []byte("hello, this is not an image\n"), nil, 415, "unsupported-media-type", "", "not a PNG, JPEG, WebP, GIF or BMP"},
		{"empty image", "empty.png", []byte{}, nil, 415, "unsupported-media-type", "", "empty"},
		{"truncated png", "t.png", img[:len(img)/2], nil, 422, "corrupt-image", "", ""},
		{"animated gif", "anim.gif", hostileCase(t, "gif-animated").Data, nil, 415, "animated", "", "frames"},
		{"100000x100000 png header", "bomb.png", hostileCase(t, "png-header-100000x100000").Data, nil, 413, "input-too-large", "", "limit"},
		{"65535x65535 jpeg header", "bomb.jpg", hostileCase(t, "jpeg-header-65535x65535").Data, nil, 413, "input-too-large", "", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := postImage(t, ts.URL, tt.filename, tt.data, tt.fields...)
			p := problemOf(t, resp, tt.status)
			if !strings.HasSuffix(p.Type, ":"+tt.wantType) {
				t.Errorf("type %q, want …:%s", p.Type, tt.wantType)
			}
			if p.Field != tt.wantField {
				t.Errorf("field %q, want %q", p.Field, tt.wantField)
			}
			if !strings.Contains(p.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", p.Detail, tt.wantDetail)
			}
			if p.RequestID == "" || p.RequestID != resp.Header.Get("X-Request-Id") {
				t.Errorf("request_id %q, X-Request-Id %q", p.RequestID, resp.Header.Get("X-Request-Id"))
			}
		})
	}
}

func TestUpscaleContentTypes(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	tests := []struct {
		name, contentType, query string
		body                     []byte
		status                   int
		wantDetail               string
	}{
		{"text body", "text/plain", "", []byte("hello"), 415, "not an image"},
		{"no content type", "", "", []byte("hello"), 415, "multipart/form-data"},
		{"pdf named png", "image/png", "", hostileCase(t, "pdf").Data, 415, "not a PNG"},
		{"raw body unknown query", "image/png", "?size=2", tinyPNG(t, 4, 4), 400, `unknown field "size"`},
		{"multipart without boundary", "multipart/form-data", "", []byte("x"), 400, "boundary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/upscale"+tt.query, bytes.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if p := problemOf(t, resp, tt.status); !strings.Contains(p.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", p.Detail, tt.wantDetail)
			}
		})
	}
}

func TestUploadTooLarge(t *testing.T) {
	s, ts := newTestServer(t, testOpts{cfg: Config{MaxUploadBytes: 1 << 10}})
	big := readTestImage(t, "small-color-48x48.png") // 2.3 KiB
	for _, raw := range []bool{false, true} {
		var resp *http.Response
		if raw {
			var err error
			resp, err = http.Post(ts.URL+"/v1/upscale", "image/png", bytes.NewReader(big))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
		} else {
			resp = postImage(t, ts.URL, "big.png", big)
		}
		p := problemOf(t, resp, http.StatusRequestEntityTooLarge)
		if !strings.Contains(p.Detail, "1 KiB") || !strings.HasSuffix(p.Type, ":upload-too-large") {
			t.Errorf("raw=%v: problem %+v does not name the 1 KiB limit", raw, p)
		}
	}
	assertSpoolEmpty(t, s)
}

func TestOutputTooLarge(t *testing.T) {
	_, ts := newTestServer(t, testOpts{pipeline: upscale.Config{MaxInputPixels: 1 << 20, MaxOutputPixels: 1000}})
	resp := postImage(t, ts.URL, "a.png", tinyPNG(t, 20, 20)) // 40×40 = 1600 output pixels
	p := problemOf(t, resp, http.StatusRequestEntityTooLarge)
	if !strings.HasSuffix(p.Type, ":output-too-large") || !strings.Contains(p.Detail, "1000") {
		t.Fatalf("problem %+v, want output-too-large naming the limit 1000", p)
	}
}

func TestModelNotInstalled(t *testing.T) {
	s, ts := newTestServer(t, testOpts{})
	s.up = upscale.New(defaultPipelineConfig(), cpuEngine, t.TempDir())
	p := problemOf(t, postImage(t, ts.URL, "a.png", tinyPNG(t, 8, 8), "format", "png"), http.StatusUnprocessableEntity)
	if !strings.HasSuffix(p.Type, ":model-not-installed") || !strings.Contains(p.Detail, "realcugan-up2x-conservative") {
		t.Fatalf("problem %+v", p)
	}
}

// TestOverBudget: a request larger than the whole memory budget gets 413
// saying the largest input that would fit.
func TestOverBudget(t *testing.T) {
	_, ts := newTestServer(t, testOpts{budget: budget.New(64<<10, 4, time.Second)})
	p := problemOf(t, postImage(t, ts.URL, "a.png", tinyPNG(t, 64, 64), "format", "png"), http.StatusRequestEntityTooLarge)
	if !strings.HasSuffix(p.Type, ":over-memory-budget") || !strings.Contains(p.Detail, "64 KiB") || !strings.Contains(p.Detail, "megapixels") {
		t.Fatalf("problem %+v, want over-memory-budget naming the budget and the largest input", p)
	}
}

// TestBusy: with the budget taken, a request beyond the queue gets 503 with
// Retry-After at once; one in the queue gets it after the queue timeout.
func TestBusy(t *testing.T) {
	tests := []struct {
		name     string
		queueMax int
		timeout  time.Duration
		want     string
	}{
		{"queue full", 0, time.Minute, "queue limit 0"},
		{"queue timeout", 4, 100 * time.Millisecond, "queue timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := budget.New(1<<30, tt.queueMax, tt.timeout)
			hold, err := b.Acquire(context.Background(), 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			defer hold()
			s, ts := newTestServer(t, testOpts{budget: b})
			resp := postImage(t, ts.URL, "a.png", tinyPNG(t, 8, 8), "format", "png")
			p := problemOf(t, resp, http.StatusServiceUnavailable)
			if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Errorf("Retry-After %q", ra)
			}
			if !strings.HasSuffix(p.Type, ":busy") || !strings.Contains(p.Detail, tt.want) {
				t.Errorf("problem %+v, want busy mentioning %q", p, tt.want)
			}
			if b.Waiting() != 0 {
				t.Errorf("%d waiters left", b.Waiting())
			}
			assertSpoolEmpty(t, s)
			// Health stays reachable while the budget is exhausted.
			hz, err := http.Get(ts.URL + "/healthz")
			if err != nil || hz.StatusCode != 200 {
				t.Fatalf("/healthz under load: %v %v", err, hz)
			}
			io.Copy(io.Discard, hz.Body)
			hz.Body.Close()
		})
	}
}

func TestNotFoundAndMethod(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	resp, err := http.Get(ts.URL + "/v1/nothing")
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, resp, http.StatusNotFound)
	resp.Body.Close()
	resp, err = http.Get(ts.URL + "/v1/upscale")
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, resp, http.StatusMethodNotAllowed)
	resp.Body.Close()
	if got := resp.Header.Get("Allow"); got != "POST" {
		t.Errorf("GET /v1/upscale: Allow %q, want POST", got)
	}
}

// TestProtocolConsistency: 405 names the allowed methods, HEAD works on
// every GET route, and the 404s of the page and docs files are the
// server's own problems (instance, request id).
func TestProtocolConsistency(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	do := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, tt := range []struct{ method, path, allow string }{
		{"DELETE", "/healthz", "GET, HEAD"},
		{"FOO", "/readyz", "GET, HEAD"},
		{"PUT", "/v1/models", "GET, HEAD"},
	} {
		resp := do(tt.method, tt.path)
		problemOf(t, resp, http.StatusMethodNotAllowed)
		if got := resp.Header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/", "/openapi.json", "/swagger.json", "/v1/models"} {
		if resp := do("HEAD", path); resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %d, want 200", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/assets/nope.js", "/docs/nope.css"} {
		p := problemOf(t, do("GET", path), http.StatusNotFound)
		if p.Instance != path || p.RequestID == "" || !strings.HasPrefix(p.Type, problemTypeBase) {
			t.Errorf("GET %s: %+v, want the server's problem with instance and request_id", path, p)
		}
	}
}

// TestClassify covers error kinds the HTTP tests cannot provoke cheaply.
func TestClassify(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		slug       string
		retryAfter string
	}{
		{"disk full", fmt.Errorf("spool: write: %w", syscall.ENOSPC), 507, "insufficient-storage", ""},
		{"device lost", fmt.Errorf("pass: %w", engines.ErrDeviceLost), 503, "device-lost", "5"},
		{"device memory", fmt.Errorf("pass: %w", engines.ErrOutOfMemory), 503, "device-out-of-memory", "5"},
		{"busy", &budget.BusyError{Reason: "queue", RetryAfter: 1500 * time.Millisecond}, 503, "busy", "2"},
		{"client gone", fmt.Errorf("x: %w", context.Canceled), 499, "client-closed", ""},
		{"upload limit", &http.MaxBytesError{Limit: 64 << 20}, 413, "upload-too-large", ""},
		{"unknown", errors.New("secret internal path /var/x"), 500, "internal", ""},
		{"spool disk full", fmt.Errorf("spool: %w", &fs.PathError{Op: "write", Path: "/secret/spool/upload-1", Err: syscall.ENOSPC}), 507, "insufficient-storage", ""},
		{"rename", fmt.Errorf("result: %w", &os.LinkError{Op: "rename", Old: "/secret/jobs/x/out/.0.tmp", New: "/secret/jobs/x/out/0", Err: syscall.EIO}), 500, "internal", ""},
		{"deadline on a path", fmt.Errorf("%w: %w", context.DeadlineExceeded, &fs.PathError{Op: "read", Path: "/secret/x", Err: os.ErrDeadlineExceeded}), 503, "timeout", "5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, slug, detail, _, header := classify(tt.err)
			if status != tt.status || slug != tt.slug {
				t.Fatalf("classify = %d %s, want %d %s", status, slug, tt.status, tt.slug)
			}
			if got := header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
			if strings.Contains(detail, "secret") {
				t.Errorf("internal error detail leaks the cause: %q", detail)
			}
		})
	}
}

// manyFields is n distinct form fields f0..f(n-1).
func manyFields(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("f%d", i), "x")
	}
	return out
}
