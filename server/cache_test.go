package server

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestResultCache: the same page sent again is answered from the cache,
// byte for byte, with no tile processed; another option is computed; with
// the cache off nothing is cached and the header is absent.
func TestResultCache(t *testing.T) {
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	url, _ := startServer(t, cfg)
	post := func(format string) ([]byte, string) {
		t.Helper()
		resp, err := http.Post(url+"/v1/upscale?model=realesrgan-animevideov3-x2&format="+format, "image/png", bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n != len(body) {
			t.Fatalf("Content-Length %q, body %d bytes", resp.Header.Get("Content-Length"), len(body))
		}
		return body, resp.Header.Get("X-Upscaled-Cache")
	}
	first, c1 := post("png")
	tiles := metric(t, url, `upscaled_tiles_processed_total{model="realesrgan-animevideov3-x2",source="sync"}`)
	second, c2 := post("png")
	if c1 != "miss" || c2 != "hit" || !bytes.Equal(first, second) {
		t.Fatalf("X-Upscaled-Cache %q then %q; identical bodies %v", c1, c2, bytes.Equal(first, second))
	}
	if got := metric(t, url, `upscaled_tiles_processed_total{model="realesrgan-animevideov3-x2",source="sync"}`); got != tiles {
		t.Fatalf("a hit processed %v tiles", got-tiles)
	}
	if _, c := post("webp"); c != "miss" {
		t.Fatalf("another format: %q", c)
	}
	for series, want := range map[string]float64{
		`upscaled_cache_lookups_total{result="hit"}`:  1,
		`upscaled_cache_lookups_total{result="miss"}`: 2,
		`upscaled_cache_stores_total{outcome="ok"}`:   2,
		`upscaled_cache_entries`:                      2,
	} {
		// the last miss's entry is stored after its answer
		got := metric(t, url, series)
		for deadline := time.Now().Add(10 * time.Second); got != want && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			got = metric(t, url, series)
		}
		if got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}

	cfg = testConfig(t)
	cfg.Cache = false
	url, _ = startServer(t, cfg)
	if _, c := post("png"); c != "" {
		t.Fatalf("cache off: X-Upscaled-Cache %q", c)
	}
	if _, c := post("png"); c != "" {
		t.Fatalf("cache off: X-Upscaled-Cache %q", c)
	}
}

// metric reads one series' value from /metrics.
func metric(t *testing.T, url, series string) float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile("(?m)^" + regexp.QuoteMeta(series) + " (\\S+)$").FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}
