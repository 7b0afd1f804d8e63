package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/upscaled/upscaled/upscale"
)

func testStore(t *testing.T) *store {
	t.Helper()
	if pgTest != nil {
		return pgTest(t)
	}
	s, err := openStore(context.Background(), filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.close() })
	return s
}

func testJob(t *testing.T, owner string, created time.Time, items int) Job {
	t.Helper()
	id, err := newID()
	if err != nil {
		t.Fatal(err)
	}
	j := Job{ID: id, Owner: owner, State: Queued, Created: created, Options: upscale.Options{Model: "realcugan-up2x-conservative", Format: "png"}}
	for i := 0; i < items; i++ {
		j.Items = append(j.Items, Item{Index: i, Name: "p.png", RawName: []byte("a/\x00p.png"), State: Queued, InBytes: 10})
	}
	return j
}

func TestStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	j := testJob(t, "k1", now, 3)
	if err := s.insertJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	got, err := s.job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != "k1" || got.State != Queued || len(got.Items) != 3 || string(got.Items[1].RawName) != "a/\x00p.png" || got.Options != j.Options {
		t.Fatalf("job read back = %+v", got)
	}
	steps := []struct {
		idx   int
		state State
		final State
	}{
		{0, Succeeded, ""},
		{1, Failed, ""},
		{2, Succeeded, PartiallySucceeded},
	}
	for _, st := range steps {
		ok, err := s.claimItem(ctx, j.ID, st.idx, now, false)
		if err != nil || !ok {
			t.Fatalf("claim %d: %v %v", st.idx, ok, err)
		}
		if ok, _ := s.claimItem(ctx, j.ID, st.idx, now, false); ok {
			t.Fatalf("item %d claimed twice", st.idx)
		}
		ok, final, err := s.finishItem(ctx, j.ID, Item{Index: st.idx, State: st.state, OutBytes: 5}, now, time.Hour)
		if err != nil || !ok || final != st.final {
			t.Fatalf("finish %d: ok=%v final=%q err=%v, want final %q", st.idx, ok, final, err, st.final)
		}
	}
	got, _ = s.job(ctx, j.ID)
	if got.State != PartiallySucceeded || got.Started.IsZero() || !got.Expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("final job = state %s started %v expires %v", got.State, got.Started, got.Expires)
	}
	ids, _ := s.expired(ctx, now.Add(time.Hour-time.Second))
	if len(ids) != 0 {
		t.Fatalf("expired before TTL: %v", ids)
	}
	ids, _ = s.expired(ctx, now.Add(time.Hour))
	if len(ids) != 1 || ids[0] != j.ID {
		t.Fatalf("expired at TTL = %v", ids)
	}
	if err := s.delete(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.job(ctx, j.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted job: %v", err)
	}
	if items, _ := s.items(ctx, j.ID); len(items) != 0 {
		t.Fatalf("items left after delete: %d", len(items))
	}
}

func TestStoreIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	now := time.Now()
	a := testJob(t, "k1", now, 1)
	a.IdempotencyKey = "retry-1"
	if err := s.insertJob(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := testJob(t, "k1", now, 1)
	b.IdempotencyKey = "retry-1"
	if err := s.insertJob(ctx, b); !errors.Is(err, errDuplicate) {
		t.Fatalf("same owner and key: %v, want errDuplicate", err)
	}
	c := testJob(t, "k2", now, 1)
	c.IdempotencyKey = "retry-1"
	if err := s.insertJob(ctx, c); err != nil {
		t.Fatalf("other owner, same key: %v", err)
	}
	got, err := s.jobByIdem(ctx, "k1", "retry-1")
	if err != nil || got.ID != a.ID {
		t.Fatalf("jobByIdem = %v, %v; want %s", got.ID, err, a.ID)
	}
	// jobs without a key never collide
	for i := 0; i < 2; i++ {
		if err := s.insertJob(ctx, testJob(t, "k1", now, 1)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStoreCancelAndRequeue(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	now := time.Now()
	j := testJob(t, "", now, 3)
	s.insertJob(ctx, j)
	s.claimItem(ctx, j.ID, 0, now, false)
	s.finishItem(ctx, j.ID, Item{Index: 0, State: Succeeded}, now, time.Hour)
	s.claimItem(ctx, j.ID, 1, now, false)
	// a process restart: the running item goes back to the queue
	if err := s.requeueRunning(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	q, _ := s.queuedItems(ctx, j.ID)
	if len(q) != 2 || q[0] != 1 || q[1] != 2 {
		t.Fatalf("queued after requeue = %v, want [1 2]", q)
	}
	s.claimItem(ctx, j.ID, 1, now, false)
	if err := s.cancel(ctx, j.ID, now, time.Hour); err != nil {
		t.Fatal(err)
	}
	// the worker's late result is refused
	if ok, _, err := s.finishItem(ctx, j.ID, Item{Index: 1, State: Succeeded}, now, time.Hour); ok || err != nil {
		t.Fatalf("finish after cancel: ok=%v err=%v", ok, err)
	}
	got, _ := s.job(ctx, j.ID)
	c := got.Counts()
	if got.State != Canceled || c.Succeeded != 1 || c.Canceled != 2 {
		t.Fatalf("canceled job: state %s counts %+v", got.State, c)
	}
	if ids, _ := s.unfinished(ctx); len(ids) != 0 {
		t.Fatalf("unfinished after cancel: %v", ids)
	}
}

func TestStoreListPages(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := 0; i < 7; i++ {
		j := testJob(t, "k1", base.Add(time.Duration(i/2)*time.Second), 1) // pairs share a timestamp
		s.insertJob(ctx, j)
		want = append(want, j.ID)
		s.insertJob(ctx, testJob(t, "k2", base, 1))
	}
	seen := map[string]bool{}
	beforeMS, beforeID := int64(1<<62), "~"
	for page := 0; ; page++ {
		js, err := s.list(ctx, "k1", 3, beforeMS, beforeID)
		if err != nil {
			t.Fatal(err)
		}
		if len(js) == 0 {
			break
		}
		for _, j := range js {
			if j.Owner != "k1" || seen[j.ID] {
				t.Fatalf("page %d: job %s owner %s repeated=%v", page, j.ID, j.Owner, seen[j.ID])
			}
			seen[j.ID] = true
		}
		last := js[len(js)-1]
		beforeMS, beforeID = ms(last.Created), last.ID
	}
	if len(seen) != len(want) {
		t.Fatalf("listed %d jobs, want %d", len(seen), len(want))
	}
}

// TestStoreAbandonOnce: a given-up page's item is failed once, whoever
// races for it (sweeps on several nodes, the page's late worker), and the
// job settles by the usual rules; a finished or canceled item is kept.
func TestStoreAbandonOnce(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	now := time.Now()
	j := testJob(t, "", now, 3)
	if err := s.insertJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	s.claimItem(ctx, j.ID, 0, now, false)
	s.finishItem(ctx, j.ID, Item{Index: 0, State: Succeeded}, now, time.Hour)
	s.claimItem(ctx, j.ID, 1, now, false)
	if ok, _, err := s.abandonItem(ctx, j.ID, 0, "given up", now, time.Hour); ok || err != nil {
		t.Fatalf("abandon a succeeded item: ok=%v err=%v", ok, err)
	}
	type result struct {
		ok    bool
		final State
		err   error
	}
	const racers = 6
	results := make(chan result, racers+1)
	for i := 0; i < racers; i++ {
		go func() {
			ok, final, err := s.abandonItem(ctx, j.ID, 1, "given up", now, time.Hour)
			results <- result{ok, final, err}
		}()
	}
	go func() {
		ok, final, err := s.finishItem(ctx, j.ID, Item{Index: 1, State: Succeeded}, now, time.Hour)
		results <- result{ok, final, err}
	}()
	wins := 0
	for i := 0; i < racers+1; i++ {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.ok {
			wins++
		}
		if r.final != "" {
			t.Errorf("the job settled with item 2 queued: %s", r.final)
		}
	}
	if wins != 1 {
		t.Fatalf("item 1 recorded %d times, want once", wins)
	}
	// a queued item whose page was given up before it ran settles the job
	ok, final, err := s.abandonItem(ctx, j.ID, 2, "given up", now, time.Hour)
	if err != nil || !ok || final != PartiallySucceeded {
		t.Fatalf("abandon the queued item: ok=%v final=%q err=%v, want partially succeeded", ok, final, err)
	}
	got, _ := s.job(ctx, j.ID)
	if got.State != PartiallySucceeded || got.Items[2].State != Failed || got.Items[2].Error != "given up" || got.Expires.IsZero() {
		t.Fatalf("job %s, item 2 %s %q, expires %v", got.State, got.Items[2].State, got.Items[2].Error, got.Expires)
	}
	if ok, _, _ := s.abandonItem(ctx, j.ID, 2, "again", now, time.Hour); ok {
		t.Fatal("a failed item was failed again")
	}
}
