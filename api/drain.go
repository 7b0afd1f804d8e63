package api

import (
	"net/http"
)

// probe reports the routes that stay open while the server drains: load
// balancers and Prometheus must get answers until the listener closes.
func probe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// Drain makes the server refuse new work (503 shutting-down, connection
// closed) while probes keep being answered; Active then falls to 0 as the
// requests in flight finish.
func (s *Server) Drain() { s.draining.Store(true) }

// Active is the number of requests in flight, probes excepted.
func (s *Server) Active() int64 { return s.active.Load() }

// drainGate counts requests in flight and, once Drain was called, refuses
// new ones except probes.
func (s *Server) drainGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probe(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
			s.writeProblem(w, r, &statusError{status: http.StatusServiceUnavailable, slug: "shutting-down", retryAfter: retryAfterShutdown,
				detail: "the server is shutting down: retry on another instance or after the restart"})
			return
		}
		s.active.Add(1)
		defer s.active.Add(-1)
		next.ServeHTTP(w, r)
	})
}
