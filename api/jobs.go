package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/jobs"
)

// JobsConfig configures the jobs routes.
type JobsConfig struct {
	// Heartbeat is the period of SSE comments keeping idle event streams
	// open through proxies (default 15 s).
	Heartbeat time.Duration
	// UploadIdle is how long a job upload may send nothing before it is
	// cut with 408 (default 1 min): a large upload may take long, not stall.
	UploadIdle time.Duration
	// PresignTTL, when positive and the results are in S3, answers item
	// downloads with a 307 to a presigned URL valid this long.
	PresignTTL time.Duration
}

// JobStore is what the /v1/jobs routes need of the job manager
// (*jobs.Manager): accepting uploads, reading, listing, cancelling jobs and
// their results, and following their events.
type JobStore interface {
	Begin(ctx context.Context, owner, idemKey string) (*jobs.Upload, error)
	Cancel(ctx context.Context, owner, id string) error
	Config() jobs.Config
	Get(ctx context.Context, owner, id string) (jobs.Job, error)
	List(ctx context.Context, owner string, limit int, cursor string) ([]jobs.Job, string, error)
	Result(ctx context.Context, owner, id string, n int) (jobs.File, jobs.Item, error)
	Archive(ctx context.Context, owner, id string) (jobs.Job, func(n int) (jobs.File, error), error)
	Subscribe(ctx context.Context, owner, id string) (jobs.Job, *jobs.Subscription, error)
}

// jobsAPI serves /v1/jobs over a JobStore.
type jobsAPI struct {
	s         *Server
	m         JobStore
	heartbeat time.Duration
	idle      time.Duration
	presign   time.Duration
}

// JobRoutes mounts the jobs API (Deps.Routes) behind the /v1 authentication.
func JobRoutes(m JobStore, cfg JobsConfig) Mount {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.UploadIdle <= 0 {
		cfg.UploadIdle = time.Minute
	}
	return func(s *Server, r chi.Router) {
		h := &jobsAPI{s: s, m: m, heartbeat: cfg.Heartbeat, idle: cfg.UploadIdle, presign: cfg.PresignTTL}
		r.Post("/jobs", s.handle(h.submit))
		r.Get("/jobs", s.handle(h.list))
		r.Get("/jobs/{id}", s.handle(h.get))
		r.Delete("/jobs/{id}", s.handle(h.cancel))
		r.Get("/jobs/{id}/events", s.handle(h.events))
		r.Get("/jobs/{id}/items/{n}", s.handle(h.item))
		r.Get("/jobs/{id}/archive", s.handle(h.archive))
	}
}

// maxJobFields bounds the non-file fields of a job upload.
const maxJobFields = 32

// idleBody pushes the connection's read deadline idle ahead as long as
// data keeps coming, never past end: the upload's total deadline.
type idleBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	idle  time.Duration
	total time.Duration // end - start, for the message
	end   time.Time
	last  time.Time
}

