// Command openapi3 writes the OpenAPI 3 description of the service next to
// the Swagger 2.0 one that swag generated: it reads DIR/swagger.json and
// writes DIR/openapi.json and DIR/openapi.yaml (`make generate` runs it
// after swag).
//
//	go run ./openapi/cmd/openapi3 openapi
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/upscaled/upscaled/openapi/internal/oas3"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: openapi3 DIR (reads DIR/swagger.json, writes DIR/openapi.json and DIR/openapi.yaml)")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	in, err := os.ReadFile(filepath.Join(dir, "swagger.json"))
	if err != nil {
		return err
	}
	j, y, err := oas3.Convert(in)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi.json"), j, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "openapi.yaml"), y, 0o644)
}
