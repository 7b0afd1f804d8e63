package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// testApp is an app on buffers, with no UPSCALED_* variables set.
func testApp(stdin string) (a *app, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	a = &app{stdin: strings.NewReader(stdin), stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }}
	return a, stdout, stderr
}

// runCLI runs `upscaled ARGS` in process: exit status, stdout, stderr.
func runCLI(t *testing.T, a *app, args ...string) (int, string, string) {
	t.Helper()
	out, errOut := a.stdout.(*bytes.Buffer), a.stderr.(*bytes.Buffer)
	code := run(context.Background(), a, args)
	return code, out.String(), errOut.String()
}

var flagLine = regexp.MustCompile(`(?m)^  (?:-[a-z], )?--([a-z][a-z0-9-]+)`)

// TestHelpEveryCommand: --help, -h and `upscaled help CMD` exit 0 and print
// the same help on stdout: the usage line, a summary and every flag with
// two dashes.
func TestHelpEveryCommand(t *testing.T) {
	cmds := [][]string{{"models", "list"}, {"models", "fetch"}}
	for n := range commands {
		cmds = append(cmds, []string{n})
	}
	for _, c := range cmds {
		name := strings.Join(c, " ")
		t.Run(name, func(t *testing.T) {
			var first string
			for _, args := range [][]string{append(slices.Clone(c), "--help"), append(slices.Clone(c), "-h"), append([]string{"help"}, c...)} {
				a, _, _ := testApp("")
				code, out, errOut := runCLI(t, a, args...)
				if code != exitOK || errOut != "" {
					t.Fatalf("%q: exit %d, stderr %q; want 0 and nothing", args, code, errOut)
				}
				if !strings.HasPrefix(out, "Usage: upscaled "+name+" ") {
					t.Errorf("%q: help does not start with the usage line:\n%s", args, out)
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Errorf("%q prints another help than %q --help", args, c)
				}
			}
			lines := strings.Split(first, "\n")
			if len(lines) < 3 || lines[1] != "" && !strings.HasPrefix(lines[1], "       upscaled ") {
				t.Errorf("usage then a blank line expected:\n%s", first)
			}
			flags := flagLine.FindAllStringSubmatch(first, -1)
			if len(flags) == 0 || flags[len(flags)-1][1] != "help" {
				t.Errorf("no --flag lines ending with --help:\n%s", first)
			}
			if bad := regexp.MustCompile(`(?m)^\s+-[a-z][a-z-]+\b`).FindString(first); bad != "" {
				t.Errorf("a long flag with one dash: %q\n%s", bad, first)
			}
		})
	}
	t.Run("upscale names its flags", func(t *testing.T) {
		a, _, _ := testApp("")
		_, out, _ := runCLI(t, a, "upscale", "--help")
		for _, want := range []string{"-o, --output DIR", "--tile N\n", "--memory SIZE\n", "-q, --quiet\n",
			"env UPSCALED_ENGINE, default auto", "env UPSCALED_MODELS_DIR, default models", "env UPSCALED_DEVICE, default automatic"} {
			if !strings.Contains(out, want) {
				t.Errorf("upscale --help lacks %q", want)
			}
		}
	})
}

func TestTopLevelUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		a, _, _ := testApp("")
		code, out, errOut := runCLI(t, a, args...)
		if code != exitOK || errOut != "" || !strings.HasPrefix(out, "Usage: upscaled COMMAND [flags] ARGS") ||
			!strings.Contains(out, "Exit status: 0 success, 1 failure") || !strings.Contains(out, "  upscale ") {
			t.Errorf("%q: exit %d, stdout:\n%s\nstderr:\n%s", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{nil, {"frobnicate"}, {"help", "frobnicate"}} {
		a, _, _ := testApp("")
		code, out, errOut := runCLI(t, a, args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "Usage: upscaled COMMAND") {
			t.Errorf("%q: exit %d (want 2), stdout %q, stderr:\n%s", args, code, out, errOut)
		}
	}
}

// TestUsageErrors: a bad command line exits 2 with the message and the
// usage on stderr, before any work.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"upscale", "--colour", "a.png", "b.png"}, "unknown flag --colour"},
		{[]string{"upscale", "a.png", "b.png", "--tile", "big"}, `invalid value "big" for flag --tile`},
		{[]string{"upscale", "--memory", "lots", "a.png", "b.png"}, `"lots" is not a size`},
		{[]string{"upscale", "a.png"}, "no output"},
		{[]string{"upscale", "a.png", "b.png", "c.png"}, "-o DIR"},
		{[]string{"upscale", testenv.TestImage(t, "small-color-48x48.png"), "b.bmp"}, "cannot tell the output format"},
		{[]string{"upscale", filepath.Dir(testenv.TestImage(t, "small-color-48x48.png")), "-o", "-"}, "-o - writes one image"},
		{[]string{"upscale", "-", "a.png", "-o", dir}, "must be the only input"},
		{[]string{"serve", "--colour"}, "unknown flag --colour"},
		{[]string{"serve", "now"}, `unexpected argument "now"`},
		{[]string{"devices", "--colour"}, "unknown flag --colour"},
		{[]string{"devices", "extra"}, `unexpected argument "extra"`},
		{[]string{"bench", "--colour"}, "unknown flag --colour"},
		{[]string{"models"}, "want a subcommand"},
		{[]string{"models", "frobnicate"}, `unknown subcommand "frobnicate"`},
		{[]string{"models", "list", "--colour"}, "unknown flag --colour"},
		{[]string{"version", "--colour"}, "unknown flag --colour"},
	}
	for _, tt := range tests {
		a, _, _ := testApp("")
		code, out, errOut := runCLI(t, a, tt.args...)
		name := strings.Fields(strings.Join(tt.args, " "))[0]
		if code != exitUsage || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "Usage: upscaled "+name) || out != "" {
			t.Errorf("%q: exit %d (want 2), stdout %q, stderr (want %q and the usage):\n%s", tt.args, code, out, tt.want, errOut)
		}
	}
}

