package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/server"
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

// TestREADMEConfigTable: each row of the README's configuration table
// names the variable's flag and its default as `serve --help` shows it.
func TestREADMEConfigTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(UPSCALED_[A-Z0-9_]+)` \\| `--([a-z0-9-]+)` \\| ([^|]+) \\|")
	rows := map[string][2]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		rows[m[1]] = [2]string{m[2], strings.Trim(strings.TrimSpace(m[3]), "`")}
	}
	defaults := server.DefaultConfig()
	for _, o := range serveOptions() {
		r, ok := rows[o.env]
		if !ok {
			t.Errorf("README configuration table has no row for `%s`", o.env)
			continue
		}
		if r[0] != o.flag {
			t.Errorf("README: `%s` is --%s, the flag is --%s", o.env, r[0], o.flag)
		}
		if shown := o.show(defaults); !sameDefault(o.env, r[1], shown) {
			t.Errorf("README: `%s` defaults to %q, serve --help says %q", o.env, r[1], shown)
		}
	}
}

// sameDefault compares a README default with serve --help's, across their
// spellings (10m / 10m0s, 2 GiB / 2.0 GiB, 50 MP / 50000000 (50 MP)).
func sameDefault(env, readme, shown string) bool {
	if readme == shown || strings.Contains(shown, readme) {
		return true
	}
	if env == "UPSCALED_MEMORY_BUDGET" { // depends on the machine
		return strings.Contains(readme, "¼ of memory") && strings.Contains(shown, "¼ of memory")
	}
	var d1, d2 time.Duration
	if setDuration(&d1, readme) == nil && setDuration(&d2, shown) == nil && d1 == d2 {
		return true
	}
	var b1, b2 int64
	if setSize(&b1, readme) == nil && setSize(&b2, shown) == nil && b1 == b2 {
		return true
	}
	var p1, p2 int64
	first, _, _ := strings.Cut(shown, " ")
	return setPixels(&p1, readme) == nil && setPixels(&p2, first) == nil && p1 == p2
}
