package api

import (
	"encoding/json"
	"net/http"
)

// handleHealthz answers while the process serves HTTP: no auth, no budget.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// handleReadyz answers 200 once the engine self-test passed, 503 otherwise
// (starting, failed self-test, shutting down).
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ready, detail := s.ready()
	if !ready {
		s.writeProblem(w, r, &statusError{status: http.StatusServiceUnavailable, slug: "not-ready", detail: detail})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "ready", "engine": s.engine, "detail": detail})
}
