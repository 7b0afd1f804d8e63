package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/jobs"
)

// resultURLs is the optional JobStore method that presigns a result's
// download (*jobs.Manager with S3).
type resultURLs interface {
	ResultURL(ctx context.Context, owner, id string, n int, ttl time.Duration, disposition func(jobs.Item) string) (string, error)
}

// redirect answers an item download with 307 to a presigned URL when
// JobsConfig.PresignTTL is set and the store can presign; false when the
// result is to be sent here.
func (h *jobsAPI) redirect(w http.ResponseWriter, r *http.Request, n int) (bool, error) {
	p, ok := h.m.(resultURLs)
	if h.presign <= 0 || !ok {
		return false, nil
	}
	u, err := p.ResultURL(r.Context(), KeyID(r.Context()), chi.URLParam(r, "id"), n, h.presign, func(it jobs.Item) string {
		return contentDisposition(it.Name, it.OutFormat)
	})
	if err != nil || u == "" {
		return false, err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	http.Redirect(w, r, u, http.StatusTemporaryRedirect)
	return true, nil
}
