package openapi_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/swaggo/swag/gen"

	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/openapi"
	"github.com/upscaled/upscaled/openapi/internal/oas3"
)

// swagConfig mirrors `swag init` as the Makefile's generate target runs it
// (the CLI's defaults plus the Makefile's flags).
func swagConfig(outDir string) *gen.Config {
	return &gen.Config{
		SearchDir:          "openapi,api,web",
		MainAPIFile:        "info.go",
		PropNamingStrategy: "camelcase",
		OutputDir:          outDir,
		OutputTypes:        []string{"json", "yaml"},
		ParseDepth:         100,
		OverridesFile:      ".swaggo",
		ParseGoList:        true,
		LeftTemplateDelim:  "{{",
		RightTemplateDelim: "}}",
		CollectionFormat:   "csv",
		ParseFuncBody:      true,
		RequiredByDefault:  true,
		Debugger:           log.New(io.Discard, "", 0),
	}
}

// TestSpecIsCurrent regenerates the spec from the annotations and fails when
// the committed (and embedded) copy differs: run `make generate`.
func TestSpecIsCurrent(t *testing.T) {
	root := testenv.RepoRoot(t)
	out := t.TempDir()
	t.Chdir(root)
	if err := gen.New().Build(swagConfig(out)); err != nil {
		t.Fatalf("swag: %v", err)
	}
	for _, f := range []struct {
		name     string
		embedded []byte
	}{
		{"swagger.json", openapi.SwaggerJSON},
		{"swagger.yaml", openapi.SwaggerYAML},
	} {
		t.Run(f.name, func(t *testing.T) {
			fresh, err := os.ReadFile(filepath.Join(out, f.name))
			if err != nil {
				t.Fatal(err)
			}
			committed, err := os.ReadFile(filepath.Join(root, "openapi", f.name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fresh, committed) {
				t.Errorf("openapi/%s is stale (annotations changed): run `make generate` and commit it\n%s", f.name, firstDiff(committed, fresh))
			}
			if !bytes.Equal(committed, f.embedded) {
				t.Errorf("the embedded %s differs from openapi/%s", f.name, f.name)
			}
		})
	}
}

// TestOpenAPI3IsCurrent converts the committed swagger.json to OpenAPI 3 as
// `make generate` does (openapi/cmd/openapi3) and fails when the committed
// (and embedded) openapi.json or openapi.yaml differs: run `make generate`.
func TestOpenAPI3IsCurrent(t *testing.T) {
	root := testenv.RepoRoot(t)
	swagger, err := os.ReadFile(filepath.Join(root, "openapi", "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	freshJSON, freshYAML, err := oas3.Convert(swagger)
	if err != nil {
		t.Fatalf("convert swagger.json: %v", err)
	}
	for _, f := range []struct {
		name            string
		fresh, embedded []byte
	}{
		{"openapi.json", freshJSON, openapi.JSON},
		{"openapi.yaml", freshYAML, openapi.YAML},
	} {
		t.Run(f.name, func(t *testing.T) {
			committed, err := os.ReadFile(filepath.Join(root, "openapi", f.name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.fresh, committed) {
				t.Errorf("openapi/%s is stale (swagger.json or the converter changed): run `make generate` and commit it\n%s", f.name, firstDiff(committed, f.fresh))
			}
			if !bytes.Equal(committed, f.embedded) {
				t.Errorf("the embedded %s differs from openapi/%s", f.name, f.name)
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y []byte
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d:\n  committed: %s\n  generated: %s", i+1, x, y)
		}
	}
	return ""
}
