package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/openapi"
	"github.com/upscaled/upscaled/web"
)

// mountDocs adds the browser upload page (GET /, /assets/{name}), the
// OpenAPI specs (GET /openapi.json, /openapi.yaml: OpenAPI 3.0; /swagger.json,
// /swagger.yaml: Swagger 2.0) and the documentation page
// (GET /docs, /docs/{name}). They need no API key: the page asks for one and
// sends it on its /v1 calls.
func mountDocs(r chi.Router, notFound http.HandlerFunc) {
	web.Register(r, notFound)
	openapi.Register(r, notFound)
}

// Routes is the route tree, for chi.Walk (the OpenAPI coverage test).
func (s *Server) Routes() chi.Routes {
	rs, _ := s.handler.(chi.Routes)
	return rs
}

// GET /metrics is served by promhttp directly (server.go); swag reads this
// block because the spec is generated with --parseFuncBody, which takes
// annotations from any comment, not only from a function's doc comment.
//
//	@Summary		Prometheus metrics
//	@Description	Requests by route and status, durations split into queue wait and processing, requests in flight, memory budget bytes reserved and available, tiles processed, device memory in use and per-model counts, in the Prometheus text format. Never needs a key.
//	@Tags			health
//	@Produce		plain
//	@Success		200	{string}	string	"Prometheus text exposition format"
//	@ID			metrics
//	@Router			/metrics [get]
