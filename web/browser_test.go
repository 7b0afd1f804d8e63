package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// jobMaxBytes is the test server's job upload limit: the two small images
// fit, testdata's 138 KB page does not.
const jobMaxBytes = "100000"

// TestBrowser drives the upload page in headless Chromium (test/browser.mjs,
// playwright-core) against the real server binary: a two-image job with
// progress and results, downloads, the comparison view, a batch over the byte
// limit, an image over the pixel limit, keyboard reach, phone width, the
// docs page, and a second server with API keys. Screenshots go to <repo>/screenshots/browser (not committed).
func TestBrowser(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for the browser test: scripts/deps.sh installs it")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed for the browser test (%v): scripts/deps.sh --test installs it", err)
	}
	root := testenv.RepoRoot(t)
	testDir := filepath.Join(root, "web", "test")
	installPlaywright(t, testDir)

	srv := liveserver.Start(t,
		"UPSCALED_JOB_MAX_BYTES="+jobMaxBytes,
		"UPSCALED_MAX_INPUT_PIXELS=20000", // 256x256 is over, the small images are under
	)
	const apiKey = "browser-test-key"
	keyed := liveserver.Start(t, "UPSCALED_API_KEYS="+apiKey)
	cmd := exec.Command(node, "browser.mjs")
	cmd.Dir = testDir
	cmd.Env = append(os.Environ(),
		"UPSCALED_URL="+srv.URL,
		"TESTIMAGES="+filepath.Join(root, "testdata", "testimages"),
		"SCREENSHOTS="+filepath.Join(root, "screenshots", "browser"),
		"KEYED_URL="+keyed.URL,
		"API_KEY="+apiKey,
		"CHROMIUM="+chromium,
	)
	out, err := cmd.CombinedOutput()
	t.Logf("browser.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}

// installPlaywright runs `npm ci` in web/test when playwright-core is not
// installed there (make test does it first; this keeps `go test ./...` whole).
func installPlaywright(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err == nil {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in web/test: %v\n%s", err, out)
	}
}

func TestMain(m *testing.M) { liveserver.Main(m) }
