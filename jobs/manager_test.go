package jobs_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/internal/testing/testpipe"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/upscale"
)

const fastModel = testpipe.FastModel

func testPipeline(t *testing.T) *upscale.Pipeline { return testpipe.Shared(t) }

func open(t *testing.T, dir string) *jobs.Manager {
	t.Helper()
	cfg := jobs.DefaultConfig()
	cfg.DataDir = dir
	cfg.MinFreeDisk = 0
	m, err := jobs.Open(context.Background(), cfg, jobs.Deps{
		Pipeline: testPipeline(t), Budget: budget.New(1<<30, 4, 0),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func submit(t *testing.T, m *jobs.Manager, pages ...[]byte) jobs.Job {
	t.Helper()
	ctx := context.Background()
	u, err := m.Begin(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pages {
		if err := u.Add(ctx, []byte("p.png"), bytes.NewReader(p)); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
	}
	j, _, err := u.Commit(ctx, upscale.Options{Model: fastModel, Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// TestResume stops the manager mid-job, leaves a half-written result, and
// reopens the data directory: the finished item is kept (same file), the
// temp file is gone, and the rest completes.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	page, err := os.ReadFile(testenv.TestImage(t, "small-gray-64x64.png"))
	if err != nil {
		t.Fatal(err)
	}
	m := open(t, dir)
	j := submit(t, m, page, page, page, page)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	get := func(m *jobs.Manager) jobs.Job {
		got, err := m.Get(context.Background(), "", j.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	waitFor(t, "the first item", func() bool { return get(m).Items[0].State == jobs.Succeeded })
	stop()
	<-done
	m.Close()

	out := filepath.Join(dir, "jobs", j.ID, "out")
	first := inode(t, filepath.Join(out, "0"))
	os.WriteFile(filepath.Join(out, ".3.tmp999"), []byte("half a png"), 0o600)

	m = open(t, dir)
	defer m.Close()
	if _, err := os.Stat(filepath.Join(out, ".3.tmp999")); !os.IsNotExist(err) {
		t.Fatal("half-written result survived the restart")
	}
	got := get(m)
	for _, it := range got.Items {
		if it.State == jobs.Running {
			t.Fatalf("item %d still running after reopening", it.Index)
		}
	}
	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	go m.Run(ctx)
	waitFor(t, "the job", func() bool { return get(m).State.Final() })
	got = get(m)
	if got.State != jobs.Succeeded {
		t.Fatalf("job %s: %+v", got.State, got.Counts())
	}
	if inode(t, filepath.Join(out, "0")) != first {
		t.Error("the finished item was redone")
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 4 {
		t.Errorf("%d result files, want 4", len(ents))
	}
}

// countingPipeline is the real pipeline, counting the images it plans.
type countingPipeline struct {
	*upscale.Pipeline
	mu    sync.Mutex
	plans int
}

func (c *countingPipeline) Plan(src io.ReadSeeker, o upscale.Options) (upscale.Plan, error) {
	c.mu.Lock()
	c.plans++
	c.mu.Unlock()
	return c.Pipeline.Plan(src, o)
}

// TestPlannedOnce: an item's header is read once, at submission; the
// worker runs that plan.
func TestPlannedOnce(t *testing.T) {
	page, err := os.ReadFile(testenv.TestImage(t, "small-gray-64x64.png"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := jobs.DefaultConfig()
	cfg.DataDir, cfg.MinFreeDisk = t.TempDir(), 0
	p := &countingPipeline{Pipeline: testPipeline(t)}
	deps := jobs.Deps{Pipeline: p, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	m, err := jobs.Open(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	j := submit(t, m, page, page)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go m.Run(ctx)
	waitFor(t, "the job", func() bool {
		got, err := m.Get(context.Background(), "", j.ID)
		return err == nil && got.State.Final()
	})
	got, _ := m.Get(context.Background(), "", j.ID)
	if got.State != jobs.Succeeded {
		t.Fatalf("job %s: %+v", got.State, got.Counts())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.plans != 2 {
		t.Fatalf("%d plans for 2 items, want one each", p.plans)
	}
}
