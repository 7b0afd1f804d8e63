package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/web"
)

func TestRoutes(t *testing.T) {
	r := chi.NewRouter()
	web.Register(r, nil)
	tests := []struct {
		path                  string
		status                int
		contentType, contains string
	}{
		{"/", 200, "text/html; charset=utf-8", `<script src="/assets/app.js" defer></script>`},
		{"/assets/app.js", 200, "text/javascript; charset=utf-8", "/v1/jobs"},
		{"/assets/app.css", 200, "text/css; charset=utf-8", ":focus-visible"},
		{"/assets/icon.svg", 200, "image/svg+xml", "<svg"},
		{"/assets/nope.js", 404, "application/problem+json", "nope.js"},
		{"/assets/..%2Fweb.go", 404, "application/problem+json", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body does not contain %q", tc.contains)
			}
			if rec.Code == http.StatusNotFound {
				var p struct {
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				if err := json.Unmarshal(body, &p); err != nil || p.Status != 404 || p.Detail == "" {
					t.Errorf("not a problem document: %s (%v)", body, err)
				}
			}
		})
	}
}

// TestNoExternalReferences checks the page's files name no other host: the
// page must work offline.
func TestNoExternalReferences(t *testing.T) {
	r := chi.NewRouter()
	web.Register(r, nil)
	for _, path := range []string{"/", "/assets/app.js", "/assets/app.css", "/assets/icon.svg"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		// the SVG namespace is a name, not a request
		body := strings.ReplaceAll(rec.Body.String(), `xmlns="http://www.w3.org/2000/svg"`, "")
		for _, ref := range []string{"http://", "https://", "//cdn", "@import"} {
			if strings.Contains(body, ref) {
				t.Errorf("%s refers to %q", path, ref)
			}
		}
	}
}