// batchDir is a folder of n small images (plus files a batch skips).
func batchDir(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	src := []string{"small-color-48x48.png", "small-color-61x37.png", "small-gray-64x64.png", "small-rgba-40x56.png"}
	for i := 0; i < n; i++ {
		b, err := os.ReadFile(testenv.TestImage(t, src[i%len(src)]))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "p"+string(rune('1'+i))+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	return dir
}

func decodeFile(t *testing.T, path string) (*imaging.Image, imaging.Header) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, h, err := imaging.Decode(f, imaging.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m, h
}

func cpuArgs(t *testing.T, args ...string) []string {
	return append([]string{"upscale", "--engine", "cpu", "--models-dir", testenv.ModelsDir(t)}, args...)
}

// TestUpscaleBatch: a folder in, one result per image out, named after
// the input with the output format's extension; plain progress lines on a
// stderr that is not a terminal.
func TestUpscaleBatch(t *testing.T) {
	in := batchDir(t, 3)
	out := filepath.Join(t.TempDir(), "out") // created by the command
	a, _, _ := testApp("")
	code, stdout, stderr := runCLI(t, a, cpuArgs(t, in, "--output", out, "--format", "jpeg")...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	ents, _ := os.ReadDir(out)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "p1.jpg p2.jpg p3.jpg" {
		t.Fatalf("wrote %q, want p1.jpg p2.jpg p3.jpg", names)
	}
	want := map[string][2]int{"p1.jpg": {96, 96}, "p2.jpg": {122, 74}, "p3.jpg": {128, 128}}
	for n, wh := range want {
		m, h := decodeFile(t, filepath.Join(out, n))
		if h.Format != imaging.JPEG || m.W != wh[0] || m.H != wh[1] {
			t.Errorf("%s: %s %dx%d, want jpeg %dx%d", n, h.Format, m.W, m.H, wh[0], wh[1])
		}
	}
	if n := strings.Count(stdout, "\n"); n != 3 {
		t.Errorf("stdout has %d lines, want one per image:\n%s", n, stdout)
	}
	// not a terminal: whole lines, one per page, and the summary
	if strings.Contains(stderr, "\r") || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("progress on a non-terminal must be plain lines: %q", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	page := regexp.MustCompile(`^\[\s*\d+%\] [1-3]/3 pages.*: .*p[1-3]\.png done in `)
	if len(lines) != 4 || !strings.HasPrefix(lines[3], "3 images written to "+out) {
		t.Fatalf("stderr: want 3 page lines and a summary:\n%s", stderr)
	}
	for i, l := range lines[:3] {
		if !page.MatchString(l) || !strings.Contains(l, "] "+string(rune('1'+i))+"/3 pages") {
			t.Errorf("progress line %q", l)
		}
	}
	if !strings.HasPrefix(lines[2], "[100%] 3/3 pages") {
		t.Errorf("last page line %q: want 100%% 3/3", lines[2])
	}

	// a glob, the input's own format (same) by default, --quiet
	out2 := t.TempDir()
	a, _, _ = testApp("")
	code, stdout, stderr = runCLI(t, a, cpuArgs(t, "-q", filepath.Join(in, "p[12].png"), "-o", out2)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("--quiet: exit %d, stderr %q (want 0, nothing)", code, stderr)
	}
	for _, n := range []string{"p1.png", "p2.png"} {
		if _, h := decodeFile(t, filepath.Join(out2, n)); h.Format != imaging.PNG {
			t.Errorf("%s is %s", n, h.Format)
		}
	}
	if _, err := os.Stat(filepath.Join(out2, "p3.png")); err == nil {
		t.Error("p3.png written though the glob does not match it")
	}
}

// TestUpscaleBatchFailure: a corrupt file is reported, the others are
// written, and the exit status is 1 with a summary.
func TestUpscaleBatchFailure(t *testing.T) {
	in := batchDir(t, 2)
	if err := os.WriteFile(filepath.Join(in, "p0-corrupt.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	a, _, _ := testApp("")
	code, _, stderr := runCLI(t, a, cpuArgs(t, "-q", in, "-o", out, "--format", "webp")...)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	for _, n := range []string{"p1.webp", "p2.webp"} {
		if _, h := decodeFile(t, filepath.Join(out, n)); h.Format != imaging.WebP {
			t.Errorf("%s is %s", n, h.Format)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 2 {
		t.Errorf("%d files in the output directory, want 2", len(ents))
	}
	if !strings.Contains(stderr, "p0-corrupt.png: imaging") || !strings.Contains(stderr, "upscaled: 1 of 3 images failed: "+filepath.Join(in, "p0-corrupt.png")) {
		t.Errorf("stderr lacks the failure or the summary:\n%s", stderr)
	}
}

// A missing model would fail every page alike: the batch stops at the
// first, saying once what to fetch.
func TestUpscaleBatchModelMissing(t *testing.T) {
	in, out := batchDir(t, 3), t.TempDir()
	a, _, _ := testApp("")
	code, _, stderr := runCLI(t, a, "upscale", "--engine", "cpu", "--models-dir", t.TempDir(), "-q", in, "-o", out)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "upscaled models fetch"); n != 1 {
		t.Errorf("the missing model is reported %d times, want once:\n%s", n, stderr)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("%d files written without a model", len(ents))
	}
}

// TestUpscaleStdinStdout: - reads the image from stdin, -o - writes the
// result to stdout, nothing else there; UPSCALED_ENGINE and
// UPSCALED_MODELS_DIR stand for the flags.
func TestUpscaleStdinStdout(t *testing.T) {
	src, err := os.ReadFile(testenv.TestImage(t, "small-rgba-40x56.png"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"UPSCALED_ENGINE": "cpu", "UPSCALED_MODELS_DIR": testenv.ModelsDir(t)}
	a, stdout, _ := testApp(string(src))
	a.getenv = func(k string) string { return env[k] }
	code, _, stderr := runCLI(t, a, "upscale", "--quiet", "--format", "png", "-", "-o", "-")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	m, h, err := imaging.Decode(bytes.NewReader(stdout.Bytes()), imaging.Limits{})
	if err != nil || h.Format != imaging.PNG || m.W != 80 || m.H != 112 || m.C != 4 {
		t.Fatalf("stdout: %v %s %v", err, h.Format, h)
	}

	// the IN OUT form with - - keeps the input's format
	a, stdout, _ = testApp(string(src))
	a.getenv = func(k string) string { return env[k] }
	if code, _, stderr := runCLI(t, a, "upscale", "-q", "-", "-"); code != exitOK {
		t.Fatalf("- -: exit %d\n%s", code, stderr)
	}
	if _, h, err := imaging.Decode(bytes.NewReader(stdout.Bytes()), imaging.Limits{}); err != nil || h.Format != imaging.PNG {
		t.Fatalf("- -: %v %s", err, h.Format)
	}

	// an unknown engine in the environment is used, and fails
	env["UPSCALED_ENGINE"] = "warp"
	a, _, _ = testApp(string(src))
	a.getenv = func(k string) string { return env[k] }
	if code, _, stderr := runCLI(t, a, "upscale", "-q", "-", "-o", "-"); code != exitFailure || !strings.Contains(stderr, `"warp"`) {
		t.Fatalf("UPSCALED_ENGINE=warp: exit %d\n%s", code, stderr)
	}
}

// TestProgressTerminal: on a terminal the progress is one line redrawn
// with \r, ended by a newline.
func TestProgressTerminal(t *testing.T) {
	a, _, _ := testApp("")
	a.stderrTTY = true
	out := filepath.Join(t.TempDir(), "x.png")
	code, _, stderr := runCLI(t, a, cpuArgs(t, testenv.TestImage(t, "small-color-61x37.png"), out)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.Contains(stderr, "\r[100%] 1/1 pages") ||
		!strings.Contains(stderr, "MP/s") {
		t.Errorf("terminal progress %q", stderr)
	}
}

func TestSizeFlags(t *testing.T) {
	for in, want := range map[string]int64{"512MiB": 512 << 20, "2GiB": 2 << 30, "1048576": 1 << 20, "64 KiB": 64 << 10} {
		a, _, _ := testApp("")
		f := newFlagSet(a, "x", "")
		m := f.Size("memory", "", 0, "0", "")
		if _, err := f.parse([]string{"--memory", in}); err != nil || *m != want {
			t.Errorf("--memory %s: %d, %v; want %d", in, *m, err, want)
		}
	}
}
