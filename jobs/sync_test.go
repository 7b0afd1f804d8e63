package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/pgserver"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/upscale"
)

// TestFleetRunPage runs synchronous pages through an API-only node and a
// worker on one database and bucket: the result is the pipeline's own,
// with the worker's run (tiles, model); the hidden job is in none of the
// owner's lists nor readable by them, and is gone (records and objects)
// once the page is closed; a corrupt page's failure keeps its class.
func TestFleetRunPage(t *testing.T) {
	pg := pgserver.Start(t)
	blobs := fleetBucket(t, "sync")
	page := readImage(t, "small-gray-64x64.png")
	ctx := context.Background()
	api := openFleet(t, pg.URL, blobs, false, 0)
	openFleet(t, pg.URL, blobs, true, 0)

	p := testPipeline(t)
	plan, err := p.Plan(bytes.NewReader(page), upscale.Options{Model: fastModel, Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	res, err := p.Run(ctx, plan, bytes.NewReader(page), &want, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	pg1, err := api.m.RunPage(ctx, "owner", []byte("p.png"), bytes.NewReader(page), plan)
	if err != nil {
		t.Fatal(err)
	}
	if pg1.Err != nil || pg1.Item.State != jobs.Succeeded {
		t.Fatalf("page: %s, %v", pg1.Item.State, pg1.Err)
	}
	f, err := pg1.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("result: %d bytes, not the pipeline's %d", len(got), want.Len())
	}
	if pg1.Result.Tiles != res.Tiles || pg1.Result.Model != res.Model || pg1.Result.OutWidth != res.OutWidth || pg1.HostBytes != plan.HostBytes {
		t.Errorf("run: %+v (host bytes %d), want %+v (%d)", pg1.Result, pg1.HostBytes, res, plan.HostBytes)
	}
	if js, _, err := api.m.List(ctx, "owner", 10, ""); err != nil || len(js) != 0 {
		t.Errorf("the owner's list: %d jobs, %v; want none", len(js), err)
	}
	objects := func() int {
		n := 0
		blobs.List(ctx, "jobs/", func(blob.Info) error { n++; return nil })
		return n
	}
	if objects() == 0 {
		t.Error("no object of the page before Close")
	}
	pg1.Close()
	if n := objects(); n != 0 {
		t.Errorf("%d objects left after Close", n)
	}

	// a corrupt page (its header is fine): the failure's class survives
	bad := append([]byte{}, page[:len(page)*2/3]...)
	badPlan, err := p.Plan(bytes.NewReader(bad), plan.Options)
	if err != nil {
		t.Fatal(err)
	}
	pg2, err := api.m.RunPage(ctx, "owner", []byte("bad.png"), bytes.NewReader(bad), badPlan)
	if err != nil {
		t.Fatal(err)
	}
	defer pg2.Close()
	var pe *jobs.PageError
	if !errors.As(pg2.Err, &pe) || !errors.Is(pg2.Err, imaging.ErrCorrupt) || pg2.Item.State != jobs.Failed {
		t.Errorf("corrupt page: %s, %v (%T)", pg2.Item.State, pg2.Err, pg2.Err)
	}

	// a request that ends while its page waits: canceled, nothing left
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := api.m.RunPage(cctx, "owner", []byte("p.png"), bytes.NewReader(page), plan); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled request: %v", err)
	}
}
