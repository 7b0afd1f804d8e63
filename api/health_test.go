package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/budget"
)

func newTestBudget() *budget.Budget { return budget.New(1<<30, 4, time.Second) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func TestHealthAndReadiness(t *testing.T) {
	ready, detail := false, "starting: the engine self-test has not finished"
	_, ts := newTestServer(t, testOpts{ready: func() (bool, string) { return ready, detail }})
	get := func(path string) *http.Response {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := get("/healthz"); resp.StatusCode != 200 {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	p := problemOf(t, get("/readyz"), http.StatusServiceUnavailable)
	if p.Detail != detail {
		t.Fatalf("not-ready detail %q", p.Detail)
	}
	ready, detail = true, "self-test passed"
	resp := get("/readyz")
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body["status"] != "ready" || body["engine"] != "cpu" {
		t.Fatalf("/readyz when ready: %d %v %v", resp.StatusCode, body, err)
	}
}

func TestModelsEndpoint(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	resp, err := http.Get(ts.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc ModelsDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Default != "realcugan-up2x-conservative" || doc.Presets["H"] != "realcugan-up2x-denoise3x" || len(doc.Models) < 10 {
		t.Fatalf("models doc: default %q presets %v models %d", doc.Default, doc.Presets, len(doc.Models))
	}
	for _, m := range doc.Models {
		if m.ID == doc.Default && (!m.Installed || !m.Default) {
			t.Fatalf("default model listed as %+v", m)
		}
	}
}

func TestMetrics(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	resp := postImage(t, ts.URL, "a.png", tinyPNG(t, 8, 8), "format", "png")
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("upscale: %d", resp.StatusCode)
	}
	resp = postImage(t, ts.URL, "a.png", tinyPNG(t, 8, 8), "format", "bmp")
	io.Copy(io.Discard, resp.Body)
	m, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Body.Close()
	b, _ := io.ReadAll(m.Body)
	text := string(b)
	for _, want := range []string{
		`upscaled_http_requests_total{code="200",method="POST",route="/v1/upscale"} 1`,
		`upscaled_http_requests_total{code="400",method="POST",route="/v1/upscale"} 1`,
		`upscaled_request_span_duration_seconds_count{span="queue"} 1`,
		`upscaled_request_span_duration_seconds_count{span="processing"} 1`,
		`upscaled_images_total{model="realcugan-up2x-conservative",outcome="ok",source="sync"} 1`,
		`upscaled_http_requests_in_flight 1`, // the /metrics request itself
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !regexp.MustCompile(`upscaled_tiles_processed_total\{model="realcugan-up2x-conservative",source="sync"\} 1\n`).MatchString(text) {
		t.Errorf("metrics lack tiles processed")
	}
}
