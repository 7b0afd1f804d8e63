package e2e

import (
	"archive/zip"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testpipe"
	_ "modernc.org/sqlite"
)

// minPSNR is the bar for "the same result as a direct run" (dB).
const minPSNR = 40

// TestKillRestart submits a job, kills the server with SIGKILL at random
// moments while it works (three times), restarts it on the same data
// directory each time, and checks that the job completes with every item
// present exactly once, each result equal to a direct run, no half-written
// file left, and the database intact.
func TestKillRestart(t *testing.T) {
	const n = 8
	ps := pages(t, 4, 72, 56)
	files := make([]file, n)
	for i := range files {
		files[i] = ps[i%len(ps)].file
	}
	s := startServer(t, "", "UPSCALED_JOB_WORKERS=1")

	// Killed mid-upload: the half-received job must never appear.
	killMidUpload(t, s, files)
	if ents, _ := os.ReadDir(filepath.Join(s.DataDir, "jobs")); len(ents) != 0 {
		t.Errorf("after a kill mid-upload and a restart, %d job directories remain", len(ents))
	}

	r := submitJob(t, s, files, "", map[string]string{"model": model, "format": "png"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit: %s", r)
	}
	id := parseJob(t, r).ID
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for round := 0; round < 3; round++ {
		wait := time.Duration(200+rng.IntN(2500)) * time.Millisecond
		time.Sleep(wait)
		d := parseJob(t, do(t, "GET", s.URL+"/v1/jobs/"+id, nil, "", ""))
		t.Logf("round %d: SIGKILL after %v with the job %s, %d/%d items succeeded", round, wait, d.State, d.Counts.Succeeded, n)
		s.Kill()
		s.Restart()
	}
	d := waitJob(t, s, id, "", 4*time.Minute)
	if d.State != "succeeded" || len(d.Items) != n || d.Counts.Succeeded != n {
		t.Fatalf("after the kills: job %s, %d items, %d succeeded; want succeeded with %d", d.State, len(d.Items), d.Counts.Succeeded, n)
	}
	for i, it := range d.Items {
		if it.Index != i || it.State != "succeeded" {
			t.Errorf("item %d: index %d state %s", i, it.Index, it.State)
		}
	}
	ar := do(t, "GET", s.URL+"/v1/jobs/"+id+"/archive", nil, "", "")
	if ar.Status != http.StatusOK {
		t.Fatalf("archive: %s", ar)
	}
	zr, err := zip.NewReader(bytes.NewReader(ar.Body), int64(len(ar.Body)))
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	if len(zr.File) != n {
		t.Fatalf("archive has %d entries, want %d (no item lost or duplicated)", len(zr.File), n)
	}
	names := map[string]bool{}
	for i, f := range zr.File {
		if names[f.Name] {
			t.Errorf("entry %q twice", f.Name)
		}
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("entry %q: %v", f.Name, err)
		}
		if p := testpipe.PSNR(t, ps[i%len(ps)].Want, decodeImage(t, b)); p < minPSNR {
			t.Errorf("item %d: %.1f dB against the direct run, want ≥ %d", i, p, minPSNR)
		}
	}
	var list struct {
		Jobs []jobDoc `json:"jobs"`
	}
	if err := json.Unmarshal(do(t, "GET", s.URL+"/v1/jobs", nil, "", "").Body, &list); err != nil || len(list.Jobs) != 1 || list.Jobs[0].ID != id {
		t.Errorf("job list after the kills: %+v (%v), want only job %s", list.Jobs, err, id)
	}
	s.Stop()
	out, _ := os.ReadDir(filepath.Join(s.DataDir, "jobs", id, "out"))
	results := 0
	for _, e := range out {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("half-written result %s left behind", e.Name())
		} else {
			results++
		}
	}
	if results != n {
		t.Errorf("%d result files on disk, want %d", results, n)
	}
	checkDatabase(t, s.DataDir, id, n)
}

// killMidUpload starts a job upload, sends half of it, kills the server
// with SIGKILL and restarts it.
func killMidUpload(t *testing.T, s *server, files []file) {
	body, ct := multipartBody(t, "images", files, map[string]string{"model": model})
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", s.URL+"/v1/jobs", pr)
		req.Header.Set("Content-Type", ct)
		resp, err := httpClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("the interrupted upload got an answer: %d", resp.StatusCode)
		}
		done <- err
	}()
	half := body.Bytes()[:body.Len()/2]
	if _, err := pw.Write(half); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	s.Kill()
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if err := <-done; err != nil && strings.Contains(err.Error(), "got an answer") {
		t.Error(err)
	}
	s.Restart()
}

// checkDatabase runs SQLite's integrity check on the stopped server's job
// database and counts the job's item records.
func checkDatabase(t testing.TB, dataDir, id string, items int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("PRAGMA integrity_check: %q %v", res, err)
	}
	if id == "" {
		return
	}
	var total, distinct int
	if err := db.QueryRow("SELECT count(*), count(DISTINCT idx) FROM items WHERE job_id = ?", id).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if total != items || distinct != items {
		t.Errorf("database holds %d item records (%d distinct) for the job, want %d", total, distinct, items)
	}
}
