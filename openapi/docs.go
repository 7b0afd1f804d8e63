package openapi

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
)

//go:embed docs
var docsFS embed.FS

// docsTypes are the documentation page's files served at /docs/{name}.
var docsTypes = map[string]string{
	"docs.js":  "text/javascript; charset=utf-8",
	"docs.css": "text/css; charset=utf-8",
}

// Docs serves the interactive documentation page.
//
//	@Summary		Interactive API documentation
//	@Description	A page that renders /swagger.json (the Swagger 2.0 form of /openapi.json): every operation with its parameters, request and response bodies, the schemas, and a form to try each operation against this server. Self-contained (no request to another host).
//	@Tags			docs
//	@Produce		html
//	@Success		200	{string}	string	"the HTML page"
//	@ID			getDocs
//	@Router			/docs [get]
func Docs(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	serveFile(w, r, "docs/index.html", "text/html; charset=utf-8", notFound)
}

// DocsAsset serves the documentation page's script and stylesheet.
//
//	@Summary		Documentation page asset
//	@Description	The script or stylesheet of the documentation page.
//	@Tags			docs
//	@Produce		text/javascript,text/css
//	@Param			name	path		string	true	"file name"	Enums(docs.js, docs.css)
//	@Success		200		{string}	string		"the file"
//	@Failure		404		{object}	api.Problem	"no such file"
//	@ID			getDocsAsset
//	@Router			/docs/{name} [get]
func DocsAsset(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	name := chi.URLParam(r, "name")
	ct, ok := docsTypes[name]
	if !ok {
		notFound(w, r)
		return
	}
	serveFile(w, r, "docs/"+name, ct, notFound)
}

func serveFile(w http.ResponseWriter, r *http.Request, name, contentType string, notFound http.HandlerFunc) {
	b, err := fs.ReadFile(docsFS, name)
	if err != nil {
		notFound(w, r)
		return
	}
	serveBytes(w, r, b, contentType)
}

// plainNotFound answers with an RFC 9457 problem document, the service's
// error format.
func plainNotFound(w http.ResponseWriter, r *http.Request) {
	detail := "no documentation file at " + r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "about:blank", "title": "Not Found", "status": http.StatusNotFound, "detail": detail,
	})
}
