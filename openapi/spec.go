package openapi

import (
	"bytes"
	_ "embed"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// SwaggerJSON is the committed swagger.json (Swagger 2.0), written by swag
// at `make generate`.
//
//go:embed swagger.json
var SwaggerJSON []byte

// SwaggerYAML is the same Swagger 2.0 document as YAML.
//
//go:embed swagger.yaml
var SwaggerYAML []byte

// JSON is the committed openapi.json (OpenAPI 3.0), converted from
// swagger.json at `make generate` (openapi/cmd/openapi3).
//
//go:embed openapi.json
var JSON []byte

// YAML is the same OpenAPI 3.0 document as YAML.
//
//go:embed openapi.yaml
var YAML []byte

// started is the modification time reported for the embedded files.
var started = time.Now()

// contentPolicy lets the docs page load only from this server (its "Try it"
// responses become blob: URLs).
const contentPolicy = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Register mounts the specs and the documentation page; notFound answers an
// unknown file (nil: a plain problem document), so that the server's own
// 404 (with instance and request id) can be used.
func Register(r chi.Router, notFound http.HandlerFunc) {
	if notFound == nil {
		notFound = plainNotFound
	}
	r.Get("/openapi.json", SpecJSON)
	r.Get("/openapi.yaml", SpecYAML)
	r.Get("/swagger.json", SwaggerSpecJSON)
	r.Get("/swagger.yaml", SwaggerSpecYAML)
	r.Get("/docs", func(w http.ResponseWriter, req *http.Request) { Docs(w, req, notFound) })
	r.Get("/docs/{name}", func(w http.ResponseWriter, req *http.Request) { DocsAsset(w, req, notFound) })
}

// SpecJSON serves the OpenAPI 3 description as JSON.
//
//	@Summary		OpenAPI 3 description (JSON)
//	@Description	This API's OpenAPI 3.0 description, for client generators as they are (oapi-codegen, openapi-typescript): converted from the Swagger 2.0 one (/swagger.json) with kin-openapi, with what 2.0 cannot say (error responses only application/problem+json, the bearer scheme, the raw image body of POST /v1/upscale with its options as query parameters).
//	@Tags			docs
//	@Produce		json
//	@Success		200	{object}	object	"OpenAPI 3.0 document"
//	@ID			getSpecJSON
//	@Router			/openapi.json [get]
func SpecJSON(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, JSON, "application/json")
}

// SpecYAML serves the OpenAPI 3 description as YAML.
//
//	@Summary		OpenAPI 3 description (YAML)
//	@Description	The same OpenAPI 3.0 description as /openapi.json, in YAML.
//	@Tags			docs
//	@Produce		application/yaml
//	@Success		200	{string}	string	"OpenAPI 3.0 document"
//	@ID			getSpecYAML
//	@Router			/openapi.yaml [get]
func SpecYAML(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, YAML, "application/yaml")
}

// SwaggerSpecJSON serves the Swagger 2.0 description as JSON.
//
//	@Summary		Swagger 2.0 description (JSON)
//	@Description	This API's Swagger 2.0 description, as swag generates it from the handlers' annotations; the documentation page renders it. /openapi.json is the OpenAPI 3.0 form.
//	@Tags			docs
//	@Produce		json
//	@Success		200	{object}	object	"Swagger 2.0 document"
//	@ID			getSwaggerJSON
//	@Router			/swagger.json [get]
func SwaggerSpecJSON(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, SwaggerJSON, "application/json")
}

// SwaggerSpecYAML serves the Swagger 2.0 description as YAML.
//
//	@Summary		Swagger 2.0 description (YAML)
//	@Description	The same Swagger 2.0 description as /swagger.json, in YAML.
//	@Tags			docs
//	@Produce		application/yaml
//	@Success		200	{string}	string	"Swagger 2.0 document"
//	@ID			getSwaggerYAML
//	@Router			/swagger.yaml [get]
func SwaggerSpecYAML(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, SwaggerYAML, "application/yaml")
}

func serveBytes(w http.ResponseWriter, r *http.Request, b []byte, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", contentPolicy)
	http.ServeContent(w, r, "", started, bytes.NewReader(b))
}
