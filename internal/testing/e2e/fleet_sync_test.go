package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/pgserver"
	"github.com/upscaled/upscaled/internal/testing/s3server"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestFleetSync sends synchronous requests (POST /v1/upscale) to an
// API-only node of a fleet, which opens no engine (it is given
// UPSCALED_ENGINE=vulkan, which it must not open): with no worker yet, a
// page the fleet cannot finish within UPSCALED_REQUEST_TIMEOUT gets 503
// with Retry-After and leaves nothing behind; with workers (a role-all
// node and a worker), each page comes back byte-identical to the
// single-process CLI run and to the role-all node's answer, with the same
// headers; bad uploads (not an image, corrupt, too large) get the role-all
// node's status and message; a client that disconnects while its page
// runs leaves no queue job running and, once the page stopped, no record
// and no object behind. The hidden jobs never show in the caller's list.
func TestFleetSync(t *testing.T) {
	pg := pgserver.Start(t)
	s3 := s3server.Start(t)
	ins, want := fleetInputs(t, 2)
	env := []string{
		"UPSCALED_DATABASE_URL=" + pg.URL,
		"UPSCALED_BLOB_URL=s3://" + s3.Bucket + "/fleet", "UPSCALED_S3_ENDPOINT=" + s3.Endpoint,
		"AWS_ACCESS_KEY_ID=" + s3server.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s3server.SecretKey, "AWS_REGION=us-east-1",
		"UPSCALED_JOB_RESCUE_AFTER=30s", "UPSCALED_JOB_POLL=100ms", "UPSCALED_JOB_PROGRESS_EVERY=100ms", "UPSCALED_DRAIN_TIMEOUT=5s",
		"UPSCALED_MIN_FREE_DISK=1MiB", "UPSCALED_MAX_UPLOAD_BYTES=200000",
	}
	node := func(role string, extra ...string) *server {
		e := append(append(append([]string{}, env...), "UPSCALED_ROLE="+role), extra...)
		return &server{Server: liveserver.StartWith(t, liveserver.Options{Bin: binary(t), Env: e}), t: t}
	}
	// no engine: a Vulkan device this machine may lack is never opened
	api := node("api", "UPSCALED_ENGINE=vulkan", "UPSCALED_REQUEST_TIMEOUT=90s")
	short := node("api", "UPSCALED_ENGINE=vulkan", "UPSCALED_REQUEST_TIMEOUT=2s")
	if r := do(t, "GET", api.URL+"/readyz", nil, "", ""); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"engine":"none"`) {
		t.Errorf("API node /readyz: %s", r)
	}
	db, err := pgx.Connect(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	blobs, err := blob.NewS3(context.Background(), s3.Config("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{"model": model, "format": "png"}

	// no worker yet: the page waits in the queue past the request's limit
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		r := upscaleMultipart(t, short, ins[0], "", fields)
		p := checkProblem(t, r, http.StatusServiceUnavailable)
		if r.Header.Get("Retry-After") == "" || !strings.Contains(p.Detail, "UPSCALED_REQUEST_TIMEOUT") {
			t.Errorf("timeout: Retry-After %q, %+v", r.Header.Get("Retry-After"), p)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("a request with a 2s limit took %v", d)
		}
		waitNothingLeft(t, db, blobs)
		// the page was the fleet's, and canceled there
		var canceled int
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'upscaled_page' AND state = 'cancelled'`).Scan(&canceled); err != nil || canceled != 1 {
			t.Errorf("%d canceled pages in the queue (%v), want 1", canceled, err)
		}
	})

	all := node("all")
	worker := node("worker")

	// the same pages through the fleet and on the role-all node
	t.Run("identical", func(t *testing.T) {
		for i := range ins {
			for _, s := range []*server{api, all, api} {
				r := upscaleMultipart(t, s, ins[i], "", fields)
				if r.Status != http.StatusOK || !bytes.Equal(r.Body, want[i]) {
					t.Fatalf("page %d from %s: %s: not the CLI run's %d bytes", i, s.URL, r, len(want[i]))
				}
				checkSyncHeaders(t, r, ins[i].Name, s != all)
			}
		}
		// headers: the role-all node's (both answer from the cache now)
		ra := upscaleMultipart(t, all, ins[0], "", fields)
		rf := upscaleMultipart(t, api, ins[0], "", fields)
		for _, h := range []string{"Content-Type", "Content-Disposition", "X-Upscaled-Model", "X-Upscaled-Input-Size", "X-Upscaled-Output-Size",
			"X-Upscaled-Tiles", "X-Upscaled-Cache", "X-Upscaled-Notes", "X-Upscaled-Memory-Bytes", "Content-Length", "Cache-Control"} {
			if ra.Header.Get(h) != rf.Header.Get(h) {
				t.Errorf("%s: role-all node %q, API node %q", h, ra.Header.Get(h), rf.Header.Get(h))
			}
		}
		// a raw body, its name in Content-Disposition
		rr := upscaleRaw(t, api, ins[1], "", url.Values{"model": {model}, "format": {"png"}})
		if rr.Status != http.StatusOK || !bytes.Equal(rr.Body, want[1]) {
			t.Errorf("raw upload through the fleet: %s", rr)
		}
		checkSyncHeaders(t, rr, ins[1].Name, true)
	})

	// bad uploads: the role-all node's status and message
	t.Run("bad uploads", func(t *testing.T) {
		truncated := append([]byte{}, ins[0].Data[:len(ins[0].Data)*2/3]...)
		bad := []file{
			{Name: "not-an-image.png", ContentType: "image/png", Data: []byte("this is not an image, only text in a file named .png")},
			{Name: "truncated.png", ContentType: "image/png", Data: truncated},
			{Name: "big.png", ContentType: "image/png", Data: append(append([]byte{}, ins[0].Data...), make([]byte, 300000)...)},
		}
		for _, f := range bad {
			ra := upscaleMultipart(t, all, f, "", fields)
			before := imagesDone(t, all, worker)
			rf := upscaleMultipart(t, api, f, "", fields)
			// refused from the header on the API node, or failed on a worker
			ran := 0.0
			if f.Name == "truncated.png" {
				ran = 1
			}
			if d := imagesDone(t, all, worker) - before; d != ran {
				t.Errorf("%s: %v pages ended on the workers, want %v", f.Name, d, ran)
			}
			if ra.Status < 400 || rf.Status != ra.Status {
				t.Errorf("%s: role-all node %s, API node %s", f.Name, ra, rf)
				continue
			}
			var pa, pf problem
			json.Unmarshal(ra.Body, &pa)
			json.Unmarshal(rf.Body, &pf)
			if pa != pf || pa.Detail == "" {
				t.Errorf("%s: role-all node %+v, API node %+v", f.Name, pa, pf)
			}
			t.Logf("%s: %d %s: %s", f.Name, rf.Status, pf.Type, pf.Detail)
		}
		waitNothingLeft(t, db, blobs)
	})

	// a client that goes away while its page runs: a page large enough to
	// take seconds on the CPU engine
	t.Run("client gone", func(t *testing.T) {
		big, err := os.ReadFile(testenv.TestImage(t, "mid-color-300x200.png"))
		if err != nil {
			t.Fatal(err)
		}
		body, ct := multipartBody(t, "image", []file{{Name: "big.png", ContentType: "image/png", Data: big}}, fields)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", api.URL+"/v1/upscale", body)
		req.Header.Set("Content-Type", ct)
		errc := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				err = errors.New("answered " + resp.Status)
			}
			errc <- err
		}()
		var id string
		for deadline := time.Now().Add(time.Minute); id == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			err := db.QueryRow(context.Background(), `SELECT j.id FROM jobs j JOIN items i ON i.job_id = j.id
			WHERE j.owner LIKE 'sync:%' AND i.state = 'running'`).Scan(&id)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				t.Fatal(err)
			}
		}
		if id == "" {
			t.Fatal("the large page never ran")
		}
		// hidden from the caller's jobs
		if l := do(t, "GET", api.URL+"/v1/jobs", nil, "", ""); l.Status != http.StatusOK || strings.Contains(string(l.Body), id) {
			t.Errorf("GET /v1/jobs shows the synchronous page's job %s: %s", id, l)
		}
		if g := do(t, "GET", api.URL+"/v1/jobs/"+id, nil, "", ""); g.Status != http.StatusNotFound {
			t.Errorf("GET /v1/jobs/%s: %s, want 404", id, g)
		}
		before := imagesDone(t, all, worker)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("the canceled request: %v", err)
		}
		canceledAt := time.Now()
		waitNothingLeft(t, db, blobs)
		if after := imagesDone(t, all, worker); after != before {
			t.Errorf("the workers finished %v pages after the client went away, want none (the page stopped)", after-before)
		}
		var state string
		db.QueryRow(context.Background(), `SELECT state FROM river_job WHERE args->>'job' = $1`, id).Scan(&state)
		t.Logf("disconnected client: page stopped (queue job %s) and its job %s gone %v later", state, id, time.Since(canceledAt).Round(time.Millisecond))
	})
}

