package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FilePath is where f is installed under the models directory dir.
func FilePath(dir string, f File) string { return filepath.Join(dir, filepath.FromSlash(f.Path)) }

// Load parses and validates the model info installed under dir, with its
// weights. Missing files give ErrNotInstalled naming the path and the fetch
// command; malformed files ErrFormat; unsupported features ErrUnsupported.
func Load(dir string, info Info) (*Net, error) {
	pf, err := openModelFile(dir, info, info.Param)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	n, err := ParseParam(pf, info.Param.Path)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", info.ID, err)
	}
	bf, err := openModelFile(dir, info, info.Bin)
	if err != nil {
		return nil, err
	}
	defer bf.Close()
	if err := n.LoadWeights(bf, info.Bin.Path); err != nil {
		return nil, fmt.Errorf("model %s: %w", info.ID, err)
	}
	if err := n.Validate(); err != nil {
		return nil, fmt.Errorf("model %s: %w", info.ID, err)
	}
	for _, b := range []string{info.InputBlob, info.OutputBlob} {
		if _, ok := n.Find(b); !ok && b != "" {
			return nil, fmt.Errorf("model %s: %s has no blob %q: %w", info.ID, info.Param.Path, b, ErrFormat)
		}
	}
	return n, nil
}

func openModelFile(dir string, info Info, f File) (*os.File, error) {
	path := FilePath(dir, f)
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %s is missing: run `upscaled models fetch %s`", ErrNotInstalled, info.ID, path, info.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", info.ID, err)
	}
	return fh, nil
}

// Installed reports whether both files of info are present under dir with
// their pinned sizes (the checksum is checked by Verify and by Fetch).
func Installed(dir string, info Info) bool {
	for _, f := range info.Files() {
		st, err := os.Stat(FilePath(dir, f))
		if err != nil || !st.Mode().IsRegular() || (f.Size > 0 && st.Size() != f.Size) {
			return false
		}
	}
	return true
}

// Verify checks the SHA-256 of info's installed files against the pinned
// digests: ErrNotInstalled when a file is missing, ErrChecksum naming the
// file, the expected and the actual digest when one differs.
func Verify(dir string, info Info) error {
	for _, f := range info.Files() {
		got, err := fileSHA256(FilePath(dir, f))
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s: %s is missing: run `upscaled models fetch %s`", ErrNotInstalled, info.ID, FilePath(dir, f), info.ID)
		}
		if err != nil {
			return fmt.Errorf("model %s: %w", info.ID, err)
		}
		if got != f.SHA256 {
			return fmt.Errorf("%w: %s: sha256 %s, expected %s", ErrChecksum, FilePath(dir, f), got, f.SHA256)
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
