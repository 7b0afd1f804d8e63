package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/models"
)

func TestModelsList(t *testing.T) {
	for _, c := range []struct {
		name, dir, installed string
	}{
		{"installed", testenv.ModelsDir(t), "yes"},
		{"empty dir", t.TempDir(), "no"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, out, _ := testApp("")
			if err := runModels(context.Background(), a, []string{"list", "--dir", c.dir}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(models.All())+1 || !strings.HasPrefix(lines[0], "ID") {
				t.Fatalf("output:\n%s", out.String())
			}
			for _, l := range lines[1:] {
				if f := strings.Fields(l); len(f) != 7 || f[4] != c.installed {
					t.Errorf("row %q: want 7 columns with installed %s", l, c.installed)
				}
			}
			want := "realcugan-up2x-denoise3x realcugan 2x 3x " + c.installed + " 2.6 MB"
			if !strings.Contains("\n"+strings.Join(strings.Fields(strings.ReplaceAll(out.String(), "\n", " | ")), " "), want) {
				t.Errorf("row %q missing:\n%s", want, out.String())
			}
		})
	}
}

// TestModelsFetchInstalled: every requested file already verified, so the
// command succeeds without npm (empty PATH).
func TestModelsFetchInstalled(t *testing.T) {
	src := testenv.ModelsDir(t)
	dir := t.TempDir()
	info, _ := models.Lookup("realesrgan-animevideov3-x3")
	for _, f := range info.Files() {
		b, err := os.ReadFile(models.FilePath(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(models.FilePath(dir, f)), 0o755)
		os.WriteFile(models.FilePath(dir, f), b, 0o644)
	}
	t.Setenv("PATH", "")
	a, out, _ := testApp("")
	// Flags after the id are accepted too.
	if err := runModels(context.Background(), a, []string{"fetch", info.ID, "--dir", dir}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 model(s) installed and verified in "+dir) {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestModelsErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
		is   error
	}{
		{nil, "want a subcommand", nil},
		{[]string{"frobnicate"}, `unknown subcommand "frobnicate"`, nil},
		{[]string{"list", "extra"}, "takes no arguments", nil},
		{[]string{"fetch", "--dir", "x", "no-such-model"}, `"no-such-model"`, models.ErrUnknownModel},
	} {
		a, _, _ := testApp("")
		err := runModels(context.Background(), a, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%q: got %v, want %q", c.args, err, c.want)
		}
	}
}
