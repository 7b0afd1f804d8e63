package api

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testpipe"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/upscale"
)

var pngOpts = upscale.Options{Model: jobsModel, Format: "png", Quality: imaging.DefaultQuality}

// TestJobsSubmitEventsDownload submits three pages, follows the job over
// SSE to its end, and checks every result (item and zip) against a direct
// run of the pipeline.
func TestJobsSubmitEventsDownload(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	files := []jobFile{
		{"chapter/page.png", testImage(t, "small-color-48x48.png")},
		{"page.png", testImage(t, "small-gray-64x64.png")},
		{"../../x/y/Page.PNG", testImage(t, "small-rgba-40x56.png")},
	}
	resp, doc := e.submit(t, "", files, nil, "model", jobsModel, "format", "png", "tile", "32")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("submit: %d %s", resp.StatusCode, readAll(resp))
	}
	if loc := resp.Header.Get("Location"); loc != "/v1/jobs/"+doc.ID || len(doc.ID) != 32 {
		t.Fatalf("Location %q, id %q", loc, doc.ID)
	}
	if len(doc.Items) != 3 || doc.Options.Model != jobsModel || doc.Options.Format != "png" {
		t.Fatalf("job document: %+v", doc)
	}
	if doc.Items[0].Name != "page.png" || doc.Items[2].Name != "Page.PNG" || doc.Items[2].OriginalName != "../../x/y/Page.PNG" {
		t.Fatalf("item names: %+v", doc.Items)
	}

	ev := e.do(t, http.MethodGet, "/v1/jobs/"+doc.ID+"/events", "", nil)
	if ev.StatusCode != http.StatusOK || ev.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", ev.StatusCode, ev.Header.Get("Content-Type"))
	}
	events, _ := readEvents(t, ev.Body)
	ev.Body.Close()
	kinds := map[string]int{}
	for _, x := range events {
		kinds[x.name]++
	}
	last := events[len(events)-1]
	var final JobDoc
	json.Unmarshal([]byte(last.data), &final)
	if last.name != "state" || final.State != "succeeded" || final.Progress.Percent != 100 || final.Counts.Succeeded != 3 {
		t.Fatalf("last event %s %s", last.name, last.data)
	}
	// the stream may start after some items finished; the last item's
	// events always arrive, with several tiles each (tile 32 on 64x64)
	if kinds["progress"] == 0 || kinds["item"] == 0 {
		t.Errorf("events by kind: %v", kinds)
	}

	_, doc = e.getJob(t, "", doc.ID)
	if doc.State != "succeeded" || doc.StartedAt == nil || doc.FinishedAt == nil || doc.ExpiresAt == nil {
		t.Fatalf("finished job: %+v", doc)
	}
	results := map[int][]byte{}
	for i, it := range doc.Items {
		if it.State != "succeeded" || it.ResultURL == "" || it.Output == nil {
			t.Fatalf("item %d: %+v", i, it)
		}
		r := e.do(t, http.MethodGet, it.ResultURL, "", nil)
		b := readAll(r)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("item %d download: %d %s", i, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="`+strings.TrimSuffix(it.Name, filepath.Ext(it.Name))+`.png"`) {
			t.Errorf("item %d Content-Disposition %q", i, cd)
		}
		got, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		want := testpipe.DirectRun(t, jobsPipeline(t), files[i].data, pngOpts)
		if got.Bounds() != want.Bounds() || got.Bounds().Dx() != it.Output.Width || it.Output.Bytes != int64(len(b)) {
			t.Fatalf("item %d: %v, want %v (doc %+v)", i, got.Bounds(), want.Bounds(), it.Output)
		}
		if p := testpipe.PSNR(t, got, want); p < 50 {
			t.Errorf("item %d: PSNR %.1f dB against a direct run", i, p)
		}
		results[i] = b
	}
	r0 := e.do(t, http.MethodGet, doc.Items[0].ResultURL, "", nil, "Range", "bytes=8-15")
	if part := readAll(r0); r0.StatusCode != http.StatusPartialContent || !bytes.Equal(part, results[0][8:16]) {
		t.Errorf("range request: %d, %d bytes", r0.StatusCode, len(part))
	}

	r := e.do(t, http.MethodGet, "/v1/jobs/"+doc.ID+"/archive", "", nil)
	zb := readAll(r)
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("archive: %d", r.StatusCode)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"page.png", "page (2).png", "Page (3).png"}
	if len(zr.File) != 3 {
		t.Fatalf("zip has %d entries", len(zr.File))
	}
	for i, f := range zr.File {
		if f.Name != wantNames[i] || f.Method != zip.Store {
			t.Errorf("entry %d: %q method %d, want %q stored", i, f.Name, f.Method, wantNames[i])
		}
		if f.ModifiedDate == 0 || f.Modified.Year() < 2020 {
			t.Errorf("entry %d: DOS date %#x (%v), want the result's time", i, f.ModifiedDate, f.Modified)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // checks the CRC
		rc.Close()
		if err != nil || !bytes.Equal(b, results[i]) {
			t.Errorf("entry %d differs from the item download (err %v)", i, err)
		}
	}
}

// TestJobsPartialFailure: a page that is not an image and a truncated page
// fail with their reasons; the others succeed.
func TestJobsPartialFailure(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	good := testImage(t, "small-color-61x37.png")
	files := []jobFile{
		{"1.png", good},
		{"2.png", []byte("this is not an image")},
		{"3.png", good[:len(good)/2]},
		{"4.png", good},
	}
	resp, doc := e.submit(t, "", files, nil, "model", jobsModel, "format", "png")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("submit: %d %s", resp.StatusCode, readAll(resp))
	}
	if doc.Items[1].State != "failed" || !strings.Contains(doc.Items[1].Error, "unsupported") {
		t.Fatalf("non-image item at submit: %+v", doc.Items[1])
	}
	doc = e.waitJob(t, "", doc.ID)
	if doc.State != "partially_succeeded" || doc.Counts.Succeeded != 2 || doc.Counts.Failed != 2 {
		t.Fatalf("job: %s %+v", doc.State, doc.Counts)
	}
	if doc.Items[2].State != "failed" || doc.Items[2].Error == "" || doc.Items[2].ResultURL != "" {
		t.Fatalf("truncated item: %+v", doc.Items[2])
	}
	r := e.do(t, http.MethodGet, "/v1/jobs/"+doc.ID+"/items/1", "", nil)
	if r.StatusCode != http.StatusConflict {
		t.Errorf("failed item download: %d", r.StatusCode)
	}
	r.Body.Close()
	r = e.do(t, http.MethodGet, "/v1/jobs/"+doc.ID+"/archive", "", nil)
	zb := readAll(r)
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil || len(zr.File) != 2 || zr.File[0].Name != "1.png" || zr.File[1].Name != "4.png" {
		t.Fatalf("archive of a partial job: %v %d entries", err, len(zr.File))
	}
	// every item failing makes a failed job
	resp, doc = e.submit(t, "", files[1:2], nil, "model", jobsModel)
	if resp.StatusCode != http.StatusAccepted || doc.State != "failed" || doc.FinishedAt == nil {
		t.Fatalf("all-bad job: %d %s", resp.StatusCode, doc.State)
	}
}

// TestJobsIdempotentRetry: the same Idempotency-Key returns the same job.
func TestJobsIdempotentRetry(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{keys: []string{"alpha", "beta"}})
	files := []jobFile{{"a.png", testImage(t, "small-color-48x48.png")}}
	key := []string{"Idempotency-Key", "chapter-12-upload"}
	r1, d1 := e.submit(t, "alpha", files, key, "model", jobsModel)
	r2, d2 := e.submit(t, "alpha", files, key, "model", jobsModel)
	if r1.StatusCode != 202 || r2.StatusCode != 202 || d1.ID != d2.ID || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %d ids %s %s", r1.StatusCode, r2.StatusCode, d1.ID, d2.ID)
	}
	_, d3 := e.submit(t, "beta", files, key, "model", jobsModel)
	_, d4 := e.submit(t, "alpha", files, []string{"Idempotency-Key", "other"}, "model", jobsModel)
	if d3.ID == d1.ID || d4.ID == d1.ID || d3.ID == "" || d4.ID == "" {
		t.Fatalf("other key or other tenant got the same job: %s %s %s", d1.ID, d3.ID, d4.ID)
	}
	resp, _ := e.submit(t, "alpha", files, []string{"Idempotency-Key", strings.Repeat("k", 300)}, "model", jobsModel)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("300-byte key: %d", resp.StatusCode)
	}
}

// TestJobsIdempotencyMismatch: a key reused with other files, names or
// options is refused with 422 and creates nothing; once its job is deleted
// the key is free for a new job.
func TestJobsIdempotencyMismatch(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	a, b := testImage(t, "small-color-48x48.png"), testImage(t, "mid-gray-256x256.png")
	key := []string{"Idempotency-Key", "chapter-13"}
	_, d1 := e.submit(t, "", []jobFile{{"a.png", a}}, key, "model", jobsModel)
	for _, tt := range []struct {
		name   string
		files  []jobFile
		fields []string
	}{
		{"other file", []jobFile{{"a.png", b}}, []string{"model", jobsModel}},
		{"other name", []jobFile{{"b.png", a}}, []string{"model", jobsModel}},
		{"other options", []jobFile{{"a.png", a}}, []string{"model", jobsModel, "format", "png"}},
		{"one more file", []jobFile{{"a.png", a}, {"a.png", a}}, []string{"model", jobsModel}},
	} {
		r, _ := e.submit(t, "", tt.files, key, tt.fields...)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(problemDetail(t, r), d1.ID) {
			t.Errorf("%s: %d, want 422 naming job %s", tt.name, r.StatusCode, d1.ID)
		}
	}
	r, d2 := e.submit(t, "", []jobFile{{"a.png", a}}, key, "model", jobsModel)
	if r.StatusCode != http.StatusAccepted || d2.ID != d1.ID || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("same request again: %d %s, want a replay of %s", r.StatusCode, d2.ID, d1.ID)
	}
	dr := e.do(t, http.MethodDelete, "/v1/jobs/"+d1.ID, "", nil)
	dr.Body.Close()
	r, d3 := e.submit(t, "", []jobFile{{"a.png", b}}, key, "model", jobsModel)
	if r.StatusCode != http.StatusAccepted || d3.ID == d1.ID || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("key of a deleted job: %d %s (replayed %q), want a new job", r.StatusCode, d3.ID, r.Header.Get("Idempotent-Replayed"))
	}
}

// TestJobsKeyIsolation: another key's job is 404 on every route.
func TestJobsKeyIsolation(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{keys: []string{"alpha", "beta"}})
	_, d := e.submit(t, "alpha", []jobFile{{"a.png", testImage(t, "small-color-48x48.png")}}, nil, "model", jobsModel)
	e.waitJob(t, "alpha", d.ID)
	routes := []struct{ method, path string }{
		{"GET", "/v1/jobs/" + d.ID},
		{"GET", "/v1/jobs/" + d.ID + "/events"},
		{"GET", "/v1/jobs/" + d.ID + "/items/0"},
		{"GET", "/v1/jobs/" + d.ID + "/archive"},
		{"DELETE", "/v1/jobs/" + d.ID},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			for _, c := range []struct {
				key  string
				want int
			}{{"", 401}, {"wrong", 401}, {"beta", 404}} {
				r := e.do(t, rt.method, rt.path, c.key, nil)
				r.Body.Close()
				if r.StatusCode != c.want {
					t.Errorf("key %q: %d, want %d", c.key, r.StatusCode, c.want)
				}
			}
		})
	}
	var l JobList
	r := e.do(t, "GET", "/v1/jobs", "beta", nil)
	json.NewDecoder(r.Body).Decode(&l)
	r.Body.Close()
	if len(l.Jobs) != 0 {
		t.Errorf("beta lists %d jobs", len(l.Jobs))
	}
	if st, _ := e.getJob(t, "alpha", d.ID); st != 200 {
		t.Errorf("owner GET after the others' DELETE: %d", st)
	}
}

// TestJobsCancel deletes a running job: its item stops between tiles, the
// event stream ends canceled, and its files are gone.
func TestJobsCancel(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	page := testImage(t, "mid-gray-256x256.png")
	files := []jobFile{{"1.png", page}, {"2.png", page}, {"3.png", page}}
	_, d := e.submit(t, "", files, nil, "model", jobsModel, "tile", "32")
	ev := e.do(t, http.MethodGet, "/v1/jobs/"+d.ID+"/events", "", nil)
	defer ev.Body.Close()
	done := make(chan []sseEvent)
	go func() {
		events, _ := readEvents(t, ev.Body)
		done <- events
	}()
	// wait for the first tile
	for deadline := time.Now().Add(time.Minute); ; {
		_, cur := e.getJob(t, "", d.ID)
		if cur.Progress.TilesDone > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no tile done within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r := e.do(t, http.MethodDelete, "/v1/jobs/"+d.ID, "", nil)
	r.Body.Close()
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	events := <-done
	last := events[len(events)-1]
	if last.name != "state" || !strings.Contains(last.data, `"state":"canceled"`) {
		t.Fatalf("last event: %s %s", last.name, last.data)
	}
	if code, _ := e.getJob(t, "", d.ID); code != http.StatusGone {
		t.Fatalf("GET after DELETE: %d, want 410", code)
	}
	// files go once the running item stopped
	dir := filepath.Join(e.dir, "jobs", d.ID)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("job files still there 30 s after DELETE")
		}
	}
	for _, p := range []string{"/items/0", "/archive", "/events"} {
		r := e.do(t, http.MethodGet, "/v1/jobs/"+d.ID+p, "", nil)
		r.Body.Close()
		if r.StatusCode != http.StatusGone {
			t.Errorf("%s after DELETE: %d, want 410", p, r.StatusCode)
		}
	}
	r = e.do(t, http.MethodDelete, "/v1/jobs/"+d.ID, "", nil)
	r.Body.Close()
	if r.StatusCode != http.StatusNoContent {
		t.Errorf("second DELETE: %d", r.StatusCode)
	}
}

// TestJobsDeleteFinished: deleting a finished job keeps its items' states
// out of sight: it leaves the list, its results go, GET answers 410.
func TestJobsDeleteFinished(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	_, d := e.submit(t, "", []jobFile{{"a.png", testImage(t, "small-color-48x48.png")}}, nil, "model", jobsModel)
	if fin := e.waitJob(t, "", d.ID); fin.State != "succeeded" {
		t.Fatalf("job: %s", fin.State)
	}
	r := e.do(t, http.MethodDelete, "/v1/jobs/"+d.ID, "", nil)
	r.Body.Close()
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if code, _ := e.getJob(t, "", d.ID); code != http.StatusGone {
		t.Errorf("GET after DELETE: %d, want 410", code)
	}
	lr := e.do(t, http.MethodGet, "/v1/jobs", "", nil)
	var list JobList
	json.NewDecoder(lr.Body).Decode(&list)
	lr.Body.Close()
	for _, j := range list.Jobs {
		if j.ID == d.ID {
			t.Errorf("deleted job still listed: %+v", j)
		}
	}
	if _, err := os.Stat(filepath.Join(e.dir, "jobs", d.ID)); !os.IsNotExist(err) {
		t.Errorf("deleted job's files: %v", err)
	}
}

// TestJobsEventsHeartbeat: a queued job's stream starts with its state and
// then keeps the connection alive with heartbeat comments.
func TestJobsEventsHeartbeat(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{stopped: true})
	_, d := e.submit(t, "", []jobFile{{"a.png", testImage(t, "small-color-48x48.png")}}, nil, "model", jobsModel)
	r := e.do(t, http.MethodGet, "/v1/jobs/"+d.ID+"/events", "", nil)
	defer r.Body.Close()
	br := bufio.NewReader(r.Body)
	var lines []string
	beats := 0
	for beats < 2 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v after %q", err, lines)
		}
		lines = append(lines, line)
		if strings.HasPrefix(line, ": heartbeat") {
			beats++
		}
	}
	if !strings.Contains(strings.Join(lines, ""), "event: state\ndata: {\"id\":\""+d.ID+"\",\"state\":\"queued\"") {
		t.Fatalf("stream start: %q", lines)
	}
}

// TestJobsTTL: the collector removes a finished job after the TTL.
func TestJobsTTL(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{cfg: func(c *jobs.Config) { c.TTL = time.Hour }})
	_, d := e.submit(t, "", []jobFile{{"a.png", testImage(t, "small-color-48x48.png")}}, nil, "model", jobsModel)
	d = e.waitJob(t, "", d.ID)
	if d.ExpiresAt == nil || d.ExpiresAt.Sub(*d.FinishedAt) != time.Hour {
		t.Fatalf("expiry %v finished %v", d.ExpiresAt, d.FinishedAt)
	}
	ctx := t.Context()
	e.now.Advance(59 * time.Minute)
	if err := e.m.Collect(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.getJob(t, "", d.ID); st != 200 {
		t.Fatalf("before the TTL: %d", st)
	}
	e.now.Advance(2 * time.Minute)
	if err := e.m.Collect(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.getJob(t, "", d.ID); st != 404 {
		t.Fatalf("after the TTL: %d", st)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "jobs", d.ID)); !os.IsNotExist(err) {
		t.Fatalf("files after the TTL: %v", err)
	}
}

// TestJobsRefusals: limits and bad requests get their status and a message
// naming the limit.
func TestJobsRefusals(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{cfg: func(c *jobs.Config) {
		c.MaxItems = 2
		c.MaxBytes = 10 << 10
		c.MinFreeDisk = 1 << 30
	}})
	small := testImage(t, "small-color-48x48.png")
	big := make([]byte, 11<<10)
	copy(big, small)
	tests := []struct {
		name   string
		files  []jobFile
		fields []string
		status int
		detail string
	}{
		{"too many items", []jobFile{{"a", small}, {"b", small}, {"c", small}}, nil, 413, "at most 2 images"},
		{"too many bytes", []jobFile{{"a", big}}, nil, 413, "at most 10240 bytes"},
		{"no images", nil, []string{"model", jobsModel}, 400, "images"},
		{"bad option", []jobFile{{"a", small}}, []string{"quality", "500"}, 400, "quality"},
		{"unknown field", []jobFile{{"a", small}}, []string{"colour", "red"}, 400, "colour"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := e.submit(t, "", tc.files, nil, tc.fields...)
			detail := problemDetail(t, resp)
			if resp.StatusCode != tc.status || !strings.Contains(detail, tc.detail) {
				t.Fatalf("%d %s, want %d mentioning %q", resp.StatusCode, detail, tc.status, tc.detail)
			}
		})
	}
	t.Run("not multipart", func(t *testing.T) {
		r := e.do(t, http.MethodPost, "/v1/jobs", "", bytes.NewReader(small), "Content-Type", "image/png")
		r.Body.Close()
		if r.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("%d", r.StatusCode)
		}
	})
	t.Run("low disk", func(t *testing.T) {
		e.free.Set(100 << 20)
		defer e.free.Set(100 << 30)
		resp, _ := e.submit(t, "", []jobFile{{"a", small}}, nil)
		detail := problemDetail(t, resp)
		if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(detail, "1024 MiB") {
			t.Fatalf("%d %s", resp.StatusCode, detail)
		}
	})
	// refused uploads leave nothing behind
	ents, _ := os.ReadDir(filepath.Join(e.dir, "jobs"))
	if len(ents) != 0 {
		t.Errorf("%d job directories left by refused uploads", len(ents))
	}
}

// TestJobsStalledUpload: an upload that stops sending is cut with 408 and
// leaves nothing behind.
func TestJobsStalledUpload(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	body, ct := jobBody(t, []jobFile{{"a.png", testImage(t, "small-color-48x48.png")}})
	all, _ := io.ReadAll(body)
	pr, pw := io.Pipe()
	go func() {
		pw.Write(all[:len(all)/2])
		time.Sleep(3 * time.Second) // stalls well past the 300 ms idle limit
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}()
	r := e.do(t, http.MethodPost, "/v1/jobs", "", pr, "Content-Type", ct)
	detail := problemDetail(t, r)
	r.Body.Close()
	if r.StatusCode != http.StatusRequestTimeout || !strings.Contains(detail, "sent nothing") {
		t.Fatalf("%d %s", r.StatusCode, detail)
	}
	ents, _ := os.ReadDir(filepath.Join(e.dir, "jobs"))
	if len(ents) != 0 {
		t.Errorf("%d job directories left by a stalled upload", len(ents))
	}
}

// TestJobsList pages through the caller's jobs.
func TestJobsList(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	bad := []jobFile{{"x.png", []byte("not an image")}} // fails at submit: no work
	ids := map[string]bool{}
	for i := 0; i < 5; i++ {
		_, d := e.submit(t, "", bad, nil)
		ids[d.ID] = true
		e.now.Advance(time.Second)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		r := e.do(t, "GET", "/v1/jobs?limit=2&cursor="+cursor, "", nil)
		var l JobList
		json.NewDecoder(r.Body).Decode(&l)
		r.Body.Close()
		for _, j := range l.Jobs {
			if !ids[j.ID] || seen[j.ID] || j.Items != nil || j.Counts.Failed != 1 {
				t.Fatalf("listed %+v", j)
			}
			seen[j.ID] = true
		}
		if l.NextCursor == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
		cursor = l.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("listed %d of 5 jobs", len(seen))
	}
	for _, q := range []string{"limit=0", "limit=x", "cursor=zzz", "sort=asc"} {
		r := e.do(t, "GET", "/v1/jobs?"+q, "", nil)
		r.Body.Close()
		if r.StatusCode != 400 {
			t.Errorf("%s: %d", q, r.StatusCode)
		}
	}
}

// TestJobsHostileNames: names with NUL, separators, invalid UTF-8 and
// length are sanitised in the document, downloads and zip entries.
func TestJobsHostileNames(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{})
	img := testImage(t, "small-color-48x48.png")
	names := []string{"../../etc/passwd\x00.png", "a\xff\xfe.png", strings.Repeat("長", 300) + ".png", "\u202eevil\r\n.png"}
	var files []jobFile
	for _, n := range names {
		files = append(files, jobFile{n, img})
	}
	_, d := e.submit(t, "", files, nil, "model", jobsModel, "format", "png")
	d = e.waitJob(t, "", d.ID)
	want := []string{"passwd.png", "a_.png", "", "evil.png"}
	for i, it := range d.Items {
		if want[i] != "" && it.Name != want[i] {
			t.Errorf("item %d name %q, want %q", i, it.Name, want[i])
		}
		if len(it.Name) > jobs.MaxNameBytes || strings.ContainsAny(it.Name, "/\\\x00\r\n") {
			t.Errorf("item %d name %q", i, it.Name)
		}
	}
	if d.Items[0].OriginalName != names[0] {
		t.Errorf("original name %q, want %q", d.Items[0].OriginalName, names[0])
	}
	r := e.do(t, http.MethodGet, "/v1/jobs/"+d.ID+"/archive", "", nil)
	zb := readAll(r)
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.ContainsAny(f.Name, "/\\\x00") || strings.HasPrefix(f.Name, ".") {
			t.Errorf("zip entry %q", f.Name)
		}
	}
}

func readAll(r *http.Response) []byte {
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return b
}
