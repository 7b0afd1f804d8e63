package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/upscaled/upscaled/jobs"
)

// JobProgressEvent is the data of a "progress" event: a tile of a running
// item finished.
type JobProgressEvent struct {
	// Item is the running item's index.
	Item       int         `json:"item"`
	TilesDone  int         `json:"tiles_done"`
	TilesTotal int         `json:"tiles_total"`
	Progress   JobProgress `json:"progress"`
} // @name JobProgressEvent

// events serves GET /v1/jobs/{id}/events.
//
//	@Summary		A job's progress as Server-Sent Events
//	@Description	Events: "state" (the job document without items; sent first, and on every state change), "item" (an item changed state: its document), "progress" (a tile finished: item, tiles and job progress). Comments (": heartbeat") keep idle streams open. The stream ends after the final state event (succeeded, partially_succeeded, failed or canceled), at once when the job has already finished.
//	@Tags			jobs
//	@Produce		text/event-stream,application/problem+json
//	@Param			id	path		string	true	"job id"
//	@Success		200	{string}	string	"the event stream (data: JSON documents, see the description)"
//	@Failure		401	{object}	Problem	"API key missing or wrong (when keys are on)"
//	@Failure		404	{object}	Problem	"no such job (or another API key's)"
//	@Failure		410	{object}	Problem	"job deleted"
//	@Security		BearerKey
//	@ID			jobEvents
//	@Router			/v1/jobs/{id}/events [get]
func (h *jobsAPI) events(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := chi.URLParam(r, "id")
	j, sub, err := h.m.Subscribe(ctx, KeyID(ctx), id)
	if err != nil {
		return err
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream lasts as long as the job
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	send := func(name string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return nil
	}
	if err := send(string(jobs.EventState), newJobDoc(j, false)); err != nil || j.State.Final() {
		return nil
	}
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
			if rc.Flush() != nil {
				return nil
			}
		case ev, ok := <-sub.C:
			if !ok {
				// the job ended, or this reader fell behind: the client
				// reconnects unless the job is final
				if j, err := h.m.Get(ctx, KeyID(ctx), id); err == nil && j.State.Final() {
					_ = send(string(jobs.EventState), newJobDoc(j, false))
				}
				return nil
			}
			var err error
			switch ev.Kind {
			case jobs.EventState:
				err = send(string(ev.Kind), newJobDoc(ev.Job, false))
				if ev.Job.State.Final() {
					return nil
				}
			case jobs.EventItem:
				err = send(string(ev.Kind), newJobItem(jobs.Job{ID: id}, ev.Item))
			case jobs.EventProgress:
				err = send(string(ev.Kind), JobProgressEvent{Item: ev.Item.Index, TilesDone: ev.Item.TilesDone,
					TilesTotal: ev.Item.TilesTotal, Progress: newJobProgress(ev.Progress)})
			}
			if err != nil {
				return nil
			}
		}
	}
}
