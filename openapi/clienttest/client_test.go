package clienttest

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// summary mirrors the driver's JSON report (testdata/clientmod/driver).
type summary struct {
	Models         int      `json:"models"`
	DefaultModel   string   `json:"default_model"`
	SyncInput      [2]int   `json:"sync_input"`
	SyncOutput     [2]int   `json:"sync_output"`
	SyncModel      string   `json:"sync_model"`
	RawOutput      string   `json:"raw_output"`
	ProblemField   string   `json:"problem_field"`
	ProblemCode    int      `json:"problem_status"`
	JobID          string   `json:"job_id"`
	JobState       string   `json:"job_state"`
	Events         int      `json:"events"`
	Items          [][2]int `json:"items"`
	ArchiveNames   []string `json:"archive_names"`
	Listed         bool     `json:"listed"`
	DeletedCode    int      `json:"deleted_status"`
	DeletedGetCode int      `json:"deleted_get_code"`
	GoneCode       int      `json:"gone_status"`
}

func TestGeneratedClient(t *testing.T) {
	srv := liveserver.Start(t)
	mod := t.TempDir()
	if err := os.CopyFS(mod, os.DirFS("testdata/clientmod")); err != nil {
		t.Fatal(err)
	}
	// The OpenAPI 3 document as the server serves it: the generator takes
	// it as it is.
	spec := fetch(t, srv.URL+"/openapi.json")
	if err := os.WriteFile(filepath.Join(mod, "openapi.json"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mod, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	goCmd(t, mod, "run", "./gen", "openapi.json", "client/client.gen.go")
	goCmd(t, mod, "build", "-o", "driver.bin", "./driver")

	imgs := []string{testenv.TestImage(t, "small-color-48x48.png"), testenv.TestImage(t, "small-gray-64x64.png")}
	cmd := exec.Command(filepath.Join(mod, "driver.bin"), append([]string{"-url", srv.URL}, imgs...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the generated client's driver failed: %v\n%s", err, stderr.String())
	}
	var s summary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("driver output %q: %v", out, err)
	}
	t.Logf("driver: %s", out)

	checks := []struct {
		name string
		ok   bool
	}{
		{"models listed", s.Models >= 10 && s.DefaultModel != ""},
		{"sync upscale is 2x (48x48 -> 96x96)", s.SyncInput == [2]int{48, 48} && s.SyncOutput == [2]int{96, 96}},
		{"sync upscale used the default model", s.SyncModel == s.DefaultModel},
		{"raw-body upscale is 2x", s.RawOutput == "96x96"},
		{"bad option is a 400 problem naming format", s.ProblemCode == http.StatusBadRequest && s.ProblemField == "format"},
		{"job succeeded", s.JobState == "succeeded" && s.JobID != ""},
		{"events were streamed", s.Events >= 1},
		{"items are 2x", len(s.Items) == 2 && s.Items[0] == [2]int{96, 96} && s.Items[1] == [2]int{128, 128}},
		{"archive holds both results", len(s.ArchiveNames) == 2},
		{"job listed", s.Listed},
		{"delete answered 2xx", s.DeletedCode >= 200 && s.DeletedCode < 300},
		{"deleted job is gone", s.DeletedGetCode == http.StatusGone},
		{"deleted job's results are gone", s.GoneCode == http.StatusNotFound || s.GoneCode == http.StatusGone},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %+v", c.name, s)
		}
	}
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %s", url, err, resp.Status)
	}
	return b
}

// goCmd runs the go command in the temporary module, resolving its pinned
// dependencies through the module proxy or cache.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestMain(m *testing.M) { liveserver.Main(m) }