// checkSyncHeaders checks the headers of a synchronous answer (from the
// fleet: with Server-Timing, which a local cache hit lacks; tiles are 0
// on a hit).
func checkSyncHeaders(t *testing.T, r reply, name string, fleet bool) {
	t.Helper()
	h := r.Header
	if h.Get("Content-Type") != "image/png" || !strings.Contains(h.Get("Content-Disposition"), strings.TrimSuffix(name, ".png")) ||
		h.Get("X-Upscaled-Model") != model || h.Get("X-Upscaled-Input-Size") != "44x36" || h.Get("X-Upscaled-Output-Size") != "88x72" ||
		h.Get("X-Upscaled-Tiles") == "" || h.Get("X-Upscaled-Processing-Ms") == "" || h.Get("X-Upscaled-Queue-Ms") == "" ||
		h.Get("X-Upscaled-Memory-Bytes") == "" || h.Get("X-Upscaled-Cache") == "" ||
		fleet && !strings.HasPrefix(h.Get("Server-Timing"), "queue;dur=") ||
		h.Get("X-Upscaled-Cache") == "miss" && (h.Get("X-Upscaled-Tiles") == "0" || h.Get("X-Upscaled-Memory-Bytes") == "0") {
		t.Errorf("headers of %s: %v", name, h)
	}
}

