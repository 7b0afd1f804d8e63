package jobs

import (
	"time"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// State is a job's state.
type State string

const (
	Queued             State = "queued"
	Running            State = "running"
	Succeeded          State = "succeeded"
	PartiallySucceeded State = "partially_succeeded"
	Failed             State = "failed"
	Canceled           State = "canceled"
)

// Final reports whether no more work will happen for a job in this state.
func (s State) Final() bool {
	switch s {
	case Succeeded, PartiallySucceeded, Failed, Canceled:
		return true
	}
	return false
}

// ItemState is one item's state: Queued, Running, Succeeded, Failed or
// Canceled.
type ItemState = State

// Job is a job record with its items.
type Job struct {
	ID string
	// Owner is the API-key identity that created the job ("" without keys).
	Owner   string
	State   State
	Options upscale.Options
	// IdempotencyKey is the client's Idempotency-Key ("" when none).
	IdempotencyKey string
	// Digest identifies the request that created the job (hex SHA-256 of
	// its options, file names and contents; see Upload), so that a reused
	// idempotency key with another request is told apart.
	Digest string
	// Deleted is set by Cancel: the job is gone for its owner (410) until
	// it expires.
	Deleted bool
	Created time.Time
	// Started, Finished and Expires are zero until they happen; Expires is
	// when the collector removes the job (Finished + TTL).
	Started, Finished, Expires time.Time
	Items                      []Item
	// Progress is live: filled from the workers for running items.
	Progress Progress
}

// Item is one uploaded image of a job.
type Item struct {
	// Index is the 0-based position in the upload.
	Index int
	// Name is the sanitised original name (see SanitizeName).
	Name string
	// RawName is the file name exactly as sent (bounded to MaxRawNameBytes),
	// possibly invalid UTF-8 or containing path separators.
	RawName []byte
	State   ItemState
	// InBytes is the uploaded size; InFormat, InWidth and InHeight come from
	// the header (zero when it could not be read).
	InBytes           int64
	InFormat          imaging.Format
	InWidth, InHeight int
	// OutBytes, OutFormat and OutWidth/OutHeight describe the result once
	// succeeded (dimensions are planned ones before).
	OutBytes            int64
	OutFormat           imaging.Format
	OutWidth, OutHeight int
	ContentType         string
	// Error is the user-facing reason when Failed.
	Error                 string
	Started, Finished     time.Time
	TilesDone, TilesTotal int
	// run is what a fleet worker recorded of the page's run (runInfo as
	// JSON, items.run; "" in the embedded store).
	run string
}

// Counts tallies a job's items by state.
type Counts struct {
	Total, Queued, Running, Succeeded, Failed, Canceled int
}

// Progress is a job's progress: items finished (in any final state) of the
// total, and tiles of the running items.
type Progress struct {
	ItemsDone, ItemsTotal int
	TilesDone, TilesTotal int
	// Percent is 0..100, counting running items by their tile fraction.
	Percent float64
}

// Counts tallies the items.
func (j Job) Counts() Counts {
	c := Counts{Total: len(j.Items)}
	for _, it := range j.Items {
		switch it.State {
		case Queued:
			c.Queued++
		case Running:
			c.Running++
		case Succeeded:
			c.Succeeded++
		case Failed:
			c.Failed++
		case Canceled:
			c.Canceled++
		}
	}
	return c
}

// computeProgress derives Progress from the items' states and tile counts.
func (j Job) computeProgress() Progress {
	p := Progress{ItemsTotal: len(j.Items)}
	frac := 0.0
	for _, it := range j.Items {
		switch {
		case it.State.Final():
			p.ItemsDone++
		case it.State == Running:
			p.TilesDone += it.TilesDone
			p.TilesTotal += it.TilesTotal
			if it.TilesTotal > 0 {
				frac += float64(it.TilesDone) / float64(it.TilesTotal)
			}
		}
	}
	if p.ItemsTotal > 0 {
		p.Percent = 100 * (float64(p.ItemsDone) + frac) / float64(p.ItemsTotal)
	}
	if j.State.Final() {
		p.Percent = 100
	}
	return p
}

// finalState is the job state once no item is queued or running.
func finalState(c Counts) State {
	switch {
	case c.Succeeded == c.Total && c.Total > 0:
		return Succeeded
	case c.Succeeded > 0:
		return PartiallySucceeded
	default:
		return Failed
	}
}
