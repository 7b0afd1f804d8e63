// Package api is the HTTP surface of upscaled: chi routes, handlers, wire
// types validated with go-playground/validator, the one table mapping errors
// to problem+json responses, API-key authentication, CORS, request ids,
// logging and HTTP metrics.
//
// It depends on interfaces it declares (Upscaler, MemoryBudget, JobStore,
// Readiness) and on the budget and jobs packages for their types and
// errors; it must not import server or an engine implementation
// (engines/cpu, engines/vulkan).
package api
