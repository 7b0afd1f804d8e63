// Package clienttest proves that the OpenAPI spec served by upscaled is good
// enough for a standard generator: its test converts the served Swagger 2.0
// document to OpenAPI 3 with kin-openapi, generates a Go client with
// oapi-codegen in a temporary module (testdata/clientmod pins both), and
// drives the real server binary through that client. It has no non-test
// code; it must not import the service's packages (it talks HTTP only).
package clienttest
