package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/upscaled/upscaled/cache"
	"github.com/upscaled/upscaled/upscale"
)

// ResultCache finds results computed before (cache.Cache); the pipeline
// given as Upscaler stores them.
type ResultCache interface {
	// Find returns the checked entry of src's result under plan, or an
	// error (cache.ErrMiss) when there is none; src is left at its start.
	Find(ctx context.Context, src io.ReadSeeker, plan upscale.Plan) (*cache.Entry, error)
}

// serveCached answers a synchronous request from the result cache, before
// it reserves memory or waits for the engine; false when it is a miss
// (nothing was written).
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, up *upload, plan upscale.Plan) (bool, error) {
	if s.cache == nil {
		return false, nil
	}
	started := time.Now()
	e, err := s.cache.Find(r.Context(), up.file, plan)
	if err != nil {
		return false, nil
	}
	defer e.Close()
	res := e.Result
	s.metrics.CountImage(res.Model, SourceSync, true, res.Tiles)
	h := w.Header()
	h.Set("Content-Type", res.ContentType)
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	h.Set("Content-Disposition", contentDisposition(up.name, res.Format))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Upscaled-Cache", res.Cache)
	h.Set("X-Upscaled-Model", res.Model)
	h.Set("X-Upscaled-Input-Size", fmt.Sprintf("%dx%d", res.InWidth, res.InHeight))
	h.Set("X-Upscaled-Output-Size", fmt.Sprintf("%dx%d", res.OutWidth, res.OutHeight))
	h.Set("X-Upscaled-Tiles", strconv.Itoa(res.Tiles))
	h.Set("X-Upscaled-Processing-Ms", strconv.FormatInt(time.Since(started).Milliseconds(), 10))
	h.Set("X-Upscaled-Queue-Ms", "0")
	h.Set("X-Upscaled-Memory-Bytes", "0")
	if len(res.Notes) > 0 {
		h.Set("X-Upscaled-Notes", headerSafe(strings.Join(res.Notes, "; ")))
	}
	w.WriteHeader(http.StatusOK)
	n, err := e.WriteTo(w)
	log := Logger(r.Context()).With("model", res.Model)
	if err != nil {
		log.Info("sending the cached result failed", "err", err, "bytes", n)
	}
	log.Info("upscaled", "cache", res.Cache, "in", fmt.Sprintf("%dx%d", res.InWidth, res.InHeight),
		"out", fmt.Sprintf("%dx%d", res.OutWidth, res.OutHeight), "bytes", n)
	return true, nil
}