// waitNothingLeft waits up to 30 s until no synchronous page's job, page
// record, queue job still to run or object is left.
func waitNothingLeft(t *testing.T, db *pgx.Conn, blobs blob.Store) {
	t.Helper()
	ctx := context.Background()
	var jobs, pending, objects int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if err := db.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE owner LIKE 'sync:%'`).Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'upscaled_page'
			AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		objects = 0
		if err := blobs.List(ctx, "jobs/", func(blob.Info) error { objects++; return nil }); err != nil {
			t.Fatal(err)
		}
		if jobs+pending+objects == 0 {
			return
		}
		if time.Now().After(deadline) {
			break
		}
	}
	var items int
	db.QueryRow(ctx, `SELECT count(*) FROM items`).Scan(&items)
	t.Fatalf("left behind: %d synchronous jobs (%d items in all), %d queue jobs to run, %d objects under jobs/", jobs, items, pending, objects)
}

// imagesDone sums upscaled_images_total (pages ended, any outcome) over
// the nodes.
func imagesDone(t *testing.T, nodes ...*server) float64 {
	t.Helper()
	sum := 0.0
	for _, n := range nodes {
		r := do(t, "GET", n.URL+"/metrics", nil, "", "")
		for _, line := range strings.Split(string(r.Body), "\n") {
			if strings.HasPrefix(line, "upscaled_images_total{") {
				var v float64
				fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v)
				sum += v
			}
		}
	}
	return sum
}
