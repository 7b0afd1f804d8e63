package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Label values that stand for everything outside a fixed set, so that no
// client can create metric series at will.
const (
	otherMethod    = "other"     // a method not in knownMethods
	unmatchedRoute = "unmatched" // a path no route pattern matched
)

// knownMethods are the HTTP methods counted under their own name.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is method when it is a standard one, else otherMethod.
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return otherMethod
}

// methodOrder is the order methods are listed in an Allow header.
var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// allowedMethods lists the methods routes answers on path; GET routes also
// answer HEAD.
func allowedMethods(routes chi.Routes, path string) []string {
	var out []string
	get := routes.Match(chi.NewRouteContext(), http.MethodGet, path)
	for _, m := range methodOrder {
		if routes.Match(chi.NewRouteContext(), m, path) || (m == http.MethodHead && get) {
			out = append(out, m)
		}
	}
	return out
}
