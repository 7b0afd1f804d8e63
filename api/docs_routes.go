package api

import (
	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/openapi"
	"github.com/upscaled/upscaled/web"
)

// mountDocs adds the browser upload page (GET /, /assets/{name}), the
// OpenAPI spec (GET /openapi.json, /openapi.yaml) and the documentation page
// (GET /docs, /docs/{name}). They need no API key: the page asks for one and
// sends it on its /v1 calls.
func mountDocs(r chi.Router) {
	web.Register(r)
	openapi.Register(r)
}

// Routes is the route tree, for chi.Walk (the OpenAPI coverage test).
func (s *Server) Routes() chi.Routes {
	rs, _ := s.handler.(chi.Routes)
	return rs
}
