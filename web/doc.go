// Package web owns the browser upload page served at GET /: an HTML page,
// its stylesheet and script, embedded in the binary. The page talks to the
// service only through the public HTTP API (/v1/models, /v1/jobs and the
// job's events, items and archive) and makes no request to another host.
//
// It must not import the api, server or engine packages: it is static files.
package web
