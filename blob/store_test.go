package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sort"
	"testing"

	"github.com/upscaled/upscaled/blob"
)

// conformance runs the behaviour every blob.Store must have against s, which
// must be empty.
func conformance(t *testing.T, s blob.Store) {
	ctx := context.Background()
	big := make([]byte, 7<<20+123) // over one S3 part of 5 MiB
	rand.Read(big)

	t.Run("missing", func(t *testing.T) {
		if _, err := s.Open(ctx, "no/such"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open: %v, want blob.ErrNotFound", err)
		}
		if _, err := s.Stat(ctx, "no/such"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Stat: %v, want blob.ErrNotFound", err)
		}
		if err := s.Delete(ctx, "no/such"); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		for _, k := range []string{"", "/abs", "a/../b", "a//b", ".hidden", "a/.tmp", "a\\b", "nul\x00"} {
			if _, err := s.Create(ctx, k); !errors.Is(err, blob.ErrBadKey) {
				t.Errorf("Create(%q): %v, want blob.ErrBadKey", k, err)
			}
		}
	})
	t.Run("round trip", func(t *testing.T) {
		for _, tc := range []struct {
			key  string
			data []byte
		}{{"a/small", []byte("hello")}, {"a/empty", nil}, {"b/c/big", big}} {
			n, err := blob.Put(ctx, s, tc.key, bytes.NewReader(tc.data))
			if err != nil || n != int64(len(tc.data)) {
				t.Fatalf("Put %s: %d, %v", tc.key, n, err)
			}
			o, err := s.Open(ctx, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(o)
			if err != nil || !bytes.Equal(got, tc.data) || o.Size() != int64(len(tc.data)) {
				t.Fatalf("%s: read %d bytes (size %d), %v; want %d", tc.key, len(got), o.Size(), err, len(tc.data))
			}
			if len(tc.data) > 10 {
				tail := make([]byte, 10)
				if _, err := o.ReadAt(tail, int64(len(tc.data)-10)); err != nil && err != io.EOF || !bytes.Equal(tail, tc.data[len(tc.data)-10:]) {
					t.Fatalf("ReadAt: %v", err)
				}
			}
			o.Close()
			info, err := s.Stat(ctx, tc.key)
			if err != nil || info.Size != int64(len(tc.data)) {
				t.Fatalf("Stat %s: %+v, %v", tc.key, info, err)
			}
		}
	})
	t.Run("invisible until commit, nothing after abort", func(t *testing.T) {
		w, err := s.Create(ctx, "d/pending")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(big[:1<<20])
		if _, err := s.Stat(ctx, "d/pending"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("visible before Commit: %v", err)
		}
		w.Abort()
		w.Abort()
		if _, err := s.Stat(ctx, "d/pending"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("visible after Abort: %v", err)
		}
		var keys []string
		s.List(ctx, "d/", func(i blob.Info) error { keys = append(keys, i.Key); return nil })
		if len(keys) != 0 {
			t.Fatalf("List after Abort: %v", keys)
		}
	})
	t.Run("replace", func(t *testing.T) {
		blob.Put(ctx, s, "e/k", bytes.NewReader([]byte("one")))
		blob.Put(ctx, s, "e/k", bytes.NewReader([]byte("second")))
		o, err := s.Open(ctx, "e/k")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if got, _ := io.ReadAll(o); string(got) != "second" {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("list and delete", func(t *testing.T) {
		var keys []string
		err := s.List(ctx, "a/", func(i blob.Info) error { keys = append(keys, i.Key); return nil })
		sort.Strings(keys)
		if err != nil || len(keys) != 2 || keys[0] != "a/empty" || keys[1] != "a/small" {
			t.Fatalf("List a/: %v, %v", keys, err)
		}
		if err := s.Delete(ctx, "a/small"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "a/small"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("after Delete: %v", err)
		}
		stop := errors.New("stop")
		if err := s.List(ctx, "", func(blob.Info) error { return stop }); !errors.Is(err, stop) {
			t.Fatalf("List did not return fn's error: %v", err)
		}
	})
}

func TestDir(t *testing.T) {
	d, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, d)
	if _, err := d.Presign(context.Background(), "a/empty", 0, "", ""); !errors.Is(err, blob.ErrNoPresign) {
		t.Fatalf("Presign: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in, dir, bucket, prefix string
		s3, bad                 bool
	}{
		{in: "./data/blobs", dir: "./data/blobs"},
		{in: "file:///srv/blobs", dir: "/srv/blobs"},
		{in: "s3://pages", bucket: "pages", s3: true},
		{in: "s3://pages/fleet/a/", bucket: "pages", prefix: "fleet/a", s3: true},
		{in: "s3://", bad: true},
		{in: "s3://u:p@pages/x", bad: true},
		{in: "gs://pages", bad: true},
		{in: "file://host/x", bad: true},
		{in: "", bad: true},
	} {
		dir, c, isS3, err := blob.ParseURL(tc.in)
		if (err != nil) != tc.bad || dir != tc.dir || isS3 != tc.s3 || c.Bucket != tc.bucket || c.Prefix != tc.prefix {
			t.Errorf("blob.ParseURL(%q) = %q %+v %v %v", tc.in, dir, c, isS3, err)
		}
	}
}
