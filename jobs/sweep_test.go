package jobs_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/upscaled/upscaled/internal/testing/pgserver"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/upscale"
)

// panicking is a pipeline whose run panics on images of one width, as a
// page that crashes its worker every time would.
type panicking struct {
	jobs.Pipeline
	width int
}

func (p panicking) Run(ctx context.Context, plan upscale.Plan, src io.Reader, dst io.Writer, mem upscale.Reserver, progress func(upscale.Progress)) (upscale.Result, error) {
	if plan.Input.Width == p.width {
		panic("test: this page crashes its worker")
	}
	return p.Pipeline.Run(ctx, plan, src, dst, mem, progress)
}

// sweepFast makes a node sweep every 50 ms and give a page up after two
// attempts.
func sweepFast(c *jobs.Config, _ *jobs.Deps) {
	c.MaxAttempts = 2
	c.SweepEvery = 50 * time.Millisecond
}

// followToEnd reads a job's events until its stream ends; it returns each
// item's last item event and the last event.
func followToEnd(t *testing.T, sub *jobs.Subscription, within time.Duration) (map[int]jobs.Item, jobs.Event) {
	t.Helper()
	items, last := map[int]jobs.Item{}, jobs.Event{}
	timeout := time.After(within)
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				return items, last
			}
			if ev.Kind == jobs.EventItem {
				items[ev.Item.Index] = ev.Item
			}
			last = ev
		case <-timeout:
			t.Fatalf("the job's event stream did not end within %v (items: %+v)", within, items)
		}
	}
}

