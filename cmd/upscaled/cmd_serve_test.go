package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testenv"
)

func TestServeConfigPrecedence(t *testing.T) {
	env := map[string]string{
		"UPSCALED_ADDR":              ":9000",
		"UPSCALED_MEMORY_BUDGET":     "2GiB",
		"UPSCALED_QUEUE_TIMEOUT":     "45",
		"UPSCALED_MAX_INPUT_PIXELS":  "20MP",
		"UPSCALED_API_KEYS":          "a, b,,c",
		"UPSCALED_CORS_ORIGINS":      "https://reader.example",
		"UPSCALED_DEVICE":            "1",
		"UPSCALED_MAX_UPLOAD_BYTES":  "16 MiB",
		"UPSCALED_JOB_BUDGET_SHARE":  "0.25",
		"UPSCALED_REQUEST_TIMEOUT":   "90s",
		"UPSCALED_SHUTDOWN_GRACE":    "5s",
		"UPSCALED_MAX_OUTPUT_PIXELS": "100000000",
		"UPSCALED_INFLIGHT":          "3",
	}
	cfg, err := loadServeConfig([]string{"--addr", "127.0.0.1:7000", "--memory-budget=512MiB"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"flag beats env", cfg.Addr, "127.0.0.1:7000"},
		{"flag size", cfg.MemoryBudget, int64(512 << 20)},
		{"env plain seconds", cfg.QueueTimeout, 45 * time.Second},
		{"env megapixels", cfg.MaxInputPixels, int64(20_000_000)},
		{"env list", strings.Join(cfg.APIKeys, "|"), "a|b|c"},
		{"env origins", strings.Join(cfg.CORSOrigins, "|"), "https://reader.example"},
		{"env device", cfg.Device, 1},
		{"env upload", cfg.MaxUploadBytes, int64(16 << 20)},
		{"env job share", cfg.Jobs.BudgetShare, 0.25},
		{"env duration", cfg.RequestTimeout, 90 * time.Second},
		{"env grace", cfg.ShutdownGrace, 5 * time.Second},
		{"env output pixels", cfg.MaxOutputPixels, int64(100_000_000)},
		{"env in flight", cfg.InFlight, 3},
		{"default kept", cfg.Engine, "auto"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestServeConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad size env", map[string]string{"UPSCALED_MEMORY_BUDGET": "lots"}, nil, "UPSCALED_MEMORY_BUDGET=lots"},
		{"bad duration env", map[string]string{"UPSCALED_QUEUE_TIMEOUT": "soon"}, nil, "UPSCALED_QUEUE_TIMEOUT=soon"},
		{"bad int flag", nil, []string{"--queue-max", "many"}, "--queue-max=many"},
		{"bad pixels", map[string]string{"UPSCALED_MAX_INPUT_PIXELS": "-5"}, nil, "UPSCALED_MAX_INPUT_PIXELS"},
		{"bad devices", map[string]string{"UPSCALED_DEVICES": "0,x"}, nil, "UPSCALED_DEVICES=0,x"},
		{"bad devices flag", nil, []string{"--devices", "gpu"}, "--devices=gpu"},
		{"unknown flag", nil, []string{"--colour"}, "colour"},
		{"extra argument", nil, []string{"now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadServeConfig(tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestServeHelpListsEveryOption: --help shows each flag with its variable
// and default, and the README's configuration table lists each variable.
func TestServeHelpListsEveryOption(t *testing.T) {
	var out bytes.Buffer
	_, err := loadServeConfig([]string{"--help"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range serveOptions() {
		if !strings.Contains(out.String(), "--"+o.flag+" ") || !strings.Contains(out.String(), "env "+o.env+", default ") {
			t.Errorf("--help lacks --%s / %s", o.flag, o.env)
		}
		if !strings.Contains(string(readme), "`"+o.env+"`") {
			t.Errorf("README configuration table lacks `%s`", o.env)
		}
	}
}
