package jobs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

// TestCollectExpiredWhileHeld: a job whose record is final and expired is
// removed even while a worker still holds it in the queue (between
// recording its last item and leaving the queue), the window that made
// TestJobsTTL fail now and then.
func TestCollectExpiredWhileHeld(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	now := time.Now()
	m, err := Open(ctx, cfg, Deps{
		Pipeline: upscale.New(upscale.Config{}, cpu.New(), testenv.ModelsDir(t)),
		Now:      func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	j := Job{ID: "0123456789abcdef0123456789abcdef", State: Succeeded, Created: now.Add(-2 * time.Hour),
		Finished: now.Add(-2 * time.Hour), Expires: now.Add(-time.Hour),
		Items: []Item{{Index: 0, Name: "a.png", RawName: []byte("a.png"), State: Succeeded}}}
	if err := m.store.insertJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(m.files.outDir(j.ID), 0o750); err != nil {
		t.Fatal(err)
	}
	held := &active{id: j.ID, ctx: ctx, cancel: func(error) {}, running: 1}
	m.queue.add(held)
	if err := m.Collect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.store.job(ctx, j.ID); err != ErrNotFound {
		t.Errorf("expired job held by a worker: %v, want it removed", err)
	}
	if _, err := os.Stat(m.files.jobDir(j.ID)); !os.IsNotExist(err) {
		t.Errorf("its files: %v, want removed", err)
	}
}
