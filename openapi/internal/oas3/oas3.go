// Package oas3 converts the service's Swagger 2.0 description (written by
// swag) to OpenAPI 3.0 with kin-openapi's openapi2conv, then corrects what
// the conversion cannot know from a 2.0 document, so that client generators
// that read only 3.x (oapi-codegen, openapi-typescript) take the served
// document as it is. `make generate` runs it (openapi/cmd/openapi3) and a
// test in package openapi checks that the committed openapi.json and
// openapi.yaml are what it gives for the committed swagger.json.
//
// It is a build tool: the server does not import it (it serves the
// committed, embedded output).
package oas3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"
)

// Convert returns the OpenAPI 3 document for a Swagger 2.0 one, as indented
// JSON and as YAML. Both are deterministic: object keys are sorted.
func Convert(swagger2 []byte) (jsonDoc, yamlDoc []byte, err error) {
	var doc2 openapi2.T
	if err := json.Unmarshal(swagger2, &doc2); err != nil {
		return nil, nil, fmt.Errorf("parse Swagger 2.0: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, nil, fmt.Errorf("convert to OpenAPI 3: %w", err)
	}
	fix(doc3)
	raw, err := json.Marshal(doc3)
	if err != nil {
		return nil, nil, err
	}
	// Reload from the bytes, as a client generator will, and validate.
	loaded, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("load the OpenAPI 3 document: %w", err)
	}
	if err := loaded.Validate(context.Background()); err != nil {
		return nil, nil, fmt.Errorf("the OpenAPI 3 document is invalid: %w", err)
	}
	// Through a generic value so that every object's keys come out sorted.
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(generic); err != nil {
		return nil, nil, err
	}
	jsonDoc = buf.Bytes()
	yamlDoc, err = yaml.JSONToYAML(jsonDoc)
	if err != nil {
		return nil, nil, err
	}
	return jsonDoc, yamlDoc, nil
}

// problemType is the media type of every error response (RFC 9457).
const problemType = "application/problem+json"

// rawImageTypes are the Content-Types POST /v1/upscale takes as a raw image
// body (api/upload.go), the options then coming as query parameters.
var rawImageTypes = []string{"image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "application/octet-stream"}

// fix corrects the converted document where Swagger 2.0 could not say what
// the service does:
//   - 2.0 has one produces list per operation, so every response got every
//     media type: an error (a Problem) is only application/problem+json,
//     and a success is never application/problem+json;
//   - the Authorization header is an HTTP bearer scheme (2.0 has only apiKey);
//   - POST /v1/upscale also takes the raw image as the body, with the
//     options as query parameters;
//   - openapi2conv's x-formData-name marks on multipart properties (its own
//     round-trip bookkeeping) go.
func fix(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			fixResponses(op)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					if mt.Schema != nil && mt.Schema.Value != nil {
						for _, prop := range mt.Schema.Value.Properties {
							if prop.Value != nil {
								delete(prop.Value.Extensions, "x-formData-name")
								if len(prop.Value.Extensions) == 0 {
									prop.Value.Extensions = nil
								}
							}
						}
					}
				}
			}
		}
	}
	if doc.Components != nil {
		if s := doc.Components.SecuritySchemes["BearerKey"]; s != nil && s.Value != nil && s.Value.Type == "apiKey" {
			s.Value.Type, s.Value.Scheme, s.Value.In, s.Value.Name = "http", "bearer", "", ""
		}
	}
	if item := doc.Paths.Value("/v1/upscale"); item != nil && item.Post != nil {
		rawUpscaleBody(item.Post)
	}
}

// fixResponses gives each response the media types it is really sent as.
func fixResponses(op *openapi3.Operation) {
	if op.Responses == nil {
		return
	}
	for _, resp := range op.Responses.Map() {
		if resp.Value == nil || len(resp.Value.Content) == 0 {
			continue
		}
		content := resp.Value.Content
		var schema *openapi3.SchemaRef
		for _, mt := range content {
			schema = mt.Schema
			break
		}
		if schema != nil && schema.Ref == "#/components/schemas/Problem" {
			resp.Value.Content = openapi3.Content{problemType: &openapi3.MediaType{Schema: schema}}
			continue
		}
		if len(content) > 1 {
			delete(content, problemType)
		}
	}
}

// rawUpscaleBody adds the raw image body to POST /v1/upscale's request body
// and its multipart options as query parameters.
func rawUpscaleBody(op *openapi3.Operation) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return
	}
	form := op.RequestBody.Value.Content.Get("multipart/form-data")
	if form == nil || form.Schema == nil || form.Schema.Value == nil {
		return
	}
	image := form.Schema.Value.Properties["image"]
	for _, t := range rawImageTypes {
		op.RequestBody.Value.Content[t] = &openapi3.MediaType{Schema: openapi3.NewSchemaRef("", &openapi3.Schema{
			Type:        &openapi3.Types{openapi3.TypeString},
			Format:      "binary",
			Description: image.Value.Description,
		})}
	}
	names := make([]string, 0, len(form.Schema.Value.Properties))
	for name := range form.Schema.Value.Properties {
		if name != "image" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		prop := form.Schema.Value.Properties[name]
		p := openapi3.NewQueryParameter(name).WithSchema(prop.Value)
		p.Description = prop.Value.Description + " (As a query parameter: the options of a raw image body.)"
		op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: p})
	}
}
