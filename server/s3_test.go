package server

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/internal/testing/s3server"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestS3Store: two servers with their own data directories on one bucket
// (UPSCALED_BLOB_URL=s3://…): what one computed, the other answers from the
// shared cache; a job's uploads and results live in the bucket, its items
// download through presigned URLs and its archive streams from the bucket;
// deleting it empties its prefix.
func TestS3Store(t *testing.T) {
	srv := s3server.Start(t)
	s3cfg := srv.Config("")
	cfg := func() Config {
		c := testConfig(t)
		c.BlobURL = "s3://" + srv.Bucket + "/fleet"
		c.S3 = blob.S3Config{Endpoint: s3cfg.Endpoint, Region: s3cfg.Region, AccessKey: s3cfg.AccessKey, SecretKey: s3cfg.SecretKey, PartSize: blob.DefaultPartSize, Retries: blob.DefaultRetries}
		c.PresignTTL = time.Minute
		return c
	}
	cfgA := cfg()
	a, stopA := startServer(t, cfgA)
	b, _ := startServer(t, cfg())
	page, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(testenv.TestImage(t, "small-color-48x48.png"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(url string) ([]byte, string) {
		t.Helper()
		resp, err := http.Post(url+"/v1/upscale?model=realesrgan-animevideov3-x2&format=png", "image/png", bytes.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		return body, resp.Header.Get("X-Upscaled-Cache")
	}
	computed, c1 := post(a)
	// A stores the entry after answering
	for deadline := time.Now().Add(10 * time.Second); metric(t, a, `upscaled_cache_stores_total{outcome="ok"}`) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("server A stored no cache entry")
		}
	}
	shared, c2 := post(b)
	if c1 != "miss" || c2 != "hit" || !bytes.Equal(computed, shared) {
		t.Fatalf("server A: %q, server B: %q, identical %v", c1, c2, bytes.Equal(computed, shared))
	}

	// a job on B: one page B's cache holds, one new
	body, ct := jobForm(map[string]string{"model": "realesrgan-animevideov3-x2", "format": "png"}, map[string][]byte{"p1.png": page, "p2.png": other})
	job := waitJob(t, b, submitJob(t, b, body, ct))
	var resp *http.Response
	store, err := blob.NewS3(context.Background(), srv.Config("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	objects := func(prefix string) int {
		n := 0
		store.List(context.Background(), prefix, func(blob.Info) error { n++; return nil })
		return n
	}
	if n := objects("jobs/" + job.ID + "/"); n != 4 {
		t.Fatalf("%d objects under the job's prefix, want 2 uploads + 2 results", n)
	}
	if _, err := os.Stat(cfg().DataDir + "/jobs/" + job.ID); !os.IsNotExist(err) {
		t.Fatalf("job files in the data directory: %v", err)
	}
	// A restarting (its start cleans up its own jobs) leaves B's job alone
	if err := stopA(); err != nil {
		t.Fatal(err)
	}
	a, _ = startServer(t, cfgA)
	if n := objects("jobs/" + job.ID + "/"); n != 4 {
		t.Fatalf("after server A restarted: %d objects under B's job", n)
	}

	// item downloads: a 307 to the bucket, which serves the bytes
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, name := range []string{job.Items[0].Name, job.Items[1].Name} {
		url := b + "/v1/jobs/" + job.ID + "/items/" + string(rune('0'+i))
		resp, err := noRedirect.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasPrefix(loc, srv.Endpoint+"/") {
			t.Fatalf("item %d: %d, Location %q", i, resp.StatusCode, loc)
		}
		resp, err = http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.Contains(resp.Header.Get("Content-Disposition"), strings.TrimSuffix(name, ".png")) {
			t.Fatalf("item %d through the presigned URL: %d %q %q", i, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		if name == "p1.png" && !bytes.Equal(got, computed) {
			t.Fatalf("item %d (p1) differs from the synchronous result", i)
		}
	}

	// the archive streams from the bucket, from the server that did not run the job too
	for _, url := range []string{b, a} {
		resp, err = http.Get(url + "/v1/jobs/" + job.ID + "/archive")
		if err != nil {
			t.Fatal(err)
		}
		zipped, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if url == a {
			// job state is in B's own database (no shared queue yet)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("server A: archive %d", resp.StatusCode)
			}
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
		if err != nil || len(zr.File) != 2 {
			t.Fatalf("archive: %v", err)
		}
		for _, f := range zr.File {
			rc, _ := f.Open()
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || (f.Name == "p1.png" && !bytes.Equal(got, computed)) {
				t.Fatalf("archive entry %s: %v", f.Name, err)
			}
		}
	}

	req, _ := http.NewRequest(http.MethodDelete, b+"/v1/jobs/"+job.ID, nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := objects("jobs/" + job.ID + "/"); resp.StatusCode != http.StatusNoContent || n != 0 {
		t.Fatalf("delete: %d, %d objects left", resp.StatusCode, n)
	}
	if n := objects("cache/"); n != 2 {
		t.Fatalf("%d cache entries, want 2 (p1 and p2 as PNG)", n)
	}
}
