package api

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetricLabelsBounded sends many invented methods and paths: they must
// fold into fixed label values instead of creating a series each.
func TestMetricLabelsBounded(t *testing.T) {
	_, ts := newTestServer(t, testOpts{})
	for i := 0; i < 200; i++ {
		for _, path := range []string{"/healthz", fmt.Sprintf("/nothing-%d", i), fmt.Sprintf("/v1/jobs-%d/x", i)} {
			req, _ := http.NewRequest(fmt.Sprintf("FOO%d", i), ts.URL+path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	series := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "FOO") || strings.Contains(line, "nothing-") || strings.Contains(line, "jobs-") {
			t.Fatalf("a client-chosen value became a label: %s", line)
		}
		if strings.HasPrefix(line, "upscaled_http_requests_total{") {
			series++
		}
	}
	if series > 10 {
		t.Errorf("%d request series after 600 requests with invented methods and paths, want a handful", series)
	}
	if !strings.Contains(string(b), `method="other"`) {
		t.Errorf("invented methods are not counted as method=\"other\"")
	}
}
