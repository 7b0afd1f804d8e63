package api

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

// fastModel is the quickest catalog model on the Go executor; tests that
// only need some real result use it.
const fastModel = "realesrgan-animevideov3-x2"

var (
	engineOnce sync.Once
	cpuEngine  engines.Engine
	pipeOnce   sync.Mutex
	pipes      = map[string]*upscale.Pipeline{}
)

// testPipeline is a real pipeline on the Go executor with the installed
// models; pipelines are shared per configuration so models load once.
func testPipeline(t *testing.T, cfg upscale.Config) *upscale.Pipeline {
	t.Helper()
	engineOnce.Do(func() { cpuEngine = cpu.New() })
	key, _ := json.Marshal(cfg)
	pipeOnce.Lock()
	defer pipeOnce.Unlock()
	p, ok := pipes[string(key)]
	if !ok {
		p = upscale.New(cfg, cpuEngine, testenv.ModelsDir(t))
		pipes[string(key)] = p
	}
	return p
}

type testOpts struct {
	cfg      Config
	pipeline upscale.Config
	budget   *budget.Budget
	ready    Readiness
}

func defaultPipelineConfig() upscale.Config {
	return upscale.Config{MaxInputPixels: 50_000_000, MaxOutputPixels: 400_000_000}
}

// newTestServer starts the API over a real pipeline on an httptest server.
func newTestServer(t *testing.T, o testOpts) (*Server, *httptest.Server) {
	t.Helper()
	if o.cfg.MaxUploadBytes == 0 {
		o.cfg.MaxUploadBytes = 64 << 20
	}
	if o.cfg.RequestTimeout == 0 {
		o.cfg.RequestTimeout = time.Minute
	}
	o.cfg.SpoolDir = t.TempDir()
	o.cfg.ModelsDir = testenv.ModelsDir(t)
	if o.pipeline == (upscale.Config{}) {
		o.pipeline = defaultPipelineConfig()
	}
	if o.budget == nil {
		o.budget = budget.New(2<<30, 4, 10*time.Second)
	}
	s, err := New(o.cfg, Deps{
		Upscaler: testPipeline(t, o.pipeline),
		Budget:   o.budget,
		Ready:    o.ready,
		Logger:   slog.New(slog.NewTextHandler(testLog{t}, nil)),
		Engine:   "cpu",
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// multipartBody builds a multipart form with the image in field "image"
// (when data is not nil) and the given fields.
func multipartBody(t *testing.T, filename string, data []byte, fields ...string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="image"; filename="`+filename+`"`)
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func postImage(t *testing.T, url, filename string, data []byte, fields ...string) *http.Response {
	t.Helper()
	body, ct := multipartBody(t, filename, data, fields...)
	resp, err := http.Post(url+"/v1/upscale", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readTestImage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.TestImage(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// problemOf decodes a problem+json response and checks its status.
func problemOf(t *testing.T, resp *http.Response, status int) Problem {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, body)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	if p.Status != status || p.Detail == "" || p.Type == "" || p.Title == "" || p.Instance == "" {
		t.Fatalf("incomplete problem: %+v", p)
	}
	return p
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("result is not a PNG: %v", err)
	}
	return m
}

func decodeAny(t *testing.T, b []byte) image.Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("result does not decode: %v", err)
	}
	return m
}

// testLog sends server logs to the test log (shown on failure or -v).
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
