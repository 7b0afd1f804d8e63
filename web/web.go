package web

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/go-chi/chi/v5"
)

//go:embed static
var static embed.FS

// assetTypes are the files under static/assets served at /assets/{name},
// with their content types.
var assetTypes = map[string]string{
	"app.js":   "text/javascript; charset=utf-8",
	"app.css":  "text/css; charset=utf-8",
	"icon.svg": "image/svg+xml",
}

// started is the modification time reported for every embedded file.
var started = time.Now()

// contentPolicy lets the page load only from this server: its own files,
// its API, and the blob: URLs it makes for images.
const contentPolicy = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Register mounts the page at GET / and its files at GET /assets/{name};
// notFound answers an unknown file (nil: a plain problem document), so that
// the server's own 404 (with instance and request id) can be used.
func Register(r chi.Router, notFound http.HandlerFunc) {
	if notFound == nil {
		notFound = plainNotFound
	}
	r.Get("/", func(w http.ResponseWriter, req *http.Request) { Index(w, req, notFound) })
	r.Get("/assets/{name}", func(w http.ResponseWriter, req *http.Request) { Asset(w, req, notFound) })
}

// Index serves the upload page.
//
//	@Summary		Browser upload page
//	@Description	The upload page: pick or drop many images, choose a model, follow each file's progress, compare before and after, download results one by one or as a zip. Self-contained (no request to another host).
//	@Tags			web
//	@Produce		html
//	@Success		200	{string}	string	"the HTML page"
//	@ID			getUploadPage
//	@Router			/ [get]
func Index(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	serve(w, r, "static/index.html", "text/html; charset=utf-8", notFound)
}

// Asset serves one of the page's files.
//
//	@Summary		Upload page asset
//	@Description	A stylesheet, script or icon used by the upload page.
//	@Tags			web
//	@Produce		text/javascript,text/css,image/svg+xml
//	@Param			name	path		string	true	"file name"	Enums(app.js, app.css, icon.svg)
//	@Success		200		{string}	string	"the file"
//	@Failure		404		{object}	api.Problem	"no such file"
//	@ID			getPageAsset
//	@Router			/assets/{name} [get]
func Asset(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	name := chi.URLParam(r, "name")
	ct, ok := assetTypes[name]
	if !ok {
		notFound(w, r)
		return
	}
	serve(w, r, path.Join("static/assets", name), ct, notFound)
}

func serve(w http.ResponseWriter, r *http.Request, name, contentType string, notFound http.HandlerFunc) {
	b, err := fs.ReadFile(static, name)
	if err != nil {
		notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", contentPolicy)
	http.ServeContent(w, r, "", started, bytes.NewReader(b))
}
