package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/hostile"
)

const (
	keyA = "key-a-0123456789abcdef"
	keyB = "key-b-fedcba9876543210"
)

// tinyPNG is a valid 24×16 PNG of the corpus.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	for _, c := range hostile.Cases() {
		if c.Name == "png-named-jpg" {
			return c.Data
		}
	}
	t.Fatal("corpus lost its png-named-jpg case")
	return nil
}

// TestAccess runs a server with two API keys and small limits: every /v1
// route refuses a missing, malformed or wrong key with 401, another key's
// job is 404 on every job route, responses carry the security headers, and
// the header, body, field, item-count and job-size limits answer 431/413/400.
func TestAccess(t *testing.T) {
	s := startServer(t, "",
		"UPSCALED_API_KEYS="+keyA+","+keyB,
		"UPSCALED_MAX_UPLOAD_BYTES=1MiB",
		"UPSCALED_MAX_HEADER_BYTES=8KiB",
		"UPSCALED_JOB_MAX_BYTES=2MiB",
		"UPSCALED_JOB_MAX_ITEMS=3",
	)
	png := tinyPNG(t)
	img := file{Name: "page.png", ContentType: "image/png", Data: png}
	opts := map[string]string{"model": model, "format": "png"}

	sub := submitJob(t, s, []file{img}, keyA, opts)
	if sub.Status != http.StatusAccepted {
		t.Fatalf("submit with key A: %s", sub)
	}
	id := parseJob(t, sub).ID
	waitJob(t, s, id, keyA, 2*time.Minute)
	other := submitJob(t, s, []file{img}, keyB, opts)
	if other.Status != http.StatusAccepted {
		t.Fatalf("submit with key B: %s", other)
	}
	otherID := parseJob(t, other).ID

	type route struct {
		method, path string
		body         func() (*bytes.Buffer, string)
		job          bool // names key A's job: key B must get 404
	}
	upBody := func() (*bytes.Buffer, string) { return multipartBody(t, "image", []file{img}, opts) }
	jobBody := func() (*bytes.Buffer, string) { return multipartBody(t, "images", []file{img}, opts) }
	routes := []route{
		{"GET", "/v1/models", nil, false},
		{"POST", "/v1/upscale", upBody, false},
		{"POST", "/v1/jobs", jobBody, false},
		{"GET", "/v1/jobs", nil, false},
		{"GET", "/v1/jobs/" + id, nil, true},
		{"GET", "/v1/jobs/" + id + "/events", nil, true},
		{"GET", "/v1/jobs/" + id + "/items/0", nil, true},
		{"GET", "/v1/jobs/" + id + "/archive", nil, true},
		{"DELETE", "/v1/jobs/" + id, nil, true},
	}
	send := func(rt route, auth string) reply {
		var body *bytes.Buffer
		ct := ""
		if rt.body != nil {
			body, ct = rt.body()
		} else {
			body = &bytes.Buffer{}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, rt.method, s.URL+rt.path, body)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", rt.method, rt.path, err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			b.ReadFrom(resp.Body)
		}
		return reply{Status: resp.StatusCode, Header: resp.Header, Body: b.Bytes()}
	}
	// before the routes: the last of them deletes key A's job, which
	// then leaves its list
	t.Run("job list isolation", func(t *testing.T) {
		for key, want := range map[string]string{keyA: id, keyB: otherID} {
			r := do(t, "GET", s.URL+"/v1/jobs?limit=100", nil, "", key)
			var l struct {
				Jobs []jobDoc `json:"jobs"`
			}
			if err := json.Unmarshal(r.Body, &l); err != nil || r.Status != 200 {
				t.Fatalf("list: %s (%v)", r, err)
			}
			found := false
			for _, j := range l.Jobs {
				if j.ID == id && key != keyA || j.ID == otherID && key != keyB {
					t.Errorf("key %s lists another key's job %s", key[:5], j.ID)
				}
				found = found || j.ID == want
			}
			if !found {
				t.Errorf("key %s does not list its own job %s", key[:5], want)
			}
		}
	})

	for _, rt := range routes {
		t.Run(rt.method+" "+strings.Replace(rt.path, id, "{id}", 1), func(t *testing.T) {
			for _, auth := range []string{"", "Bearer wrong-key", "Basic " + keyA, "Bearer", keyA} {
				r := send(rt, auth)
				checkProblem(t, r, http.StatusUnauthorized)
				if r.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 for %q without WWW-Authenticate", auth)
				}
				checkSecurityHeaders(t, r)
			}
			if rt.job {
				r := send(rt, "Bearer "+keyB)
				checkProblem(t, r, http.StatusNotFound)
				checkSecurityHeaders(t, r)
			}
			r := send(rt, "Bearer "+keyA)
			if r.Status < 200 || r.Status > 299 {
				t.Fatalf("with key A: %s", r)
			}
			checkSecurityHeaders(t, r)
			if rt.method == "GET" && rt.path != "/v1/models" || rt.method == "POST" {
				if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
					t.Errorf("Cache-Control %q on a result, want no-store", cc)
				}
			}
		})
	}

	t.Run("health without key", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
			if code, body := s.status(p); code != 200 {
				t.Errorf("%s: %d %s", p, code, tail(body, 200))
			}
		}
	})

	t.Run("limits", func(t *testing.T) {
		// Headers over UPSCALED_MAX_HEADER_BYTES: 431 from the HTTP server.
		r := do(t, "GET", s.URL+"/v1/models", nil, "", keyA, "X-Padding", strings.Repeat("a", 100<<10))
		if r.Status != http.StatusRequestHeaderFieldsTooLarge && r.Status != http.StatusBadRequest {
			t.Errorf("100 KiB header: %s, want 431", r)
		}
		big := append(append([]byte(nil), png...), make([]byte, 2<<20)...)
		r = upscaleMultipart(t, s, file{Name: "big.png", ContentType: "image/png", Data: big}, keyA, opts)
		checkProblem(t, r, http.StatusRequestEntityTooLarge)
		r = do(t, "POST", s.URL+"/v1/upscale?model="+model, bytes.NewReader(big), "image/png", keyA)
		p := checkProblem(t, r, http.StatusRequestEntityTooLarge)
		if !strings.Contains(p.Detail, "1 MiB") {
			t.Errorf("413 detail %q does not name the 1 MiB limit", p.Detail)
		}
		r = upscaleMultipart(t, s, img, keyA, map[string]string{"model": strings.Repeat("m", 5000)})
		checkProblem(t, r, http.StatusBadRequest)
		r = submitJob(t, s, []file{img, img, img, img}, keyA, opts)
		checkProblem(t, r, http.StatusRequestEntityTooLarge)
		mb := file{Name: "x.png", ContentType: "image/png", Data: append(append([]byte(nil), png...), make([]byte, 900<<10)...)}
		r = submitJob(t, s, []file{mb, mb, mb}, keyA, opts)
		checkProblem(t, r, http.StatusRequestEntityTooLarge)
		s.Alive("after the limits")
	})
}

// checkSecurityHeaders fails unless the response forbids MIME sniffing.
func checkSecurityHeaders(t testing.TB, r reply) {
	t.Helper()
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff (status %d)", got, r.Status)
	}
}
