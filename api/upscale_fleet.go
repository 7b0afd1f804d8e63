package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/upscale"
)

// PageRunner runs synchronous pages on a fleet's workers (*jobs.Manager
// on an API-only node, UPSCALED_ROLE=api): the page is stored and enqueued
// as a hidden one-page job, and RunPage returns once it ended, or
// cancels it when ctx ends first.
type PageRunner interface {
	RunPage(ctx context.Context, owner string, rawName []byte, src io.Reader, plan upscale.Plan) (*jobs.Page, error)
}

// retryAfterFleet is the Retry-After of a synchronous page the fleet did
// not finish within UPSCALED_REQUEST_TIMEOUT.
const retryAfterFleet = 5 * time.Second

// upscaleOnFleet answers a checked synchronous request (handleUpscale) by
// running its page on the fleet's workers: the answer has the body and
// headers of a local run. X-Upscaled-Queue-Ms is then everything but the
// worker's processing: storing the input, the wait in the fleet's queue
// and for the worker's memory, reading the result back.
func (s *Server) upscaleOnFleet(w http.ResponseWriter, r *http.Request, up *upload, plan upscale.Plan) error {
	ctx := r.Context()
	log := Logger(ctx).With("model", plan.Model.ID)
	started := time.Now()
	page, err := s.pages.RunPage(ctx, KeyID(ctx), []byte(up.name), up.file, plan)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return &statusError{status: http.StatusServiceUnavailable, slug: "timeout", retryAfter: retryAfterFleet, err: err,
				detail: fmt.Sprintf("the fleet did not finish the page within the request time limit of %v (UPSCALED_REQUEST_TIMEOUT): it was canceled; try again later", s.cfg.RequestTimeout)}
		}
		return err
	}
	defer page.Close()
	if page.Err != nil {
		return fmt.Errorf("upscaling %dx%d %s with %s: %w", plan.Input.Width, plan.Input.Height, plan.Input.Format, plan.Model.ID, page.Err)
	}
	out, err := page.Open(ctx)
	if err != nil {
		return fmt.Errorf("reading the result from the fleet: %w", err)
	}
	defer out.Close()
	size, err := out.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = out.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("reading the result from the fleet: %w", err)
	}
	res, it := page.Result, page.Item
	if res.Model == "" {
		res.Model = plan.Model.ID // a worker that records no run
	}
	if res.InWidth == 0 {
		res.InWidth, res.InHeight = it.InWidth, it.InHeight
	}
	processing := res.Elapsed
	total := time.Since(started)
	queueWait := max(total-processing, 0)
	st := res.Stages
	st.Queue = queueWait

	setResultHeaders(w.Header(), resultHeaders{
		contentType: it.ContentType, name: up.name, format: it.OutFormat, size: size, res: res,
		outWidth: it.OutWidth, outHeight: it.OutHeight, processing: processing, queue: queueWait,
		memory: page.HostBytes, stages: st,
	})
	w.WriteHeader(http.StatusOK)
	if n, err := io.Copy(w, out); err != nil {
		log.Info("sending the result failed", "err", err, "bytes", n)
	}
	log.Info("upscaled on the fleet", "in", fmt.Sprintf("%dx%d", res.InWidth, res.InHeight),
		"out", fmt.Sprintf("%dx%d", it.OutWidth, it.OutHeight), "tiles", res.Tiles, "cache", res.Cache,
		"queue_ms", queueWait.Milliseconds(), "processing_ms", processing.Milliseconds(), "total_ms", total.Milliseconds(), "bytes", size)
	return nil
}
