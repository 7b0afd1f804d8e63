package openapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/api"
	_ "github.com/upscaled/upscaled/engines/cpu" // the engine the test server runs on
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/openapi"
	"github.com/upscaled/upscaled/server"
)

// TestRoutesMatchSpec builds the service's real handler tree (as `upscaled
// serve` does, on the CPU engine) and checks that every chi route is an
// operation of the embedded spec and every operation is a chi route.
func TestRoutesMatchSpec(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Engine = "cpu"
	cfg.DataDir = t.TempDir()
	cfg.ModelsDir = testenv.ModelsDir(t)
	srv, err := server.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	a, ok := srv.Handler().(*api.Server)
	if !ok {
		t.Fatalf("server.Handler() is a %T, want *api.Server", srv.Handler())
	}
	routes := a.Routes()
	if routes == nil {
		t.Fatal("api.Server.Routes() is nil: the handler tree is no longer a chi router")
	}
	var served []string
	err = chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served = append(served, method+" "+strings.TrimSuffix(route, "/*"))
		return nil
	})
	if err != nil {
		t.Fatalf("chi.Walk: %v", err)
	}
	documented := specOperations(t, openapi.SwaggerJSON)

	for _, op := range served {
		if !slices.Contains(documented, op) {
			t.Errorf("route %s is served but not in the spec: annotate its handler and run `make generate`", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("operation %s is in the spec but no route serves it", op)
		}
	}
	if len(served) < 10 {
		t.Errorf("only %d routes walked (%v): the walk missed the tree", len(served), served)
	}
}

// specOperations lists "METHOD /path" for every operation of a Swagger 2.0 document.
func specOperations(t *testing.T, spec []byte) []string {
	t.Helper()
	var doc struct {
		BasePath string                                `json:"basePath"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatalf("embedded swagger.json: %v", err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				ops = append(ops, strings.ToUpper(method)+" "+strings.TrimSuffix(doc.BasePath, "/")+path)
			}
		}
	}
	slices.Sort(ops)
	return ops
}
