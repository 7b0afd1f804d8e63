package server

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/internal/testing/s3server"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestS3Outage cuts the network to the S3 server: synchronous requests still answer
// (computed, the cache unavailable), a job upload gets 503
// storage-unavailable with Retry-After, and a job whose store goes away
// while it waits completes once the store is back, its page as computed
// synchronously.
func TestS3Outage(t *testing.T) {
	srv := s3server.Start(t)
	s3cfg := srv.Config("")
	cfg := testConfig(t)
	cfg.BlobURL = "s3://" + srv.Bucket + "/outage"
	cfg.S3 = blob.S3Config{Endpoint: s3cfg.Endpoint, Region: s3cfg.Region, AccessKey: s3cfg.AccessKey, SecretKey: s3cfg.SecretKey, PartSize: blob.DefaultPartSize, Retries: blob.DefaultRetries}
	url, _ := startServer(t, cfg)
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	jobBody := func() (io.Reader, string) {
		return jobForm(map[string]string{"model": "realesrgan-animevideov3-x2", "format": "png"}, map[string][]byte{"p.png": img})
	}

	srv.Cut()
	resp, err := http.Post(url+"/v1/upscale?model=realesrgan-animevideov3-x2&format=png", "image/png", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("synchronous request without S3: %d %s", resp.StatusCode, want)
	}
	b, ct := jobBody()
	resp, err = http.Post(url+"/v1/jobs", ct, b)
	if err != nil {
		t.Fatal(err)
	}
	problem, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !bytes.Contains(problem, []byte("storage-unavailable")) || bytes.Contains(problem, []byte("127.0.0.1")) {
		t.Fatalf("job upload without S3: %d %s (Retry-After %q)", resp.StatusCode, problem, resp.Header.Get("Retry-After"))
	}

	srv.Heal()
	b, ct = jobBody()
	job := submitJob(t, url, b, ct)
	// the page meets the store gone (its input, or its result) and is
	// tried again until the store is back
	srv.Cut()
	time.Sleep(3 * time.Second)
	srv.Heal()
	job = waitJob(t, url, job)
	resp, err = http.Get(url + "/v1/jobs/" + job.ID + "/items/0")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, want) {
		t.Fatalf("result after the outage: %d, %d bytes (want %d)", resp.StatusCode, len(got), len(want))
	}
}
