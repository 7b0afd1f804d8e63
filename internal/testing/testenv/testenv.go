// Package testenv locates the repository's test data and installed models
// for tests. Only _test.go files import it.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot is the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// ModelsDir is $UPSCALED_MODELS_DIR or <repo>/models. It fails the test when
// the directory holds no installed models: run `make models`.
func ModelsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("UPSCALED_MODELS_DIR")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "models")
	}
	if _, err := os.Stat(filepath.Join(dir, "real-cugan")); err != nil {
		t.Fatalf("testenv: no models installed in %s: run `make models`", dir)
	}
	return dir
}

// TestImage is the path of an input in testdata/testimages.
func TestImage(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata", "testimages", name)
}

// Golden is the path of the reference output for input and model id.
func Golden(t testing.TB, input, model string) string {
	t.Helper()
	base := input[:len(input)-len(filepath.Ext(input))]
	return filepath.Join(RepoRoot(t), "testdata", "golden", base+"__"+model+".png")
}
