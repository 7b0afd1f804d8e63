package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/upscaled/upscaled/jobs"
)

// JobDoc is a job as the API shows it.
type JobDoc struct {
	// ID is 128 random bits in hex.
	ID string `json:"id"`
	// State: queued, running, succeeded, partially_succeeded, failed or canceled.
	State      string     `json:"state" enums:"queued,running,succeeded,partially_succeeded,failed,canceled"`
	CreatedAt  time.Time  `json:"created_at" format:"date-time"`
	StartedAt  *time.Time `json:"started_at,omitempty" format:"date-time"`
	FinishedAt *time.Time `json:"finished_at,omitempty" format:"date-time"`
	// ExpiresAt is when the job and its results are deleted.
	ExpiresAt *time.Time  `json:"expires_at,omitempty" format:"date-time"`
	Options   JobOptions  `json:"options"`
	Counts    JobCounts   `json:"counts"`
	Progress  JobProgress `json:"progress"`
	// Items, in upload order (absent in lists).
	Items      []JobItem `json:"items,omitempty"`
	URL        string    `json:"url"`
	EventsURL  string    `json:"events_url"`
	ArchiveURL string    `json:"archive_url"`
} // @name JobDoc

// JobOptions are the resolved options applied to every item.
type JobOptions struct {
	Model    string `json:"model"`
	Format   string `json:"format"`
	Quality  int    `json:"quality"`
	Lossless bool   `json:"lossless"`
	// Effort 0..6 of the PNG/WebP encoder; absent: the format's default
	// (PNG 1, WebP 0).
	Effort *int `json:"effort,omitempty" binding:"optional"`
	// Subsampling of JPEG chroma (420, 422, 444); absent: 420.
	Subsampling string `json:"subsampling,omitempty" binding:"optional"`
	Tile        int    `json:"tile"`
	TTA         bool   `json:"tta"`
} // @name JobOptions

// JobCounts tallies items by state.
type JobCounts struct {
	Total     int `json:"total"`
	Queued    int `json:"queued"`
	Running   int `json:"running"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Canceled  int `json:"canceled"`
} // @name JobCounts

// JobProgress is a job's progress.
type JobProgress struct {
	// ItemsDone counts items in a final state (succeeded, failed, canceled).
	ItemsDone  int `json:"items_done"`
	ItemsTotal int `json:"items_total"`
	// TilesDone and TilesTotal count the tile passes of the running
	// item(s): a model with SE statistics (Real-CUGAN) runs several passes
	// per tile, so they exceed the tiles X-Upscaled-Tiles counts.
	TilesDone  int `json:"tiles_done"`
	TilesTotal int `json:"tiles_total"`
	// Percent 0..100, running items counted by their tiles.
	Percent float64 `json:"percent"`
} // @name JobProgress

// JobImage describes an input or output image.
type JobImage struct {
	// Bytes is the file size (0 for an output not written yet).
	Bytes  int64  `json:"bytes"`
	Format string `json:"format,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
} // @name JobImage

// JobItem is one image of a job.
type JobItem struct {
	// Index is the item's position in the upload, from 0.
	Index int `json:"index"`
	// Name is the sanitised original name.
	Name string `json:"name"`
	// OriginalName is the name as sent (invalid UTF-8 replaced by U+FFFD).
	OriginalName string `json:"original_name"`
	// State: queued, running, succeeded, failed or canceled.
	State string   `json:"state" enums:"queued,running,succeeded,failed,canceled"`
	Input JobImage `json:"input"`
	// Output is the planned output (dimensions, format) until it succeeds,
	// then the result.
	Output *JobImage `json:"output,omitempty"`
	// Error says why the item failed.
	Error string `json:"error,omitempty"`
	// TilesDone and TilesTotal count tile passes while running (several
	// per tile for Real-CUGAN).
	TilesDone  int `json:"tiles_done,omitempty"`
	TilesTotal int `json:"tiles_total,omitempty"`
	// ResultURL downloads the result once succeeded.
	ResultURL string `json:"result_url,omitempty"`
	// ResultName is the result's download name.
	ResultName string `json:"result_name,omitempty"`
} // @name JobItem

func jobURL(id string) string { return "/v1/jobs/" + id }

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func newJobDoc(j jobs.Job, items bool) JobDoc {
	c := j.Counts()
	d := JobDoc{
		ID: j.ID, State: string(j.State), CreatedAt: j.Created.UTC(),
		StartedAt: timePtr(j.Started), FinishedAt: timePtr(j.Finished), ExpiresAt: timePtr(j.Expires),
		Options: JobOptions{Model: j.Options.Model, Format: j.Options.Format, Quality: j.Options.Quality,
			Lossless: j.Options.Lossless, Effort: j.Options.Effort, Subsampling: j.Options.Subsampling,
			Tile: j.Options.Tile, TTA: j.Options.TTA},
		Counts: JobCounts{Total: c.Total, Queued: c.Queued, Running: c.Running, Succeeded: c.Succeeded,
			Failed: c.Failed, Canceled: c.Canceled},
		Progress:  newJobProgress(j.Progress),
		URL:       jobURL(j.ID),
		EventsURL: jobURL(j.ID) + "/events", ArchiveURL: jobURL(j.ID) + "/archive",
	}
	if items {
		d.Items = make([]JobItem, 0, len(j.Items))
		for _, it := range j.Items {
			d.Items = append(d.Items, newJobItem(j, it))
		}
	}
	return d
}

func newJobProgress(p jobs.Progress) JobProgress {
	return JobProgress{ItemsDone: p.ItemsDone, ItemsTotal: p.ItemsTotal, TilesDone: p.TilesDone,
		TilesTotal: p.TilesTotal, Percent: float64(int(p.Percent*10+0.5)) / 10}
}

func newJobItem(j jobs.Job, it jobs.Item) JobItem {
	d := JobItem{
		Index: it.Index, Name: it.Name, OriginalName: strings.ToValidUTF8(string(it.RawName), "\uFFFD"),
		State: string(it.State), Error: it.Error, TilesDone: it.TilesDone, TilesTotal: it.TilesTotal,
		Input: JobImage{Bytes: it.InBytes, Format: string(it.InFormat), Width: it.InWidth, Height: it.InHeight},
	}
	if it.OutFormat != "" || it.OutWidth > 0 {
		d.Output = &JobImage{Bytes: it.OutBytes, Format: string(it.OutFormat), Width: it.OutWidth, Height: it.OutHeight}
	}
	if it.State == jobs.Succeeded && j.State != jobs.Canceled {
		d.ResultURL = fmt.Sprintf("%s/items/%d", jobURL(j.ID), it.Index)
		d.ResultName = jobs.ResultName(it.Name, it.OutFormat)
	}
	return d
}

// writeJobJSON sends v as JSON with status.
func writeJobJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
