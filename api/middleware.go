package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
)

type ctxKey int

const (
	infoKey ctxKey = iota
	loggerKey
)

// reqInfo is per-request state set by the middleware chain.
type reqInfo struct {
	id  string // request id
	key string // caller's key identity ("" without API keys)
}

// RequestID is the request's id ("" outside a request).
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(infoKey).(*reqInfo); ok {
		return info.id
	}
	return ""
}

// KeyID identifies the API key the caller authenticated with (a hash prefix,
// never the key); "" when API keys are off. Jobs are owned by it.
func KeyID(ctx context.Context) string {
	if info, ok := ctx.Value(infoKey).(*reqInfo); ok {
		return info.key
	}
	return ""
}

// Logger is the request's logger (with req_id), or slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// validRequestID accepts a client's X-Request-Id when it is short and plain.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID gives every request an id (the client's X-Request-Id when
// plain, else a random one), echoed in X-Request-Id, and a logger carrying it.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), infoKey, &reqInfo{id: id})
		ctx = context.WithValue(ctx, loggerKey, s.log.With("req_id", id))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// securityHeaders are sent on every response.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a handler panic into a 500 and a log line with the stack.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			Logger(r.Context()).Error("panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.writeProblem(w, r, fmt.Errorf("internal error: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// deadline bounds a request's processing and its body upload by
// Config.RequestTimeout.
func (s *Server) deadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.RequestTimeout <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.RequestTimeout))
		ctx, cancel := context.WithTimeoutCause(r.Context(), s.cfg.RequestTimeout,
			fmt.Errorf("%w: the request took longer than the limit of %v (UPSCALED_REQUEST_TIMEOUT)", context.DeadlineExceeded, s.cfg.RequestTimeout))
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// recorder captures the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush supports streaming responses (server-sent events).
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// instrument counts requests by route and status, times them, tracks the
// in-flight gauge and writes one access log line per request.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			if r.Context().Err() != nil && status >= 500 {
				status = statusClientClosed
			}
			// route patterns and methods are folded to fixed sets: label
			// values never come from the client
			route := unmatchedRoute
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				route = rc.RoutePattern()
			}
			elapsed := time.Since(start)
			s.metrics.observeRequest(route, methodLabel(r.Method), status, elapsed)
			lvl := slog.LevelInfo
			if route == "/healthz" || route == "/readyz" || route == "/metrics" {
				lvl = slog.LevelDebug
			}
			Logger(r.Context()).Log(r.Context(), lvl, "request", "method", r.Method, "route", route, "path", r.URL.Path,
				"status", status, "bytes", rec.bytes, "duration_ms", elapsed.Milliseconds(), "key", KeyID(r.Context()))
		}()
		next.ServeHTTP(rec, r)
	})
}
