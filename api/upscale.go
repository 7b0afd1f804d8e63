package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// handleUpscale serves POST /v1/upscale: receive → plan from the header
// (limits, model, memory) → run under the memory budget into a spool file
// → send it. The result is spooled so that a failure still gets its own
// status code.
//
//	@Summary		Upscale one image
//	@Description	Upscales one image and answers the result. Send multipart/form-data with the file in field "image" and the options as form fields, or send the raw image as the body (Content-Type image/png, image/jpeg, image/webp, image/gif, image/bmp or application/octet-stream) with the same options as query parameters. Choose the model by id (model), by preset letter, or by scale + denoise + family; the default is realcugan-up2x-conservative. Limits (upload bytes, input and output pixels, the memory budget) are checked from the header before decoding; each refusal names the limit. On a fleet's API-only node (UPSCALED_ROLE=api) the checked image runs on a worker as a hidden one-page job and the answer is the same (X-Upscaled-Queue-Ms then includes the wait in the fleet's queue); a client that disconnects, or UPSCALED_REQUEST_TIMEOUT passing, cancels the page.
//	@Tags			upscale
//	@Accept			multipart/form-data
//	@Produce		image/webp,image/png,image/jpeg,application/problem+json
//	@Param			image		formData	file	true	"the image: PNG, JPEG, WebP, GIF or BMP (still)"
//	@Param			options		formData	UpscaleOptions	false	"options"
//	@Success		200			{file}		binary	"the upscaled image (Content-Type as chosen by format)"
//	@Header			200			{string}	Content-Disposition			"attachment; the original name with the new extension"
//	@Header			200			{string}	X-Upscaled-Model			"catalog id of the model used"
//	@Header			200			{string}	X-Upscaled-Input-Size		"input WIDTHxHEIGHT in pixels"
//	@Header			200			{string}	X-Upscaled-Output-Size		"output WIDTHxHEIGHT in pixels"
//	@Header			200			{integer}	X-Upscaled-Tiles			"number of tiles processed"
//	@Header			200			{integer}	X-Upscaled-Processing-Ms	"processing time in milliseconds"
//	@Header			200			{integer}	X-Upscaled-Queue-Ms			"time waiting for memory in milliseconds (on a fleet's API node: all but the worker's processing, the fleet's queue included)"
//	@Header			200			{integer}	X-Upscaled-Memory-Bytes		"host memory reserved for this request, in bytes"
//	@Header			200			{string}	X-Upscaled-Notes			"remarks, e.g. a format fallback"
//	@Header			200			{string}	X-Upscaled-Cache			"hit (answered from the result cache, no engine work) or miss (computed and stored); absent when the cache is off"
//	@Header			200			{string}	Server-Timing				"queue, decode, engine and encode times (dur in milliseconds)"
//	@Failure		400			{object}	Problem	"bad option (the field is named)"
//	@Failure		401			{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure		408			{object}	Problem	"the upload did not finish within UPSCALED_REQUEST_TIMEOUT"
//	@Failure		413			{object}	Problem	"upload bytes, input or output pixels, or memory need over the limit (named in detail)"
//	@Failure		415			{object}	Problem	"not an image, or an unsupported or animated format"
//	@Failure		422			{object}	Problem	"corrupt image, or the model is not installed"
//	@Failure		500			{object}	Problem	"internal error (logged with the request id)"
//	@Failure		503			{object}	Problem	"busy (queue full or wait too long), device failure, the request (on a fleet: its page) not finished within UPSCALED_REQUEST_TIMEOUT, or shutting down; see Retry-After"
//	@Header			503			{integer}	Retry-After	"seconds to wait before retrying"
//	@Failure		507			{object}	Problem	"the server's data directory is full"
//	@Security		BearerKey
//	@ID			upscale
//	@Router			/v1/upscale [post]
func (s *Server) handleUpscale(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes)
	up, err := s.receiveImage(r)
	if err != nil {
		return err
	}
	defer up.Close()
	opts, err := ParseOptions(up.form)
	if err != nil {
		return err
	}
	plan, err := s.up.Plan(up.file, opts)
	if err != nil {
		return err
	}
	if s.pages != nil {
		return s.upscaleOnFleet(w, r, up, plan)
	}
	if hit, err := s.serveCached(w, r, up, plan); hit {
		return err
	}
	log := Logger(ctx).With("model", plan.Model.ID)

	out, err := s.spoolFile("result-*")
	if err != nil {
		return err
	}
	defer func() {
		out.Close()
		os.Remove(out.Name())
	}()
	started := time.Now()
	res, err := s.up.Run(ctx, plan, up.file, out, s.budget, nil)
	queueWait := res.Stages.Queue
	s.metrics.ObserveSpan(SpanQueue, queueWait)
	var refused *upscale.ReserveError
	if errors.As(err, &refused) {
		return overBudget(err, plan)
	}
	processing := time.Since(started) - queueWait
	s.metrics.ObserveSpan(SpanProcessing, processing)
	if err != nil {
		s.metrics.CountImage(plan.Model.ID, SourceSync, false, 0)
		if s.failed != nil {
			s.failed(err)
		}
		return fmt.Errorf("upscaling %dx%d %s with %s: %w", plan.Input.Width, plan.Input.Height, plan.Input.Format, plan.Model.ID, err)
	}
	s.metrics.CountImage(plan.Model.ID, SourceSync, true, res.Tiles)
	size, err := out.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = out.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}

	setResultHeaders(w.Header(), resultHeaders{
		contentType: res.ContentType, name: up.name, format: res.Format, size: size, res: res,
		outWidth: res.OutWidth, outHeight: res.OutHeight, processing: processing, queue: queueWait,
		memory: plan.HostBytes, stages: res.Stages,
	})
	w.WriteHeader(http.StatusOK)
	if n, err := io.Copy(w, out); err != nil {
		log.Info("sending the result failed", "err", err, "bytes", n)
	}
	log.Info("upscaled", "in", fmt.Sprintf("%dx%d", res.InWidth, res.InHeight),
		"out", fmt.Sprintf("%dx%d", res.OutWidth, res.OutHeight), "tiles", res.Tiles,
		"queue_ms", queueWait.Milliseconds(), "processing_ms", processing.Milliseconds(), "decode_ms", res.Stages.Decode.Milliseconds(),
		"engine_ms", res.Stages.Engine.Milliseconds(), "encode_ms", res.Stages.Encode.Milliseconds(), "bytes", size)
	return nil
}

