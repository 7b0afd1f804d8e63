package liveserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// build is one binary built for this test process.
type build struct {
	once sync.Once
	path string
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*build{} // by build tags
	buildDir string                // holds every binary; removed by Main
)

// Binary builds ./cmd/upscaled with the build tags once per test process
// and returns its path.
func Binary(t testing.TB, tags ...string) string {
	t.Helper()
	key := strings.Join(tags, ",")
	buildsMu.Lock()
	b, ok := builds[key]
	if !ok {
		b = &build{}
		builds[key] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		dir, err := binDir()
		if err != nil {
			b.err = err
			return
		}
		name := "upscaled"
		if key != "" {
			name += "-" + strings.ReplaceAll(key, ",", "-")
		}
		b.path = filepath.Join(dir, name)
		b.err = Build(testenv.RepoRoot(t), b.path, tags...)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func binDir() (string, error) {
	buildsMu.Lock()
	defer buildsMu.Unlock()
	if buildDir == "" {
		dir, err := os.MkdirTemp("", "upscaled-bin-")
		if err != nil {
			return "", err
		}
		buildDir = dir
	}
	return buildDir, nil
}

// Build compiles ./cmd/upscaled of the module at root into out.
func Build(root, out string, tags ...string) error {
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, "./cmd/upscaled")...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s ./cmd/upscaled: %v\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// Main runs a package's tests and removes the binaries Binary built for
// them: func TestMain(m *testing.M) { liveserver.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	buildsMu.Lock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	buildsMu.Unlock()
	os.Exit(code)
}
