package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestOnePath: the API, a job and the command line run an image through
// the same path, so they write the same bytes, whatever way the options
// are spelled (jpg is jpeg).
func TestOnePath(t *testing.T) {
	s := startServer(t, "")
	src := testenv.TestImage(t, "small-rgba-40x56.png")
	in, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fields map[string]string // API and job form fields
		flags  []string          // CLI flags
		ext    string
	}{
		{"png", map[string]string{"model": model, "format": "png"}, []string{"--format", "png"}, ".png"},
		{"jpeg q85", map[string]string{"model": model, "format": "jpg", "quality": "85"}, []string{"--format", "jpeg", "--quality", "85"}, ".jpg"},
		{"lossless webp", map[string]string{"model": model, "lossless": "true"}, []string{"--format", "webp", "--lossless"}, ".webp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := file{Name: "page.png", ContentType: "image/png", Data: in}
			api := upscaleMultipart(t, s, page, "", tt.fields)
			if api.Status != http.StatusOK {
				t.Fatalf("POST /v1/upscale: %s", api)
			}

			r := submitJob(t, s, []file{page}, "", tt.fields)
			if r.Status != http.StatusAccepted {
				t.Fatalf("POST /v1/jobs: %s", r)
			}
			d := waitJob(t, s, parseJob(t, r).ID, "", 2*time.Minute)
			if d.State != "succeeded" {
				t.Fatalf("job %s: %+v", d.State, d.Items)
			}
			job := do(t, "GET", s.URL+d.Items[0].ResultURL, nil, "", "")
			if job.Status != http.StatusOK {
				t.Fatalf("job result: %s", job)
			}

			out := filepath.Join(t.TempDir(), "page"+tt.ext)
			args := append([]string{"upscale", "--quiet", "--engine", "cpu", "--model", model, "--models-dir", testenv.ModelsDir(t)}, tt.flags...)
			cmd := exec.Command(binary(t), append(args, src, out)...)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("upscaled upscale: %v\n%s", err, msg)
			}
			cli, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}

			if len(api.Body) == 0 || !bytes.Equal(api.Body, job.Body) || !bytes.Equal(api.Body, cli) {
				t.Fatalf("API %d bytes, job %d bytes, CLI %d bytes: want the same file", len(api.Body), len(job.Body), len(cli))
			}
		})
	}
}
