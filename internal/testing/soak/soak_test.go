package soak

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestSoakShort is the short soak of make test: the real binary, 8 clients
// for 20 s on the CPU engine with small crops; every promise must hold.
// `make soak` runs the full one (32 clients, 10 minutes).
func TestSoakShort(t *testing.T) {
	dir := t.TempDir()
	bin := liveserver.Binary(t)
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Config{
		Binary:    bin,
		Page:      testenv.TestImage(t, "page-gray-1000x1400.png"),
		Duration:  20 * time.Second,
		Clients:   8,
		Model:     "realesrgan-animevideov3-x2",
		Engine:    "cpu",
		ModelsDir: testenv.ModelsDir(t),
		Budget:    256 << 20,
		Overhead:  200 << 20,
		Sizes:     [][2]int{{24, 24}, {32, 24}, {40, 32}},
		WorkDir:   dir,
		Log:       logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Print(&b)
	t.Logf("soak summary:\n%s", b.String())
	if f := rep.Failures(); len(f) > 0 {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		t.Errorf("soak failed: %s\nserver log tail:\n%s", strings.Join(f, "; "), tailString(string(log), 4000))
	}
}

func tailString(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func TestMain(m *testing.M) { liveserver.Main(m) }
