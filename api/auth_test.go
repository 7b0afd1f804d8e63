package api

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func TestAPIKeys(t *testing.T) {
	_, ts := newTestServer(t, testOpts{cfg: Config{APIKeys: []string{"alpha-key", " beta-key "}}})
	tests := []struct {
		name, path, auth string
		status           int
		wantChallenge    string
	}{
		{"no key", "/v1/models", "", 401, `Bearer realm="upscaled"`},
		{"wrong key", "/v1/models", "Bearer nope", 401, `error="invalid_token"`},
		{"wrong scheme", "/v1/models", "Basic YWxwaGEta2V5", 401, `Bearer realm="upscaled"`},
		{"key on upscale", "/v1/upscale", "", 401, `Bearer realm="upscaled"`},
		{"good key", "/v1/models", "Bearer alpha-key", 200, ""},
		{"second key trimmed", "/v1/models", "bearer beta-key", 200, ""},
		{"health open", "/healthz", "", 200, ""},
		{"metrics open", "/metrics", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if strings.HasSuffix(tt.path, "upscale") {
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, ts.URL+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if tt.status == 401 {
				problemOf(t, resp, 401)
				if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, tt.wantChallenge) {
					t.Errorf("WWW-Authenticate %q, want %q", got, tt.wantChallenge)
				}
				return
			}
			if resp.StatusCode != tt.status {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
		})
	}
}

// TestKeyIdentity: routes mounted through Deps.Routes (the jobs API) see a
// stable identity per key, different between keys and never the key itself.
func TestKeyIdentity(t *testing.T) {
	srv, err := New(Config{APIKeys: []string{"alpha-key", "beta-key"}, SpoolDir: t.TempDir(), MaxUploadBytes: 1 << 20}, Deps{
		Upscaler: testPipeline(t, defaultPipelineConfig()), Budget: newTestBudget(),
		Routes: []Mount{func(s *Server, r chi.Router) {
			r.Get("/whoami", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, KeyID(r.Context())) })
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	who := func(key string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "/v1/whoami", nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := newRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, _ := who(""); code != 401 {
		t.Fatalf("mounted route without a key: %d, want 401", code)
	}
	c1, a1 := who("alpha-key")
	_, a2 := who("alpha-key")
	_, b1 := who("beta-key")
	if c1 != 200 || a1 == "" || a1 != a2 || a1 == b1 || strings.Contains(a1, "alpha") {
		t.Fatalf("identities: alpha %q/%q beta %q (status %d)", a1, a2, b1, c1)
	}
}

func TestCORS(t *testing.T) {
	tests := []struct {
		name      string
		origins   []string
		origin    string
		preflight bool
		wantAllow string
		wantCode  int
	}{
		{"off by default", nil, "https://reader.example", false, "", 200},
		{"allowed origin", []string{"https://reader.example"}, "https://reader.example", false, "https://reader.example", 200},
		{"other origin", []string{"https://reader.example"}, "https://evil.example", false, "", 200},
		{"wildcard", []string{"*"}, "https://any.example", false, "https://any.example", 200},
		{"preflight", []string{"https://reader.example"}, "https://reader.example", true, "https://reader.example", 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := newTestServer(t, testOpts{cfg: Config{CORSOrigins: tt.origins}})
			method := http.MethodGet
			if tt.preflight {
				method = http.MethodOptions
			}
			req, _ := http.NewRequest(method, ts.URL+"/v1/models", nil)
			req.Header.Set("Origin", tt.origin)
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantCode)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.wantAllow)
			}
			if tt.preflight && !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("preflight allows headers %q", resp.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}
