package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

// statusClientClosed is logged (never seen by a client) when the client went
// away before the answer.
const statusClientClosed = 499

// problemTypeBase prefixes the problem "type" URIs (RFC 9457); the suffix is
// the slug of the error kind, documented in the README.
const problemTypeBase = "urn:upscaled:problem:"

// errorKinds is the one table mapping error kinds to HTTP statuses. The first
// entry whose error matches (errors.Is) wins.
var errorKinds = []struct {
	err    error
	status int
	slug   string
	field  string // request field the error is about, if any
}{
	{jobs.ErrNotFound, http.StatusNotFound, "job-not-found", ""},
	{jobs.ErrItemNotFound, http.StatusNotFound, "job-item-not-found", ""},
	{jobs.ErrTooManyItems, http.StatusRequestEntityTooLarge, "too-many-items", ""},
	{jobs.ErrTooLarge, http.StatusRequestEntityTooLarge, "job-too-large", ""},
	{jobs.ErrNoItems, http.StatusBadRequest, "no-images", "images"},
	{jobs.ErrLowDisk, http.StatusInsufficientStorage, "insufficient-storage", ""},
	{jobs.ErrDiskFull, http.StatusInsufficientStorage, "insufficient-storage", ""},
	{jobs.ErrNotReady, http.StatusConflict, "result-not-ready", ""},
	{jobs.ErrNoResult, http.StatusConflict, "no-result", ""},
	{jobs.ErrGone, http.StatusGone, "job-deleted", ""},
	{jobs.ErrIdemMismatch, http.StatusUnprocessableEntity, "idempotency-key-reused", ""},
	{jobs.ErrBadRequest, http.StatusBadRequest, "invalid-request", ""},
	{jobs.ErrBusy, http.StatusServiceUnavailable, "busy", ""},
	{jobs.ErrTooManyUploads, http.StatusServiceUnavailable, "busy", ""},
	{jobs.ErrClosed, http.StatusServiceUnavailable, "shutting-down", ""},
	{jobs.ErrStorage, http.StatusServiceUnavailable, "storage-unavailable", ""},
	{budget.ErrTooLarge, http.StatusRequestEntityTooLarge, "over-memory-budget", ""},
	{budget.ErrBusy, http.StatusServiceUnavailable, "busy", ""},
	{upscale.ErrInputTooLarge, http.StatusRequestEntityTooLarge, "input-too-large", ""},
	{upscale.ErrOutputTooLarge, http.StatusRequestEntityTooLarge, "output-too-large", ""},
	{upscale.ErrBadOptions, http.StatusBadRequest, "invalid-request", ""},
	{imaging.ErrTooLarge, http.StatusRequestEntityTooLarge, "input-too-large", ""},
	{imaging.ErrAnimated, http.StatusUnsupportedMediaType, "animated", ""},
	{imaging.ErrUnsupported, http.StatusUnsupportedMediaType, "unsupported-media-type", ""},
	{imaging.ErrCorrupt, http.StatusUnprocessableEntity, "corrupt-image", ""},
	{models.ErrUnknownModel, http.StatusBadRequest, "unknown-model", ""},
	{models.ErrNotInstalled, http.StatusUnprocessableEntity, "model-not-installed", ""},
	{engines.ErrOutOfMemory, http.StatusServiceUnavailable, "device-out-of-memory", ""},
	{engines.ErrDeviceLost, http.StatusServiceUnavailable, "device-lost", ""},
	{engines.ErrUnavailable, http.StatusServiceUnavailable, "engine-unavailable", ""},
	{engines.ErrClosed, http.StatusServiceUnavailable, "shutting-down", ""},
	{syscall.ENOSPC, http.StatusInsufficientStorage, "insufficient-storage", ""},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "timeout", ""},
	{context.Canceled, statusClientClosed, "client-closed", ""},
}

// knownError reports an error the table (or a statusError) already turns
// into a precise problem, so callers need not wrap it in a generic one.
func knownError(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return true
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return true
		}
	}
	return false
}

