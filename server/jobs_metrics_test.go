package server

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestJobMetrics: job pages are counted with source="job" beside
// synchronous ones (source="sync"), and the job gauges follow the store.
func TestJobMetrics(t *testing.T) {
	cfg := testConfig(t)
	cfg.Cache = false // both pages are the same image: each is to be computed
	url, _ := startServer(t, cfg)
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := upload(t, url, img)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	body, ct := jobForm(map[string]string{"model": "realesrgan-animevideov3-x2"}, map[string][]byte{"a.png": img, "b.png": img})
	waitJob(t, url, submitJob(t, url, body, ct))
	resp, err = http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`upscaled_images_total{model="realcugan-up2x-conservative",outcome="ok",source="sync"} 1`,
		`upscaled_images_total{model="realesrgan-animevideov3-x2",outcome="ok",source="job"} 2`,
		`upscaled_tiles_processed_total{model="realesrgan-animevideov3-x2",source="job"} 2`,
		`upscaled_jobs{state="succeeded"} 1`,
		`upscaled_jobs{state="queued"} 0`,
		`upscaled_job_items{state="queued"} 0`,
		`upscaled_job_items{state="running"} 0`,
		`upscaled_job_oldest_queued_seconds 0`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