func readImage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.TestImage(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// queueJobs returns the state and attempt of each page's queue job.
func queueJobs(t *testing.T, dbURL, id string) map[int][2]string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT (args->>'item')::int, state::text, attempt::text FROM river_job WHERE args->>'job' = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][2]string{}
	for rows.Next() {
		var idx int
		var st, attempt string
		if err := rows.Scan(&idx, &st, &attempt); err != nil {
			t.Fatal(err)
		}
		out[idx] = [2]string{st, attempt}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFleetGivesUpCrashingPage: a page whose worker panics on every attempt
// is discarded by the queue after UPSCALED_JOB_MAX_ATTEMPTS (2 here); its
// item fails with a reason naming the attempts and the setting, the other
// pages succeed, the job ends partially succeeded and its event stream
// ends.
func TestFleetGivesUpCrashingPage(t *testing.T) {
	pg := pgserver.Start(t)
	good, bad := readImage(t, "small-gray-64x64.png"), readImage(t, "small-color-48x48.png")
	node := openFleet(t, pg.URL, nil, true, 0, sweepFast, func(c *jobs.Config, d *jobs.Deps) {
		c.SingleNode = true
		d.Pipeline = panicking{Pipeline: d.Pipeline, width: 48}
	})
	ctx := context.Background()
	j := submit(t, node.m, good, bad, good)
	_, sub, err := node.m.Subscribe(ctx, "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	items, last := followToEnd(t, sub, time.Minute)
	if last.Kind != jobs.EventState || last.Job.State != jobs.PartiallySucceeded {
		t.Fatalf("last event %s, job %s; want the state event, partially succeeded", last.Kind, last.Job.State)
	}
	failed := items[1]
	if failed.State != jobs.Failed {
		t.Fatalf("item 1's last event: %s %q, want failed", failed.State, failed.Error)
	}
	for _, want := range []string{"given up after 2 attempts", "UPSCALED_JOB_MAX_ATTEMPTS=2", "panic"} {
		if !strings.Contains(failed.Error, want) {
			t.Errorf("item 1's error %q does not say %q", failed.Error, want)
		}
	}
	got, err := node.m.Get(ctx, "", j.ID)
	if err != nil || got.State != jobs.PartiallySucceeded {
		t.Fatalf("job: %v %s", err, got.State)
	}
	for i, want := range []jobs.State{jobs.Succeeded, jobs.Failed, jobs.Succeeded} {
		if got.Items[i].State != want {
			t.Errorf("item %d: %s, want %s", i, got.Items[i].State, want)
		}
	}
	if got.Items[1].Error != failed.Error {
		t.Errorf("item 1's record says %q, its event %q", got.Items[1].Error, failed.Error)
	}
	t.Logf("item 1: %s", failed.Error)
	waitFor(t, "the pages' queue jobs to end", func() bool {
		q := queueJobs(t, pg.URL, j.ID)
		return q[0][0] != "running" && q[2][0] != "running"
	})
	if q := queueJobs(t, pg.URL, j.ID); q[1] != [2]string{"discarded", "2"} || q[0][0] != "completed" || q[2][0] != "completed" {
		t.Errorf("queue jobs: %v; want page 1 discarded after 2 attempts, the others completed", q)
	}
}

// TestFleetGivesUpLostPage: a worker killed while running a page on its
// last attempt records nothing; River's rescuer, finding the page's queue
// job stuck with no attempt left, discards it. The crash is driven in the
// database (what SIGKILL leaves: item and queue job running, started an
// hour ago by a node that is gone) before a worker starts: page 0 on its
// last attempt must fail, naming the lost node and the attempts; page 1,
// with an attempt left, is run again and succeeds; the job, followed from
// an API-only node, ends partially succeeded.
func TestFleetGivesUpLostPage(t *testing.T) {
	pg := pgserver.Start(t)
	blobs := fleetBucket(t, "sweep")
	ctx := context.Background()
	api := openFleet(t, pg.URL, blobs, false, 0, sweepFast)
	page := readImage(t, "small-gray-64x64.png")
	j := submit(t, api.m, page, page)
	_, sub, err := api.m.Subscribe(ctx, "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	pg.Exec(t, `BEGIN;
		UPDATE items SET state = 'running', started_at = 1 WHERE job_id = '`+j.ID+`';
		UPDATE jobs SET state = 'running', started_at = 1 WHERE id = '`+j.ID+`';
		UPDATE river_job SET state = 'running', attempt = CASE args->>'item' WHEN '0' THEN max_attempts ELSE 1 END,
			attempted_at = now() - interval '1 hour', attempted_by = ARRAY['killed-node']
			WHERE args->>'job' = '`+j.ID+`';
		COMMIT`)
	openFleet(t, pg.URL, blobs, true, 0, sweepFast)

	items, last := followToEnd(t, sub, 2*time.Minute)
	if last.Kind != jobs.EventState || last.Job.State != jobs.PartiallySucceeded {
		t.Fatalf("last event %s, job %s; want the state event, partially succeeded", last.Kind, last.Job.State)
	}
	if items[0].State != jobs.Failed || items[1].State != jobs.Succeeded {
		t.Fatalf("items' last events: %s %q, %s; want failed, succeeded", items[0].State, items[0].Error, items[1].State)
	}
	for _, want := range []string{"given up after 2 attempts", "UPSCALED_JOB_MAX_ATTEMPTS=2", "node running it was lost", "UPSCALED_JOB_RESCUE_AFTER"} {
		if !strings.Contains(items[0].Error, want) {
			t.Errorf("item 0's error %q does not say %q", items[0].Error, want)
		}
	}
	t.Logf("item 0: %s", items[0].Error)
	// the queue records a completion shortly after the page's record
	waitFor(t, "page 1's queue job to complete", func() bool { return queueJobs(t, pg.URL, j.ID)[1][0] != "running" })
	if q := queueJobs(t, pg.URL, j.ID); q[0] != [2]string{"discarded", "2"} || q[1] != [2]string{"completed", "2"} {
		t.Errorf("queue jobs: %v; want page 0 discarded, page 1 completed on its 2nd attempt", q)
	}
}

// TestFleetPageCanceledInQueue: a page canceled in River by something other
// than DELETE (an operator's River client here) fails its item and settles
// its job; a job deleted through the API keeps its items canceled.
func TestFleetPageCanceledInQueue(t *testing.T) {
	pg := pgserver.Start(t)
	api := openFleet(t, pg.URL, nil, false, 0, sweepFast, func(c *jobs.Config, _ *jobs.Deps) { c.SingleNode = true })
	ctx := context.Background()
	page := readImage(t, "small-gray-64x64.png")
	j, deleted := submit(t, api.m, page), submit(t, api.m, page)
	_, sub, err := api.m.Subscribe(ctx, "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := api.m.Cancel(ctx, "", deleted.ID); err != nil {
		t.Fatal(err)
	}

	pool, err := pgxpool.New(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	operator, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var rid int64
	if err := pool.QueryRow(ctx, `SELECT id FROM river_job WHERE args->>'job' = $1`, j.ID).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	if _, err := operator.JobCancel(ctx, rid); err != nil {
		t.Fatal(err)
	}

	items, last := followToEnd(t, sub, time.Minute)
	if last.Kind != jobs.EventState || last.Job.State != jobs.Failed {
		t.Fatalf("last event %s, job %s; want the state event, failed", last.Kind, last.Job.State)
	}
	if it := items[0]; it.State != jobs.Failed || !strings.Contains(it.Error, "canceled in the fleet's queue, not by deleting the job, after 0 attempts") {
		t.Fatalf("item 0: %s %q", it.State, it.Error)
	}
	time.Sleep(200 * time.Millisecond) // sweeps that saw the deleted job's cancelled page
	var st, msg string
	if err := pool.QueryRow(ctx, `SELECT state, error FROM items WHERE job_id = $1`, deleted.ID).Scan(&st, &msg); err != nil || st != "canceled" || msg != "" {
		t.Fatalf("the deleted job's item: %s %q %v, want canceled", st, msg, err)
	}
	if q := queueJobs(t, pg.URL, deleted.ID); q[0][0] != "cancelled" {
		t.Fatalf("the deleted job's queue job: %v, want cancelled", q)
	}
}
