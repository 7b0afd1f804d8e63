package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/upscaled/upscaled/upscale"
)

// A fleet page whose queue job River ends without our worker recording the
// item's end would leave the item running and its job unfinished for ever:
// River discards a page after its attempts are used up (failures it could
// not record, panics, nodes lost while running it: a worker killed on the
// last attempt runs no code of ours), and anything but DELETE may cancel
// it. The sweep finds such pages in river_job and fails their items; the
// job row lock and the items' state condition make it settle each once,
// whichever node (or late worker) gets there first.

// abandonedSweep names the sweep's row in the sweeps table.
const abandonedSweep = "abandoned"

// sweepMargin is how far before the last pass's start a pass looks again:
// River stamps finalized_at with the clock of the node that ended the
// queue job, which may run behind the database's.
const sweepMargin = 5 * time.Minute

// rescuedError begins the error River's rescuer records for a page whose
// node was lost while running it.
const rescuedError = "Stuck job rescued"

// sweep runs sweepAbandoned at once and then every Config.SweepEvery until
// ctx ends.
func (m *Manager) sweep(ctx context.Context) {
	t := time.NewTicker(m.cfg.SweepEvery)
	defer t.Stop()
	for {
		if _, err := m.sweepAbandoned(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("job sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// abandonedPage is a page whose queue job ended (discarded or cancelled)
// while its item still says queued or running.
type abandonedPage struct {
	job                  string
	idx                  int
	state                rivertype.JobState
	attempt, maxAttempts int
	errors               []rivertype.AttemptError
	model                string
}

// sweepAbandoned is one pass, made unless a node (this one or another)
// began one less than half a SweepEvery ago: it fails the items of the
// pages River discarded or cancelled since shortly before the last pass
// began, and returns how many. A pass that fails leaves its window to
// the next.
func (m *Manager) sweepAbandoned(ctx context.Context) (int, error) {
	var start, since time.Time
	err := m.fleet.pool.QueryRow(ctx, `UPDATE sweeps SET swept_at = now()
		WHERE name = $1 AND swept_at <= now() - $2::bigint * interval '1 millisecond' RETURNING now(), through`,
		abandonedSweep, (m.cfg.SweepEvery/2).Milliseconds()).Scan(&start, &since)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, m.store.dbErr(err)
	}
	pages, err := m.abandonedPages(ctx, since.Add(-sweepMargin))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pages {
		ok, final, err := m.store.abandonItem(ctx, p.job, p.idx, p.reason(m.cfg.RescueAfter), m.deps.Now(), m.cfg.TTL)
		if err != nil {
			return n, err
		}
		if !ok {
			continue // a late worker or another node recorded it first
		}
		n++
		last := ""
		if len(p.errors) > 0 {
			last = p.errors[len(p.errors)-1].Error
		}
		m.log.Warn("job item failed: the queue gave its page up", "job_id", p.job, "item", p.idx,
			"queue_state", p.state, "attempts", p.attempt, "max_attempts", p.maxAttempts, "last_error", last)
		if m.deps.Metrics != nil {
			m.deps.Metrics.CountImage(p.model, metricsSource, false, 0)
		}
		if final != "" {
			m.log.Info("job finished", "job_id", p.job, "state", final)
		}
	}
	_, err = m.fleet.pool.Exec(ctx, `UPDATE sweeps SET through = GREATEST(through, $2) WHERE name = $1`, abandonedSweep, start)
	return n, m.store.dbErr(err)
}

// abandonedPages reads the pages whose queue job was discarded or
// cancelled at or after since while their item is queued or running
// (DELETE cancels a job's items before its queue jobs).
func (m *Manager) abandonedPages(ctx context.Context, since time.Time) ([]abandonedPage, error) {
	rows, err := m.fleet.pool.Query(ctx, `SELECT i.job_id, i.idx, rj.state::text, rj.attempt, rj.max_attempts,
			COALESCE(array_to_json(rj.errors), '[]'), j.options
		FROM river_job rj
		JOIN items i ON i.job_id = rj.args->>'job' AND i.idx = (rj.args->>'item')::int
		JOIN jobs j ON j.id = i.job_id
		WHERE rj.kind = $1 AND rj.state IN ('discarded', 'cancelled') AND rj.finalized_at >= $2
			AND i.state IN ('queued', 'running')
		ORDER BY rj.finalized_at, rj.id`, pageArgs{}.Kind(), since)
	if err != nil {
		return nil, m.store.dbErr(err)
	}
	defer rows.Close()
	var out []abandonedPage
	for rows.Next() {
		var (
			p          abandonedPage
			state      string
			errs, opts []byte
		)
		if err := rows.Scan(&p.job, &p.idx, &state, &p.attempt, &p.maxAttempts, &errs, &opts); err != nil {
			return nil, err
		}
		p.state = rivertype.JobState(state)
		if err := json.Unmarshal(errs, &p.errors); err != nil {
			return nil, fmt.Errorf("jobs: queue job of %s item %d: errors: %w", p.job, p.idx, err)
		}
		var o upscale.Options
		if json.Unmarshal(opts, &o) == nil {
			p.model = o.Model
		}
		out = append(out, p)
	}
	return out, m.store.dbErr(rows.Err())
}

// reason is the error recorded for the page's item: what ended it, after
// how many attempts of how many, and the settings involved.
func (p abandonedPage) reason(rescueAfter time.Duration) string {
	tries := plural(p.attempt, "attempt")
	if p.state == rivertype.JobStateCancelled {
		return fmt.Sprintf("the page was canceled in the fleet's queue, not by deleting the job, after %s (at most %d, UPSCALED_JOB_MAX_ATTEMPTS)",
			tries, p.maxAttempts)
	}
	lost, panics := 0, 0
	for _, e := range p.errors {
		switch {
		case strings.HasPrefix(e.Error, rescuedError):
			lost++
		case e.Trace != "":
			panics++
		}
	}
	var last rivertype.AttemptError
	if len(p.errors) > 0 {
		last = p.errors[len(p.errors)-1]
	}
	// when is "each time", "on the last one" or "on n of them, the last included"
	when := func(n int) string {
		switch {
		case n >= p.attempt:
			return "each time"
		case n == 1:
			return "on the last one"
		}
		return fmt.Sprintf("on %d of them, the last included", n)
	}
	lostNode := fmt.Sprintf("(crashed, killed, or out of touch with the database past UPSCALED_JOB_RESCUE_AFTER=%s)", rescueAfter)
	var why string
	switch {
	case strings.HasPrefix(last.Error, rescuedError):
		why = "the node running it was lost " + when(lost) + " " + lostNode
	case len(p.errors) == 0:
		why = "the queue discarded it without an error"
	case last.Trace != "":
		why = "the worker crashed (panic) " + when(panics)
	default:
		why = "its last attempt failed before its end could be recorded"
	}
	if lost > 0 && !strings.HasPrefix(last.Error, rescuedError) {
		why += fmt.Sprintf("; before it, the node running it was lost %s %s", plural(lost, "time"), lostNode)
	}
	if p.attempt >= p.maxAttempts {
		return fmt.Sprintf("the page was given up after %s, the limit (UPSCALED_JOB_MAX_ATTEMPTS=%d): %s", tries, p.maxAttempts, why)
	}
	return fmt.Sprintf("the page was given up by the fleet's queue after %s of at most %d (UPSCALED_JOB_MAX_ATTEMPTS): %s", tries, p.maxAttempts, why)
}

// plural is "1 attempt" or "n attempts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
