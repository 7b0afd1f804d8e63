package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/internal/testing/s3server"
)

// TestS3 runs the store conformance suite against a real S3 server
// (SeaweedFS), under a prefix, then checks presigned downloads, a cut
// upload and a wrong key.
func TestS3(t *testing.T) {
	srv := s3server.Start(t)
	ctx := context.Background()
	s, err := blob.NewS3(ctx, srv.Config("fleet/a"))
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s)

	t.Run("presigned download", func(t *testing.T) {
		blob.Put(ctx, s, "p/page.webp", strings.NewReader("RIFF-bytes"))
		u, err := s.Presign(ctx, "p/page.webp", time.Minute, `attachment; filename="page.webp"`, "image/webp")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "RIFF-bytes" || resp.Header.Get("Content-Type") != "image/webp" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "page.webp") {
			t.Fatalf("presigned GET: %d %q %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		if resp, err := http.Get(strings.Replace(u, "page.webp", "other.webp", 1)); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				t.Fatal("a presigned URL edited to another key was accepted")
			}
		}
	})
	t.Run("canceled writer leaves nothing", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		w, err := s.Create(cctx, "q/cut")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(bytes.Repeat([]byte{7}, 6<<20)) // one part sent
		cancel()
		w.Abort()
		if _, err := s.Stat(ctx, "q/cut"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("after Abort: %v", err)
		}
	})
	t.Run("prefix isolates", func(t *testing.T) {
		other, err := blob.NewS3(ctx, srv.Config("fleet/b"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Stat(ctx, "a/empty"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("another prefix sees a/empty: %v", err)
		}
	})
	t.Run("bad credentials and missing bucket", func(t *testing.T) {
		c := srv.Config("x")
		c.SecretKey = "wrong"
		if _, err := blob.NewS3(ctx, c); err == nil {
			t.Error("a wrong secret key was accepted")
		}
		c = srv.Config("x")
		c.Bucket = "no-such-bucket"
		if _, err := blob.NewS3(ctx, c); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("missing bucket: %v", err)
		}
	})
}