// statusError is an error raised by the API layer itself (bad options,
// missing fields, authentication, size limits).
type statusError struct {
	status     int
	slug       string // problem type suffix; derived from status when empty
	detail     string // human message naming the field or limit
	field      string // offending request field, if any
	retryAfter time.Duration
	header     http.Header // extra response headers
	err        error       // wrapped cause
}

func (e *statusError) Error() string { return e.detail }
func (e *statusError) Unwrap() error { return e.err }

// badRequest is a 400 naming the offending field.
func badRequest(field, format string, args ...any) error {
	return &statusError{status: http.StatusBadRequest, slug: "invalid-request", field: field, detail: fmt.Sprintf(format, args...)}
}

// Problem is an application/problem+json body (RFC 9457).
type Problem struct {
	Type     string `json:"type" binding:"required" example:"urn:upscaled:problem:upload-too-large"`
	Title    string `json:"title" binding:"required" example:"Request Entity Too Large"`
	Status   int    `json:"status" binding:"required" example:"413"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field names the request field at fault, when there is one.
	Field string `json:"field,omitempty"`
	// RequestID is the id of the request in the server's logs.
	RequestID string `json:"request_id,omitempty"`
} // @name Problem

// classify maps err to its status, problem slug, detail, field and headers.
func classify(err error) (status int, slug, detail, field string, header http.Header) {
	var se *statusError
	var mbe *http.MaxBytesError
	var busy *budget.BusyError
	switch {
	case errors.As(err, &se):
		status, slug, detail, field, header = se.status, se.slug, se.detail, se.field, se.header.Clone()
		if se.retryAfter > 0 {
			if header == nil {
				header = http.Header{}
			}
			header.Set("Retry-After", retryAfterSeconds(se.retryAfter))
		}
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "upload-too-large",
			fmt.Sprintf("the upload exceeds the limit of %s (%d bytes, UPSCALED_MAX_UPLOAD_BYTES)", formatBytes(mbe.Limit), mbe.Limit), "", nil
	default:
		status, slug, detail = http.StatusInternalServerError, "internal", "internal error"
		for _, k := range errorKinds {
			if errors.Is(err, k.err) {
				status, slug, detail, field = k.status, k.slug, err.Error(), k.field
				break
			}
		}
		if revealsInternals(err) {
			detail = publicDetail(slug)
		}
		if errors.As(err, &busy) {
			header = http.Header{"Retry-After": {retryAfterSeconds(busy.RetryAfter)}}
		} else if status == http.StatusServiceUnavailable {
			header = http.Header{"Retry-After": {"5"}}
		}
	}
	if slug == "" {
		slug = slugFor(status)
	}
	return status, slug, detail, field, header
}

// writeProblem answers err as application/problem+json through the error
// table; 5xx errors are logged with their cause.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		// The request's own deadline says which limit it passed.
		if cause := context.Cause(r.Context()); cause != nil && cause != context.DeadlineExceeded {
			err = fmt.Errorf("%w (%v)", cause, err)
		}
	}
	status, slug, detail, field, header := classify(err)
	log := Logger(r.Context())
	switch {
	case status == statusClientClosed:
		log.Info("client closed the request", "err", err)
	case status >= 500 && slug == "not-ready":
		log.Debug("not ready", "detail", detail)
	case errors.Is(err, budget.ErrBusy):
		log.Warn("busy: request refused", "err", err)
	case status >= 500:
		log.Error("request failed", "status", status, "err", err)
	default:
		log.Info("request refused", "status", status, "err", err)
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	p := Problem{
		Type: problemTypeBase + slug, Title: http.StatusText(status), Status: status,
		Detail: detail, Instance: r.URL.Path, Field: field, RequestID: RequestID(r.Context()),
	}
	if p.Title == "" {
		p.Title = "Client Closed Request"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("Content-Disposition")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func slugFor(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid-request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusMethodNotAllowed:
		return "method-not-allowed"
	case http.StatusRequestEntityTooLarge:
		return "too-large"
	case http.StatusUnsupportedMediaType:
		return "unsupported-media-type"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "status-" + strconv.Itoa(status)
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// formatBytes writes n in binary units ("64 MiB").
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}
