package openapi

import (
	"bytes"
	_ "embed"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// JSON is the committed swagger.json (Swagger 2.0), written by `make generate`.
//
//go:embed swagger.json
var JSON []byte

// YAML is the same spec as YAML.
//
//go:embed swagger.yaml
var YAML []byte

// started is the modification time reported for the embedded files.
var started = time.Now()

// contentPolicy lets the docs page load only from this server (its "Try it"
// responses become blob: URLs).
const contentPolicy = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Register mounts the spec and the documentation page; notFound answers an
// unknown file (nil: a plain problem document), so that the server's own
// 404 (with instance and request id) can be used.
func Register(r chi.Router, notFound http.HandlerFunc) {
	if notFound == nil {
		notFound = plainNotFound
	}
	r.Get("/openapi.json", SpecJSON)
	r.Get("/openapi.yaml", SpecYAML)
	r.Get("/docs", func(w http.ResponseWriter, req *http.Request) { Docs(w, req, notFound) })
	r.Get("/docs/{name}", func(w http.ResponseWriter, req *http.Request) { DocsAsset(w, req, notFound) })
}

// SpecJSON serves the OpenAPI description as JSON.
//
//	@Summary		OpenAPI description (JSON)
//	@Description	This API's Swagger 2.0 description, for client generators (e.g. convert to OpenAPI 3 with kin-openapi and generate with oapi-codegen).
//	@Tags			docs
//	@Produce		json
//	@Success		200	{object}	object	"Swagger 2.0 document"
//	@ID			getSpecJSON
//	@Router			/openapi.json [get]
func SpecJSON(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, JSON, "application/json")
}

// SpecYAML serves the OpenAPI description as YAML.
//
//	@Summary		OpenAPI description (YAML)
//	@Description	The same Swagger 2.0 description as /openapi.json, in YAML.
//	@Tags			docs
//	@Produce		application/yaml
//	@Success		200	{string}	string	"Swagger 2.0 document"
//	@ID			getSpecYAML
//	@Router			/openapi.yaml [get]
func SpecYAML(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, YAML, "application/yaml")
}

func serveBytes(w http.ResponseWriter, r *http.Request, b []byte, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", contentPolicy)
	http.ServeContent(w, r, "", started, bytes.NewReader(b))
}
