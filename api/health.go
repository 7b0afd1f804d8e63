package api

import (
	"encoding/json"
	"net/http"
)

// handleHealthz answers while the process serves HTTP: no auth, no budget.
//
//	@Summary		Liveness
//	@Description	200 while the process serves HTTP. Never needs a key, never waits for memory.
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	map[string]string	"status: ok"
//	@ID			healthz
//	@Router			/healthz [get]
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// handleReadyz answers 200 once the engine self-test passed, 503 otherwise
// (starting, failed self-test, shutting down).
//
//	@Summary		Readiness
//	@Description	200 once the engine self-test (a known tiny image through each engine in use, compared with the expected output) has passed; 503 while starting, after a failed self-test or a device failure, and while shutting down.
//	@Tags			health
//	@Produce		json,application/problem+json
//	@Success		200	{object}	map[string]string	"status, engine and the self-test result"
//	@Failure		503	{object}	Problem				"not ready, with the reason"
//	@ID			readyz
//	@Router			/readyz [get]
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
