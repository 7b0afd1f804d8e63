package api

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// layerSlugs are the problem types the API layer raises itself
// (statusError), beside those of the error table.
var layerSlugs = map[string]int{
	"invalid-request": 400, "unauthorized": 401, "not-found": 404, "method-not-allowed": 405,
	"upload-timeout": 408, "upload-too-large": 413, "unsupported-media-type": 415,
	"headers-too-large": 431, "internal": 500, "not-ready": 503,
}

// TestREADMEErrorTable: the README's error table lists every problem type
// the server answers with its status, and nothing else.
func TestREADMEErrorTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "### Errors")
	end := strings.Index(text[start:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README has no ### Errors section")
	}
	row := regexp.MustCompile("(?m)^\\| ([0-9, ]+) \\| ([^|]+) \\|")
	slug := regexp.MustCompile("`([a-z-]+)`")
	documented := map[string]map[int]bool{}
	for _, m := range row.FindAllStringSubmatch(text[start:start+end], -1) {
		var statuses []int
		for _, f := range strings.Split(m[1], ",") {
			n, _ := strconv.Atoi(strings.TrimSpace(f))
			statuses = append(statuses, n)
		}
		slugs := slug.FindAllStringSubmatch(m[2], -1)
		for i, s := range slugs {
			if documented[s[1]] == nil {
				documented[s[1]] = map[int]bool{}
			}
			if len(statuses) == len(slugs) {
				documented[s[1]][statuses[i]] = true
			} else {
				for _, st := range statuses {
					documented[s[1]][st] = true
				}
			}
		}
	}
	served := map[string]int{}
	for _, k := range errorKinds {
		if k.status != statusClientClosed {
			served[k.slug] = k.status
		}
	}
	for s, st := range layerSlugs {
		served[s] = st
	}
	for s, st := range served {
		if !documented[s][st] {
			t.Errorf("README error table lacks %d `%s`", st, s)
		}
	}
	for s := range documented {
		if _, ok := served[s]; !ok {
			t.Errorf("README error table lists `%s`, which the server never answers", s)
		}
	}
}
