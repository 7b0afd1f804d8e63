package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/pgserver"
	"github.com/upscaled/upscaled/internal/testing/s3server"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// fleetPages is the size of each job of the fleet test.
const fleetPages = 30

// TestFleet runs a fleet as separate processes on loopback: PostgreSQL,
// a SeaweedFS S3 server, two API nodes and three worker nodes (CPU
// engine). Two jobs of 30 pages go to the first API node; while they run a
// worker is killed with SIGKILL in the middle of a page, twice (each is
// started again). Every page of both jobs must complete exactly once
// (one record and one completed queue job per page), byte-identical to a
// single-process run; the second API node, which accepted no job, answers
// the jobs, their progress events and their archives; a third job of the
// first job's pages is served from the result cache without engine work.
// It logs the database statements per page (pg_stat_statements).
func TestFleet(t *testing.T) {
	pg := pgserver.Start(t)
	s3 := s3server.Start(t)
	ins, want := fleetInputs(t, 2*fleetPages)
	env := []string{
		"UPSCALED_DATABASE_URL=" + pg.URL,
		"UPSCALED_BLOB_URL=s3://" + s3.Bucket + "/fleet", "UPSCALED_S3_ENDPOINT=" + s3.Endpoint,
		"AWS_ACCESS_KEY_ID=" + s3server.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s3server.SecretKey, "AWS_REGION=us-east-1",
		"UPSCALED_JOB_RESCUE_AFTER=5s", "UPSCALED_JOB_POLL=100ms", "UPSCALED_JOB_PROGRESS_EVERY=100ms", "UPSCALED_DRAIN_TIMEOUT=5s",
		"UPSCALED_MIN_FREE_DISK=1MiB",
	}
	node := func(role string) *liveserver.Server {
		return liveserver.StartWith(t, liveserver.Options{Bin: binary(t), Env: append(append([]string{}, env...), "UPSCALED_ROLE="+role)})
	}
	api1 := node("api")
	api2 := node("api")
	workers := []*liveserver.Server{node("worker"), node("worker"), node("worker")}
	if r := do(t, "GET", workers[0].URL+"/v1/models", nil, "", ""); r.Status != http.StatusNotFound {
		t.Errorf("a worker node answered GET /v1/models: %s", r)
	}
	db, err := pgx.Connect(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	pg.ResetStatements(t)

	fields := map[string]string{"model": model, "format": "png"}
	var ids []string
	for j := 0; j < 2; j++ {
		r := submitJob(t, &server{Server: api1, t: t}, ins[j*fleetPages:(j+1)*fleetPages], "", fields)
		if r.Status != http.StatusAccepted {
			t.Fatalf("submit: %s", r)
		}
		ids = append(ids, parseJob(t, r).ID)
	}
	// progress events from the node that accepted neither job
	events := make([]chan sseTally, len(ids))
	for i, id := range ids {
		events[i] = make(chan sseTally, 1)
		go func() { events[i] <- followEvents(api2.URL + "/v1/jobs/" + id + "/events") }()
	}

	for kills := 0; kills < 2; {
		w, page, ok := killMidPage(t, db, workers)
		if !ok {
			if jobsDone(t, db, ids) {
				t.Fatalf("the jobs finished after %d kills mid-page: make the pages slower", kills)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		kills++
		t.Logf("SIGKILL worker %d in the middle of %s", w, page)
		if err := workers[w].Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	api := &server{Server: api2, t: t}
	for i, id := range ids {
		d := waitJob(t, api, id, "", 4*time.Minute)
		if d.State != "succeeded" || len(d.Items) != fleetPages || d.Counts.Succeeded != fleetPages {
			t.Fatalf("job %s: %s, %d items, %d succeeded", id, d.State, len(d.Items), d.Counts.Succeeded)
		}
		ev := <-events[i]
		// pages done before the stream began are in its first state
		// event's counts, every later one in an item event
		if ev.err != nil || ev.final != "succeeded" || ev.initial+len(ev.succeeded) != fleetPages {
			t.Errorf("events of job %s from the other API node: final %q, %d pages succeeded before and %d during the stream, %d progress events, %v; events:\n%s",
				id, ev.final, ev.initial, len(ev.succeeded), ev.progress, ev.err, strings.Join(ev.log, "\n"))
		}
		t.Logf("events of job %s from the other API node: %d pages succeeded before the stream, %d item events saying succeeded, %d progress events", id, ev.initial, len(ev.succeeded), ev.progress)
		checkArchive(t, api2.URL+"/v1/jobs/"+id+"/archive", want[i*fleetPages:(i+1)*fleetPages])
		for _, n := range []int{0, fleetPages - 1} {
			r := do(t, "GET", api2.URL+d.Items[n].ResultURL, nil, "", "")
			if r.Status != http.StatusOK || !bytes.Equal(r.Body, want[i*fleetPages+n]) {
				t.Errorf("job %s item %d from the other API node: %d, %d bytes, not the single-node run's", id, n, r.Status, len(r.Body))
			}
		}
		checkOnce(t, db, id)
	}
	logStatements(t, pg, 2*fleetPages)

	// the first job again: every page from the cache, no engine work
	before := cacheLookups(t, workers)
	r := submitJob(t, &server{Server: api1, t: t}, ins[:fleetPages], "", fields)
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit: %s", r)
	}
	d := waitJob(t, api, parseJob(t, r).ID, "", 2*time.Minute)
	if d.State != "succeeded" {
		t.Fatalf("repeated job: %s", d.State)
	}
	checkArchive(t, api2.URL+"/v1/jobs/"+d.ID+"/archive", want[:fleetPages])
	after := cacheLookups(t, workers)
	if hits, misses := after["hit"]-before["hit"], after["miss"]-before["miss"]; hits != fleetPages || misses != 0 {
		t.Errorf("repeated job: %v cache hits and %v misses on the workers, want %d and 0", hits, misses, fleetPages)
	}

	// a worker drains on SIGTERM within its drain timeout
	start := time.Now()
	if err := workers[0].Stop(); err != nil {
		t.Errorf("worker stop: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("an idle worker took %v to stop", d)
	}
}

// fleetInputs crops n distinct small pages out of the colour test image
// and upscales them all with one `upscaled upscale` process: the
// single-node reference, PNG bytes by result name.
func fleetInputs(t *testing.T, n int) ([]file, [][]byte) {
	t.Helper()
	in, out := t.TempDir(), t.TempDir()
	files := crops(t, n, 44, 36, 29, 17)
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(in, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(binary(t), "upscale", "--quiet", "--engine", "cpu", "--model", model, "--format", "png",
		"--models-dir", testenv.ModelsDir(t), in, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("single-node run: %v\n%s", err, msg)
	}
	want := make([][]byte, n)
	for i := range want {
		var err error
		if want[i], err = os.ReadFile(filepath.Join(out, files[i].Name)); err != nil {
			t.Fatal(err)
		}
	}
	return files, want
}

// killMidPage finds a page running on one of the workers, SIGKILLs that
// worker, and reports which worker and page, and whether the page's record
// still said running once the process was gone (killed mid-page).
func killMidPage(t *testing.T, db *pgx.Conn, workers []*liveserver.Server) (int, string, bool) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Query(ctx, `SELECT attempted_by[array_upper(attempted_by, 1)], args->>'job', (args->>'item')::int
		FROM river_job WHERE state = 'running' AND kind = 'upscaled_page'`)
	if err != nil {
		t.Fatal(err)
	}
	type running struct {
		client, job string
		item        int
	}
	var rs []running
	for rows.Next() {
		var r running
		if err := rows.Scan(&r.client, &r.job, &r.item); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		for i, w := range workers {
			if !strings.HasSuffix(r.client, "-"+strconv.Itoa(w.PID())) {
				continue
			}
			w.Kill()
			var state string
			if err := db.QueryRow(ctx, `SELECT state FROM items WHERE job_id = $1 AND idx = $2`, r.job, r.item).Scan(&state); err != nil {
				t.Fatal(err)
			}
			page := fmt.Sprintf("job %s page %d", r.job, r.item)
			if state != "running" {
				// it finished just before: not mid-page, start the worker again
				if err := w.Restart(ctx); err != nil {
					t.Fatal(err)
				}
				return 0, "", false
			}
			return i, page, true
		}
	}
	return 0, "", false
}

func jobsDone(t *testing.T, db *pgx.Conn, ids []string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM jobs WHERE id = ANY($1) AND state IN ('queued', 'running')`, ids).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 0
}

// checkOnce checks the shared database: one record per page, each
// succeeded, and one completed queue job per page.
func checkOnce(t *testing.T, db *pgx.Conn, id string) {
	t.Helper()
	ctx := context.Background()
	var records, distinct, succeeded int
	if err := db.QueryRow(ctx, `SELECT count(*), count(DISTINCT idx), count(*) FILTER (WHERE state = 'succeeded') FROM items WHERE job_id = $1`, id).
		Scan(&records, &distinct, &succeeded); err != nil {
		t.Fatal(err)
	}
	// A worker killed after it recorded its page but before the queue
	// marked the page's queue job completed leaves that job running until
	// the queue rescues it (UPSCALED_JOB_RESCUE_AFTER, 5 s here) and a
	// worker finds the page done: wait for that, up to 30 s.
	var queued, completed, rescued int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE attempt > 1)
			FROM river_job WHERE kind = 'upscaled_page' AND args->>'job' = $1`, id).Scan(&queued, &completed, &rescued); err != nil {
			t.Fatal(err)
		}
		if completed == fleetPages || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("job %s: %d page records (%d distinct, %d succeeded), %d queue jobs (%d completed, %d run more than once)", id, records, distinct, succeeded, queued, completed, rescued)
	if records != fleetPages || distinct != fleetPages || succeeded != fleetPages || queued != fleetPages || completed != fleetPages {
		t.Errorf("job %s: want %d of each", id, fleetPages)
	}
}

// checkArchive downloads a job's zip and compares each entry with the
// single-node run's bytes.
func checkArchive(t *testing.T, url string, want [][]byte) {
	t.Helper()
	r := do(t, "GET", url, nil, "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("archive: %s", r)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	if len(zr.File) != len(want) {
		t.Fatalf("archive has %d entries, want %d", len(zr.File), len(want))
	}
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want[i]) {
			t.Errorf("archive entry %d (%s): %d bytes, not the single-node run's %d", i, f.Name, len(b), len(want[i]))
		}
	}
}

// sseTally is what a job's event stream said.
type sseTally struct {
	final     string
	initial   int             // pages succeeded in the first state event (before the stream)
	succeeded map[string]bool // item events saying succeeded, by index
	progress  int
	err       error
	log       []string // event name and its data's index and state, in order
}

var sseState = regexp.MustCompile(`"state":"([a-z_]+)"`)
var sseIndex = regexp.MustCompile(`"index":(\d+)`)
var sseSucceeded = regexp.MustCompile(`"succeeded":(\d+)`)

// followEvents reads a job's SSE stream to its end.
func followEvents(url string) sseTally {
	tally := sseTally{succeeded: map[string]bool{}}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Get(url)
	if err != nil {
		tally.err = err
		return tally
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tally.err = fmt.Errorf("status %d", resp.StatusCode)
		return tally
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data := strings.TrimPrefix(line, "data: ")
			st := ""
			if m := sseState.FindStringSubmatch(data); m != nil {
				st = m[1]
			}
			idx := ""
			if m := sseIndex.FindStringSubmatch(data); m != nil {
				idx = m[1]
			}
			if event != "progress" {
				tally.log = append(tally.log, event+" "+idx+" "+st)
			}
			switch event {
			case "state":
				if tally.final == "" {
					if m := sseSucceeded.FindStringSubmatch(data); m != nil {
						tally.initial, _ = strconv.Atoi(m[1])
					}
				}
				tally.final = st
			case "item":
				if m := sseIndex.FindStringSubmatch(data); m != nil && st == "succeeded" {
					tally.succeeded[m[1]] = true
				}
			case "progress":
				tally.progress++
			}
		}
	}
	tally.err = sc.Err()
	return tally
}