// serverTiming is the Server-Timing header of a result: the wait for
// memory and the decode, engine and encode stages, in milliseconds (engine
// and encode overlap when the image has several bands of tiles).
func serverTiming(st upscale.Stages) string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	return fmt.Sprintf("queue;dur=%s, decode;dur=%s, engine;dur=%s, encode;dur=%s", ms(st.Queue), ms(st.Decode), ms(st.Engine), ms(st.Encode))
}

// overBudget adds to a budget refusal the largest input that would fit.
func overBudget(err error, plan upscale.Plan) error {
	var tl *budget.TooLargeError
	if !errors.As(err, &tl) {
		return err
	}
	pixels := int64(plan.Input.Width) * int64(plan.Input.Height)
	detail := fmt.Sprintf("this %dx%d image needs %s of memory with %s; the server's memory budget is %s (UPSCALED_MEMORY_BUDGET)",
		plan.Input.Width, plan.Input.Height, formatBytes(tl.Requested), plan.Model.ID, formatBytes(tl.Capacity))
	if pixels > 0 && tl.Requested > 0 {
		perPixel := float64(tl.Requested) / float64(pixels)
		detail += fmt.Sprintf(": the largest input accepted with this model is about %.1f megapixels", float64(tl.Capacity)/perPixel/1e6)
	}
	return &statusError{status: http.StatusRequestEntityTooLarge, slug: "over-memory-budget", detail: detail, err: err}
}

// headerSafe keeps printable ASCII for a header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// resultHeaders are what a 200 answer of POST /v1/upscale says of its
// result, run here or on a fleet worker.
type resultHeaders struct {
	contentType, name   string
	format              imaging.Format
	size                int64
	res                 upscale.Result // model, input size, tiles, cache, notes
	outWidth, outHeight int
	processing, queue   time.Duration
	memory              int64 // host bytes reserved for the page
	stages              upscale.Stages
}

func setResultHeaders(h http.Header, r resultHeaders) {
	h.Set("Content-Type", r.contentType)
	h.Set("Content-Length", strconv.FormatInt(r.size, 10))
	h.Set("Content-Disposition", contentDisposition(r.name, r.format))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Upscaled-Model", r.res.Model)
	h.Set("X-Upscaled-Input-Size", fmt.Sprintf("%dx%d", r.res.InWidth, r.res.InHeight))
	h.Set("X-Upscaled-Output-Size", fmt.Sprintf("%dx%d", r.outWidth, r.outHeight))
	h.Set("X-Upscaled-Tiles", strconv.Itoa(r.res.Tiles))
	h.Set("X-Upscaled-Processing-Ms", strconv.FormatInt(r.processing.Milliseconds(), 10))
	h.Set("X-Upscaled-Queue-Ms", strconv.FormatInt(r.queue.Milliseconds(), 10))
	h.Set("X-Upscaled-Memory-Bytes", strconv.FormatInt(r.memory, 10))
	h.Set("Server-Timing", serverTiming(r.stages))
	if r.res.Cache != "" {
		h.Set("X-Upscaled-Cache", r.res.Cache)
	}
	if len(r.res.Notes) > 0 {
		h.Set("X-Upscaled-Notes", headerSafe(strings.Join(r.res.Notes, "; ")))
	}
}
