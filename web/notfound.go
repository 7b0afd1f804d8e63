package web

import (
	"encoding/json"
	"net/http"
)

// plainNotFound answers an unknown file name with an RFC 9457 problem
// document, the error format of the whole service.
func plainNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":   "about:blank",
		"title":  "Not Found",
		"status": http.StatusNotFound,
		"detail": "no page file at " + r.URL.Path,
	})
}
