package openapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/upscaled/upscaled/openapi"
)

// TestOpenAPI3 loads the embedded OpenAPI 3 document as a client generator
// does, validates it, checks that it has the operations of the Swagger 2.0
// one, and checks the corrections the converter makes (oas3.fix).
func TestOpenAPI3(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.JSON)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc.OpenAPI)
	}
	fromYAML, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if fromYAML.OpenAPI != doc.OpenAPI || fromYAML.Paths.Len() != doc.Paths.Len() {
		t.Errorf("openapi.yaml (%s, %d paths) is not openapi.json (%s, %d paths)", fromYAML.OpenAPI, fromYAML.Paths.Len(), doc.OpenAPI, doc.Paths.Len())
	}

	var ops []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops = append(ops, method+" "+path)
			for code, resp := range op.Responses.Map() {
				for ct, mt := range resp.Value.Content {
					problem := mt.Schema != nil && mt.Schema.Ref == "#/components/schemas/Problem"
					if problem != (ct == "application/problem+json") {
						t.Errorf("%s %s %s: %s with schema %v: a Problem is only application/problem+json", method, path, code, ct, mt.Schema)
					}
				}
			}
		}
	}
	slices.Sort(ops)
	if want := specOperations(t, openapi.SwaggerJSON); !slices.Equal(ops, want) {
		t.Errorf("OpenAPI 3 operations %v\nSwagger 2.0 operations %v", ops, want)
	}

	if s := doc.Components.SecuritySchemes["BearerKey"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Errorf("security scheme BearerKey: %+v, want http bearer", s)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers %+v, want one, \"/\" (relative to where the document is served)", doc.Servers)
	}
	up := doc.Paths.Value("/v1/upscale").Post
	for _, ct := range []string{"multipart/form-data", "image/png", "application/octet-stream"} {
		if up.RequestBody.Value.Content.Get(ct) == nil {
			t.Errorf("POST /v1/upscale does not take %s", ct)
		}
	}
	if up.Parameters.GetByInAndName("query", "format") == nil || up.Parameters.GetByInAndName("query", "image") != nil {
		t.Error("POST /v1/upscale: the options (and not the image) should be query parameters")
	}
	ok := up.Responses.Value("200").Value
	if ok.Content.Get("image/webp") == nil || ok.Content.Get("application/problem+json") != nil {
		t.Errorf("POST /v1/upscale 200 content %v", ok.Content)
	}
	if s := ok.Content.Get("image/png").Schema.Value; !s.Type.Is("string") || s.Format != "binary" {
		t.Errorf("POST /v1/upscale 200 image/png schema %+v, want a binary string", s)
	}
	if strings.Contains(string(openapi.JSON), "x-formData-name") {
		t.Error("openapi.json keeps openapi2conv's x-formData-name marks")
	}
}
