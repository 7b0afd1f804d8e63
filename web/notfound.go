package web

import (
	"encoding/json"
	"net/http"
)

// notFound answers an unknown file name with an RFC 9457 problem document,
// the error format of the whole service.
func notFound(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":   "about:blank",
		"title":  "Not Found",
		"status": http.StatusNotFound,
		"detail": "no page file named " + name,
	})
}
