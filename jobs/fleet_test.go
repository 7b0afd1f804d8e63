package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/internal/testing/pgserver"
	"github.com/upscaled/upscaled/internal/testing/s3server"
	"github.com/upscaled/upscaled/jobs"
)

// fleetNode is a Manager of a fleet: its own data directory, the shared
// database and bucket.
type fleetNode struct {
	m    *jobs.Manager
	stop context.CancelFunc
	done chan struct{}
}

// openFleet opens and runs a node; edits, when given, change its
// configuration and dependencies first.
func openFleet(t *testing.T, dbURL string, blobs blob.Store, work bool, drain time.Duration, edits ...func(*jobs.Config, *jobs.Deps)) *fleetNode {
	t.Helper()
	cfg := jobs.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.MinFreeDisk = 0
	cfg.DatabaseURL = dbURL
	cfg.Work = work
	cfg.DrainTimeout = drain
	cfg.PollEvery = 50 * time.Millisecond
	cfg.ProgressEvery = 10 * time.Millisecond
	deps := jobs.Deps{
		Pipeline: testPipeline(t), Budget: budget.New(1<<30, 4, 0), Blobs: blobs, Spool: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, edit := range edits {
		edit(&cfg, &deps)
	}
	m, err := jobs.Open(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	n := &fleetNode{m: m, stop: stop, done: make(chan struct{})}
	go func() { m.Run(ctx); close(n.done) }()
	t.Cleanup(func() { n.close() })
	return n
}

func (n *fleetNode) close() {
	if n.stop == nil {
		return
	}
	n.stop()
	<-n.done
	n.m.Close()
	n.stop = nil
}

// fleetBucket starts an S3 server for the test and opens its bucket.
func fleetBucket(t *testing.T, bucket string) *blob.S3 {
	t.Helper()
	b, err := blob.NewS3(context.Background(), s3server.Start(t).Config(bucket))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFleetManagers runs a job through an API-only node and two worker
// nodes on one PostgreSQL database and one S3 bucket: the API node, which
// runs no page, answers the job, its results and its events; a worker
// stopped mid-job returns its running pages to the queue within its drain
// timeout and the other finishes them; a deleted job's pages are canceled.
func TestFleetManagers(t *testing.T) {
	pg := pgserver.Start(t)
	blobs := fleetBucket(t, "fleet")
	page := readImage(t, "small-gray-64x64.png")
	ctx := context.Background()
	api := openFleet(t, pg.URL, blobs, false, 0)
	w1 := openFleet(t, pg.URL, blobs, true, 0)

	const n = 6
	pages := make([][]byte, n)
	for i := range pages {
		pages[i] = page
	}
	j := submit(t, api.m, pages...)
	_, sub, err := api.m.Subscribe(ctx, "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	// the first worker stops as soon as a page runs: that page goes back
	waitFor(t, "a running page", func() bool {
		got, err := api.m.Get(ctx, "", j.ID)
		return err == nil && (got.Counts().Running > 0 || got.State.Final())
	})
	start := time.Now()
	w1.close()
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("worker drained in %v with a 0 s drain timeout", d)
	}
	openFleet(t, pg.URL, blobs, true, time.Minute)

	items, last := map[int]jobs.ItemState{}, jobs.Event{}
	timeout := time.After(3 * time.Minute)
	for done := false; !done; {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				done = true
				break
			}
			if ev.Kind == jobs.EventItem {
				items[ev.Item.Index] = ev.Item.State
			}
			last = ev
		case <-timeout:
			t.Fatal("no final event within 3 min")
		}
	}
	if last.Kind != jobs.EventState || last.Job.State != jobs.Succeeded {
		t.Fatalf("last event %s, job %s; want the state event, succeeded", last.Kind, last.Job.State)
	}
	for i := 0; i < n; i++ {
		if items[i] != jobs.Succeeded {
			t.Errorf("item %d: last item event says %q", i, items[i])
		}
	}
	got, err := api.m.Get(ctx, "", j.ID)
	if err != nil || got.State != jobs.Succeeded || got.Progress.Percent != 100 {
		t.Fatalf("job from the API node: %v %s %+v", err, got.State, got.Progress)
	}
	for i := 0; i < n; i++ {
		f, it, err := api.m.Result(ctx, "", j.ID, i)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil || int64(len(b)) != it.OutBytes || it.OutWidth != 128 {
			t.Fatalf("result %d: %d bytes (record %d, %dpx wide), %v", i, len(b), it.OutBytes, it.OutWidth, err)
		}
	}
	st, err := api.m.Stats(ctx)
	if err != nil || st.Jobs[jobs.Succeeded] != 1 || st.ItemsQueued+st.ItemsRunning != 0 {
		t.Fatalf("stats: %+v %v", st, err)
	}

	// deleted: gone on every node, no page left in the queue
	j2 := submit(t, api.m, pages...)
	if err := api.m.Cancel(ctx, "", j2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := api.m.Get(ctx, "", j2.ID); !errors.Is(err, jobs.ErrGone) {
		t.Fatalf("deleted job: %v, want ErrGone", err)
	}
	waitFor(t, "the deleted job's pages to leave the queue", func() bool {
		st, err := api.m.Stats(ctx)
		return err == nil && st.ItemsQueued+st.ItemsRunning == 0
	})
}