func (b *idleBody) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(b.last) > time.Second {
		// unsupported (HTTP/2 tests): no limit
		_ = b.rc.SetReadDeadline(minTime(now.Add(b.idle), b.end))
		b.last = now
	}
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		detail := fmt.Sprintf("the job upload sent nothing for %v: it was cut", b.idle)
		if !time.Now().Before(b.end) {
			detail = fmt.Sprintf("the job upload did not finish within %v (UPSCALED_JOB_UPLOAD_TIMEOUT): it was cut", b.total)
		}
		err = &statusError{status: http.StatusRequestTimeout, slug: "upload-timeout", err: err, detail: detail}
	}
	return n, err
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// submit serves POST /v1/jobs.
//
//	@Summary		Submit a batch job
//	@Description	Multipart upload of one or more files in field "images", with the options of POST /v1/upscale as fields or query parameters (applied to every image). The upload is streamed to disk; item count and total bytes are checked as it streams (413). Each image's header is checked: a bad one is recorded failed with its reason while the others run. With an Idempotency-Key header, a retry with the same files (names and bytes) and options returns the job created first (Idempotent-Replayed: true); the same key with another request gets 422; the key of a deleted job is free again. New jobs are refused with 507 when the data directory is low on space.
//	@Tags			jobs
//	@Accept			multipart/form-data
//	@Produce		json,application/problem+json
//	@Param			images			formData	file	true	"the images (repeat the field)"
//	@Param			options			formData	UpscaleOptions	false	"the options of POST /v1/upscale, applied to every image"
//	@Param			Idempotency-Key	header		string	false	"makes a retried submission return the same job (per API key)"
//	@Success		202				{object}	JobDoc	"the job; Location: /v1/jobs/{id}"
//	@Header			202				{string}	Location	"/v1/jobs/{id}"
//	@Failure		400				{object}	Problem	"bad option or no images (the field is named)"
//	@Failure		401				{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure		413				{object}	Problem	"too many images or too many bytes (the limit is named)"
//	@Failure		415				{object}	Problem	"not multipart/form-data"
//	@Failure		422				{object}	Problem	"Idempotency-Key already used with other files or options"
//	@Failure		500				{object}	Problem	"internal error (logged with the request id)"
//	@Failure		408				{object}	Problem	"the upload stalled, or did not finish within UPSCALED_JOB_UPLOAD_TIMEOUT"
//	@Failure		503				{object}	Problem	"busy (UPSCALED_JOB_MAX_UPLOADS uploads at once) or shutting down; see Retry-After"
//	@Header			503				{integer}	Retry-After	"seconds to wait before retrying"
//	@Failure		507				{object}	Problem	"the server is low on disk space"
//	@Security		BearerKey
//	@ID			submitJob
//	@Router			/v1/jobs [post]
func (h *jobsAPI) submit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cfg := h.m.Config()
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "multipart/form-data" {
		return &statusError{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type",
			detail: fmt.Sprintf("Content-Type %q: send multipart/form-data with the files in field \"images\"", ct)}
	}
	// the limits on file bytes are checked by the upload; this bounds the
	// multipart framing and fields around them
	body := &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: h.idle,
		total: cfg.UploadTimeout, end: time.Now().Add(cfg.UploadTimeout)}
	r.Body = http.MaxBytesReader(w, body, cfg.MaxBytes+16<<20)
	up, err := h.m.Begin(ctx, KeyID(ctx), r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	defer up.Abort()
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("", "malformed multipart body: %v", err)
	}
	form := url.Values{}
	fields := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadError(err, "malformed multipart body")
		}
		name := part.FormName()
		raw, isFile := partFileName(part.Header.Get("Content-Disposition"))
		switch {
		case name == "images":
			err = up.Add(ctx, []byte(raw), part)
			part.Close()
			if err != nil && !knownError(err) {
				err = uploadError(err, "reading image "+strconv.Quote(raw))
			}
			if err != nil {
				return err
			}
		case isFile:
			part.Close()
			return badRequest(name, "unexpected file field %q: the images go in field \"images\"", name)
		default:
			fields++
			if fields > maxJobFields {
				part.Close()
				return badRequest(name, "more than %d form fields", maxJobFields)
			}
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			part.Close()
			if err != nil {
				return uploadError(err, "reading field "+name)
			}
			if len(b) > maxFieldBytes {
				return badRequest(name, "field %q is longer than %d bytes", name, maxFieldBytes)
			}
			form.Add(name, string(b))
		}
	}
	for k, vs := range r.URL.Query() {
		form[k] = append(form[k], vs...)
	}
	opts, err := ParseOptions(form)
	if err != nil {
		return err
	}
	j, replayed, err := up.Commit(ctx, opts)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return h.accepted(w, r, j)
}

// uploadError keeps a stalled upload's 408, else reports as bodyError.
func uploadError(err error, what string) error {
	var se *statusError
	if errors.As(err, &se) {
		return se
	}
	return bodyError(err, what)
}

// partFileName is the file name of a part as sent (RFC 7578, with RFC 2231
// filename* decoded), and whether the part is a file at all.
func partFileName(disposition string) (string, bool) {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return "", false
	}
	name, ok := params["filename"]
	return name, ok
}

func (h *jobsAPI) accepted(w http.ResponseWriter, r *http.Request, j jobs.Job) error {
	w.Header().Set("Location", jobURL(j.ID))
	writeJobJSON(w, http.StatusAccepted, newJobDoc(j, true))
	return nil
}

