// Package api is the HTTP surface of upscaled: chi routes, handlers, wire
// types validated with go-playground/validator, the one table mapping errors
// to problem+json responses, API-key authentication, CORS, request ids,
// logging and HTTP metrics.
//
// It depends on interfaces (Upscaler) and on server/budget; it must not import
// server, engines or anything using cgo.
package api