// cacheLookups sums upscaled_cache_lookups_total over the workers, by result.
func cacheLookups(t *testing.T, workers []*liveserver.Server) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	re := regexp.MustCompile(`^upscaled_cache_lookups_total\{result="(\w+)"\} (\S+)$`)
	for _, w := range workers {
		r := do(t, "GET", w.URL+"/metrics", nil, "", "")
		for _, line := range strings.Split(string(r.Body), "\n") {
			if m := re.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[2], 64)
				out[m[1]] += v
			}
		}
	}
	return out
}

// logStatements logs the statements the fleet ran for its pages: calls
// and WAL bytes per page, and the most frequent statements.
func logStatements(t *testing.T, pg *pgserver.Server, pages int) {
	t.Helper()
	sts, wal := pg.Statements(t)
	var calls, rows int64
	var b strings.Builder
	for i, s := range sts {
		calls += s.Calls
		rows += s.Rows
		if i < 25 {
			q := s.Query
			if len(q) > 110 {
				q = q[:110] + "…"
			}
			fmt.Fprintf(&b, "  %7d calls %7d rows  %s\n", s.Calls, s.Rows, q)
		}
	}
	t.Logf("database work for %d pages (2 jobs, 2 kills, 2 API nodes following events, 3 workers polling): %d statements (%.1f per page), %d rows (%.1f per page), %d WAL bytes (%.0f per page); most called:\n%s",
		pages, calls, float64(calls)/float64(pages), rows, float64(rows)/float64(pages), wal, float64(wal)/float64(pages), b.String())
}