// get serves GET /v1/jobs/{id}.
//
//	@Summary	A job's state, progress and items
//	@Tags		jobs
//	@Produce	json,application/problem+json
//	@Param		id	path		string	true	"job id"
//	@Success	200	{object}	JobDoc
//	@Failure	401	{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure	404	{object}	Problem	"no such job (or another API key's)"
//	@Failure	410	{object}	Problem	"job deleted"
//	@Security	BearerKey
//	@ID			getJob
//	@Router		/v1/jobs/{id} [get]
func (h *jobsAPI) get(w http.ResponseWriter, r *http.Request) error {
	j, err := h.m.Get(r.Context(), KeyID(r.Context()), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJobJSON(w, http.StatusOK, newJobDoc(j, true))
	return nil
}

// JobList is a page of the caller's jobs.
type JobList struct {
	// Jobs, newest first, without their items.
	Jobs []JobDoc `json:"jobs"`
	// NextCursor fetches the next page (GET /v1/jobs?cursor=…); absent on
	// the last page.
	NextCursor string `json:"next_cursor,omitempty"`
} // @name JobList

// list serves GET /v1/jobs.
//
//	@Summary	The caller's jobs, newest first
//	@Tags		jobs
//	@Produce	json,application/problem+json
//	@Param		limit	query		int		false	"jobs per page, 1..100 (default 20)"
//	@Param		cursor	query		string	false	"next_cursor of the previous page"
//	@Success	200		{object}	JobList
//	@Failure	400		{object}	Problem	"bad limit or cursor"
//	@Failure	401		{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Security	BearerKey
//	@ID			listJobs
//	@Router		/v1/jobs [get]
func (h *jobsAPI) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "limit" && k != "cursor" {
			return badRequest(k, "unknown query parameter %q (accepted: limit, cursor)", k)
		}
	}
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return badRequest("limit", "limit must be an integer 1..100, got %q", v)
		}
		limit = n
	}
	js, next, err := h.m.List(r.Context(), KeyID(r.Context()), limit, q.Get("cursor"))
	if err != nil {
		return err
	}
	out := JobList{Jobs: make([]JobDoc, 0, len(js)), NextCursor: next}
	for _, j := range js {
		out.Jobs = append(out.Jobs, newJobDoc(j, false))
	}
	writeJobJSON(w, http.StatusOK, out)
	return nil
}

// cancel serves DELETE /v1/jobs/{id}.
//
//	@Summary		Delete a job: cancel its work, remove its results
//	@Description	Pending items are canceled, a running item stops at its next tile, every file of the job is deleted and its Idempotency-Key released. The job leaves the list at once; GET on it answers 410 until its TTL passes, then 404. Deleting it again answers 204.
//	@Tags			jobs
//	@Produce		application/problem+json
//	@Param			id	path	string	true	"job id"
//	@Success		204
//	@Failure		401	{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure		404	{object}	Problem	"no such job (or another API key's)"
//	@Security		BearerKey
//	@ID			deleteJob
//	@Router			/v1/jobs/{id} [delete]
func (h *jobsAPI) cancel(w http.ResponseWriter, r *http.Request) error {
	if err := h.m.Cancel(r.Context(), KeyID(r.Context()), chi.URLParam(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// item serves GET /v1/jobs/{id}/items/{n}.
//
//	@Summary	One item's result
//	@Tags		jobs
//	@Produce	image/webp,image/png,image/jpeg,application/problem+json
//	@Param		id	path		string	true	"job id"
//	@Param		n	path		int		true	"item index, from 0"
//	@Success	200	{file}		binary	"the result image (Content-Disposition names it)"
//	@Header		200	{string}	X-Upscaled-Output-Size	"WIDTHxHEIGHT in pixels"
//	@Success	307	{string}	string	"with UPSCALED_PRESIGN_TTL and an S3 store: Location is a presigned URL of the result"
//	@Header		307	{string}	Location	"presigned S3 URL, valid for UPSCALED_PRESIGN_TTL"
//	@Failure	400	{object}	Problem	"the item index is not an integer"
//	@Failure	401	{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure	404	{object}	Problem	"no such job or item"
//	@Failure	409	{object}	Problem	"not finished yet, or failed"
//	@Failure	410	{object}	Problem	"job deleted"
//	@Security	BearerKey
//	@ID			getJobItem
//	@Router		/v1/jobs/{id}/items/{n} [get]
func (h *jobsAPI) item(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return badRequest("n", "item index must be an integer, got %q", chi.URLParam(r, "n"))
	}
	if done, err := h.redirect(w, r, n); done || err != nil {
		return err
	}
	f, it, err := h.m.Result(r.Context(), KeyID(r.Context()), chi.URLParam(r, "id"), n)
	if err != nil {
		return err
	}
	defer f.Close()
	hd := w.Header()
	hd.Set("Content-Type", it.ContentType)
	hd.Set("Content-Disposition", contentDisposition(it.Name, it.OutFormat))
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("X-Upscaled-Output-Size", fmt.Sprintf("%dx%d", it.OutWidth, it.OutHeight))
	// ServeContent adds Content-Length and Range support (resumed downloads)
	http.ServeContent(w, r, "", it.Finished, f)
	return nil
}
