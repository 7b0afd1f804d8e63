package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/hostile"
	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

func multipartImage(t *testing.T, name string, data []byte, fields ...string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	w, err := mw.CreateFormFile("image", name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	mw.Close()
	return &b, mw.FormDataContentType()
}

// TestLiveServe builds the real binary, starts `upscaled serve` on a free
// port with the Go executor and drives every endpoint over HTTP.
func TestLiveServe(t *testing.T) {
	srv := liveserver.Start(t)
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("upscale", func(t *testing.T) {
		body, ct := multipartImage(t, "page.png", img, "format", "png")
		resp, err := http.Post(srv.URL+"/v1/upscale", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
		m, err := png.Decode(bytes.NewReader(out))
		if err != nil || m.Bounds().Dx() != 122 || m.Bounds().Dy() != 74 {
			t.Fatalf("result: %v, %v", m.Bounds(), err)
		}
		if got := resp.Header.Get("Content-Disposition"); !strings.Contains(got, `filename="page.png"`) {
			t.Errorf("Content-Disposition %q", got)
		}
	})
	t.Run("pixel bomb", func(t *testing.T) {
		var bomb []byte
		for _, c := range hostile.Cases() {
			if c.Name == "png-header-100000x100000" {
				bomb = c.Data
			}
		}
		body, ct := multipartImage(t, "bomb.png", bomb)
		resp, err := http.Post(srv.URL+"/v1/upscale", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/v1/models"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if path == "/v1/models" && !json.Valid(b) {
				t.Fatalf("not JSON: %s", b)
			}
			if path == "/metrics" && !strings.Contains(string(b), `upscaled_http_requests_total{code="200",method="POST",route="/v1/upscale"} 1`) {
				t.Fatalf("metrics do not count the upscale:\n%s", b)
			}
		})
	}
}

// TestLiveServeKeys: with UPSCALED_API_KEYS the binary requires a key on /v1.
func TestLiveServeKeys(t *testing.T) {
	srv := liveserver.Start(t, "UPSCALED_API_KEYS=k1,k2")
	for _, tt := range []struct {
		key    string
		status int
	}{{"", 401}, {"wrong", 401}, {"k2", 200}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/models", nil)
		if tt.key != "" {
			req.Header.Set("Authorization", "Bearer "+tt.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("key %q: status %d, want %d", tt.key, resp.StatusCode, tt.status)
		}
	}
}

func TestMain(m *testing.M) { liveserver.Main(m) }
