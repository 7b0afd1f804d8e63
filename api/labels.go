package api

import "net/http"

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
