package openapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/openapi"
)

func TestHandlers(t *testing.T) {
	r := chi.NewRouter()
	openapi.Register(r, nil)
	tests := []struct {
		path        string
		status      int
		contentType string
		check       func(t *testing.T, body []byte)
	}{
		{"/openapi.json", 200, "application/json", func(t *testing.T, b []byte) {
			var doc struct {
				OpenAPI string         `json:"openapi"`
				Paths   map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(b, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) == 0 {
				t.Errorf("not an OpenAPI 3 document with paths (openapi %q): %v", doc.OpenAPI, err)
			}
			if !bytes.Equal(b, openapi.JSON) {
				t.Error("served JSON differs from the embedded openapi.json")
			}
		}},
		{"/openapi.yaml", 200, "application/yaml", func(t *testing.T, b []byte) {
			if !bytes.Equal(b, openapi.YAML) || !bytes.Contains(b, []byte("\nopenapi: 3.")) {
				t.Errorf("not the OpenAPI 3 YAML: %.80s", b)
			}
		}},
		{"/swagger.json", 200, "application/json", func(t *testing.T, b []byte) {
			var doc struct {
				Swagger string         `json:"swagger"`
				Paths   map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(b, &doc); err != nil || doc.Swagger != "2.0" || len(doc.Paths) == 0 {
				t.Errorf("not a Swagger 2.0 document with paths: %v", err)
			}
			if !bytes.Equal(b, openapi.SwaggerJSON) {
				t.Error("served JSON differs from the embedded swagger.json")
			}
		}},
		{"/swagger.yaml", 200, "application/yaml", func(t *testing.T, b []byte) {
			if !bytes.Equal(b, openapi.SwaggerYAML) || !bytes.Contains(b, []byte("swagger: \"2.0\"")) {
				t.Errorf("not the Swagger 2.0 YAML: %.80s", b)
			}
		}},
		{"/docs", 200, "text/html; charset=utf-8", func(t *testing.T, b []byte) {
			if !bytes.Contains(b, []byte(`src="/docs/docs.js"`)) {
				t.Error("the docs page does not load its script")
			}
		}},
		{"/docs/docs.js", 200, "text/javascript; charset=utf-8", func(t *testing.T, b []byte) {
			if !bytes.Contains(b, []byte("fetch('/swagger.json')")) {
				t.Error("the docs script does not read /swagger.json (the Swagger 2.0 document it renders)")
			}
		}},
		{"/docs/docs.css", 200, "text/css; charset=utf-8", nil},
		{"/docs/index.html", 404, "application/problem+json", nil},
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
			if tc.check != nil {
				tc.check(t, body)
			}
			for _, ref := range []string{"https://", "//cdn"} {
				if strings.HasPrefix(tc.path, "/docs") && bytes.Contains(body, []byte(ref)) {
					t.Errorf("the docs page refers to %q: it must work offline", ref)
				}
			}
		})
	}
}
