// Package clienttest proves that the OpenAPI spec served by upscaled is good
// enough for a standard generator: its test fetches the OpenAPI 3 document a
// live server serves at /openapi.json, generates a Go client from it as it
// is with oapi-codegen in a temporary module (testdata/clientmod pins
// oapi-codegen and kin-openapi, whose loader reads the document), and
// drives the real server binary through that client. It has no non-test
// code; it must not import the service's packages (it talks HTTP only).
package clienttest
