package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/upscaled/upscaled/"

// layer of each production package, lowest first; a package may import
// only packages of a lower layer (or its own engines subtree's interface
// package). Test-only packages (internal/e2e, soak, hostile, testenv…) are
// outside the rule.
var layer = map[string]int{
	"models": 0, "internal/cpuwork": 0, "internal/timeline": 0, "openapi": 0, "web": 0, "blob": 0,
	"engines": 1, "tiling": 1, "imaging": 1,
	"engines/cpu": 2, "engines/vulkan": 2, "engines/sched": 2,
	"upscale": 3,
	"budget":  4, "jobs": 4, "cache": 4,
	"api":          5,
	"server":       6,
	"cmd/upscaled": 7,
}

// forbidden names imports that would cross the layers sideways: the HTTP
// surface never reaches an engine implementation, jobs never the API.
var forbidden = map[string][]string{
	"api":  {"engines/cpu", "engines/vulkan", "engines/sched"},
	"jobs": {"engines/cpu", "engines/vulkan", "engines/sched", "budget"},
}

func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		from, ok := layer[pkg]
		if !ok {
			continue
		}
		seen[pkg] = true
		for _, imp := range fields[1:] {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			to, known := layer[dep]
			switch {
			case !known:
				t.Errorf("%s imports %s, test support or a package with no layer (add it to the table)", pkg, dep)
			case known && to >= from:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point down", pkg, from, dep, to)
			}
			for _, f := range forbidden[pkg] {
				if dep == f {
					t.Errorf("%s imports %s", pkg, dep)
				}
			}
		}
	}
	for pkg := range layer {
		if !seen[pkg] {
			t.Errorf("package %s is in the layer table but not in the module", pkg)
		}
	}
}
