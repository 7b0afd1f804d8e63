package e2e

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testpipe"
)

// waitStatus polls path until it answers want, failing after timeout.
func waitStatus(t testing.TB, s *server, path string, want int, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		code, body := s.status(path)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s answered %d %s for %s, want %d", path, code, tail(body, 300), timeout, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestEngineFault switches the engine fault hook on: requests fail with 503
// and Retry-After, /readyz turns 503; switched off, /readyz returns to 200
// and requests succeed again.
func TestEngineFault(t *testing.T) {
	fault := filepath.Join(t.TempDir(), "fault")
	// without the result cache: the same page is to reach the engine each time
	// (with it, pages computed before the fault are answered during it)
	s := startServer(t, "", "UPSCALED_TEST_FAULT_FILE="+fault, "UPSCALED_CACHE=0")
	img := file{Name: "page.png", ContentType: "image/png", Data: tinyPNG(t)}
	opts := map[string]string{"model": model, "format": "png"}
	if r := upscaleMultipart(t, s, img, "", opts); r.Status != http.StatusOK {
		t.Fatalf("before the fault: %s", r)
	}
	if err := os.WriteFile(fault, []byte("device lost"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		r := upscaleMultipart(t, s, img, "", opts)
		checkProblem(t, r, http.StatusServiceUnavailable)
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
		s.Alive("during the fault")
	}
	// A job submitted during the fault: its page is tried again later.
	sub := submitJob(t, s, []file{img}, "", opts)
	if sub.Status != http.StatusAccepted {
		t.Fatalf("submit during the fault: %s", sub)
	}
	waitStatus(t, s, "/readyz", http.StatusServiceUnavailable, 30*time.Second)
	if err := os.Remove(fault); err != nil {
		t.Fatal(err)
	}
	body := waitStatus(t, s, "/readyz", http.StatusOK, 90*time.Second)
	t.Logf("ready again: %s", tail(body, 200))
	if r := upscaleMultipart(t, s, img, "", opts); r.Status != http.StatusOK {
		t.Fatalf("after the fault: %s", r)
	}
	if d := waitJob(t, s, parseJob(t, sub).ID, "", 2*time.Minute); d.State != "succeeded" {
		t.Errorf("job submitted during the fault ended %s (%+v), want succeeded once the engine is back", d.State, d.Items)
	}
}

// TestCacheDuringEngineFault: with the result cache (the default) a page
// computed before an engine fault is still answered during it, the same
// bytes, while a page never seen gets 503.
func TestCacheDuringEngineFault(t *testing.T) {
	fault := filepath.Join(t.TempDir(), "fault")
	s := startServer(t, "", "UPSCALED_TEST_FAULT_FILE="+fault)
	img := file{Name: "page.png", ContentType: "image/png", Data: tinyPNG(t)}
	opts := map[string]string{"model": model, "format": "png"}
	before := upscaleMultipart(t, s, img, "", opts)
	if before.Status != http.StatusOK || before.Header.Get("X-Upscaled-Cache") != "miss" {
		t.Fatalf("before the fault: %s, cache %q", before, before.Header.Get("X-Upscaled-Cache"))
	}
	if err := os.WriteFile(fault, []byte("device lost"), 0o644); err != nil {
		t.Fatal(err)
	}
	during := upscaleMultipart(t, s, img, "", opts)
	if during.Status != http.StatusOK || during.Header.Get("X-Upscaled-Cache") != "hit" || string(during.Body) != string(before.Body) {
		t.Fatalf("during the fault: %s, cache %q", during, during.Header.Get("X-Upscaled-Cache"))
	}
	checkProblem(t, upscaleMultipart(t, s, img, "", map[string]string{"model": model, "format": "jpeg"}), http.StatusServiceUnavailable)
}

// TestSQLiteBusy holds the job database's write lock from a second
// connection: requests wait for it (no 500) and the job still completes.
func TestSQLiteBusy(t *testing.T) {
	s := startServer(t, "")
	img := file{Name: "page.png", ContentType: "image/png", Data: tinyPNG(t)}
	opts := map[string]string{"model": model, "format": "png"}
	// A first job creates the database and its tables.
	first := submitJob(t, s, []file{img}, "", opts)
	if first.Status != http.StatusAccepted {
		t.Fatalf("submit: %s", first)
	}
	waitJob(t, s, parseJob(t, first).ID, "", time.Minute)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "jobs.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := ctxT(t, time.Minute)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const hold = 3 * time.Second
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	released := make(chan error, 1)
	go func() {
		time.Sleep(hold)
		_, err := conn.ExecContext(ctx, "ROLLBACK")
		released <- err
	}()
	r := submitJob(t, s, []file{img, img}, "", opts)
	took := time.Since(locked)
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit while the database is locked: %s", r)
	}
	if took < hold-500*time.Millisecond {
		t.Logf("submit answered after %v although the lock was held %v (WAL lets it proceed?)", took, hold)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	d := waitJob(t, s, parseJob(t, r).ID, "", time.Minute)
	if d.State != "succeeded" {
		t.Fatalf("job %s after the lock", d.State)
	}
	t.Logf("submit waited %v for a lock held %v", took.Round(time.Millisecond), hold)

	// Held past the 10 s busy timeout: a clear 503, never a 500.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(12 * time.Second)
		_, err := conn.ExecContext(ctx, "ROLLBACK")
		released <- err
	}()
	r = submitJob(t, s, []file{img}, "", opts)
	if r.Status != http.StatusAccepted {
		p := checkProblem(t, r, http.StatusServiceUnavailable)
		t.Logf("lock held past the busy timeout: %d %s", p.Status, p.Detail)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	s.Alive("after the locks")
}

// mountTmpfs mounts a tmpfs of size bytes at dir, unmounted when the test ends.
func mountTmpfs(t testing.TB, dir string, size int64) {
	t.Helper()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("the disk-full test needs a tmpfs (run as root, or where mount -t tmpfs is allowed): mount: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
}

// fill writes a ballast file until free space in dir is at most leave bytes
// (0: until the disk is full).
func fill(t testing.TB, path string, leave int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for n := free - leave; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n)]); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
	if leave == 0 {
		for {
			if _, err := f.Write(chunk[:4096]); err != nil {
				if errors.Is(err, syscall.ENOSPC) {
					return
				}
				t.Fatal(err)
			}
		}
	}
}

// TestDiskFull runs the server on a 24 MiB tmpfs: below the free-space
// threshold new jobs get 507; when the disk fills up while a job runs, its
// pages wait and are tried again, and all of them succeed once space
// returns; past UPSCALED_JOB_DISK_RETRY they fail with a message about the
// disk. No answer names a path; the database stays intact.
func TestDiskFull(t *testing.T) {
	data := t.TempDir()
	mountTmpfs(t, data, 24<<20)
	// without the result cache: the test fills the disk while pages run,
	// and the same pages sent again would be answered from it in
	// milliseconds, before the disk is full
	s := startServer(t, data, "UPSCALED_MIN_FREE_DISK=8MiB", "UPSCALED_CACHE=0")
	ps := pages(t, 2, 72, 56)
	opts := map[string]string{"model": model, "format": "png"}
	ballast := filepath.Join(data, "ballast")
	noPath := func(what, text string) {
		t.Helper()
		if strings.Contains(text, data) || strings.Contains(text, "/jobs/") || strings.Contains(text, "spool") {
			t.Errorf("%s names a server path: %q", what, text)
		}
	}

	r := submitJob(t, s, []file{ps[0].file}, "", opts)
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit with space: %s", r)
	}
	if d := waitJob(t, s, parseJob(t, r).ID, "", time.Minute); d.State != "succeeded" {
		t.Fatalf("job with space: %s", d.State)
	}

	// Below the threshold: new jobs are refused, synchronous work goes on.
	fill(t, ballast, 6<<20)
	r = submitJob(t, s, []file{ps[0].file}, "", opts)
	p := checkProblem(t, r, http.StatusInsufficientStorage)
	t.Logf("below the threshold: %s", p.Detail)
	if r := upscaleMultipart(t, s, ps[0].file, "", opts); r.Status != http.StatusOK {
		t.Errorf("sync request with 6 MiB free: %s", r)
	}

	// A job running when the disk fills up: accepted just above the
	// threshold, then the disk fills at once.
	os.Remove(ballast)
	fill(t, ballast, 10<<20)
	files := []file{ps[0].file, ps[1].file, ps[0].file, ps[1].file, ps[0].file, ps[1].file}
	r = submitJob(t, s, files, "", opts)
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit before filling: %s", r)
	}
	id := parseJob(t, r).ID
	fill(t, ballast, 0)
	r = upscaleMultipart(t, s, ps[1].file, "", opts)
	p = checkProblem(t, r, http.StatusInsufficientStorage)
	noPath("sync 507 detail", p.Detail)
	r = submitJob(t, s, []file{ps[0].file}, "", opts)
	p = checkProblem(t, r, http.StatusInsufficientStorage)
	noPath("job 507 detail", p.Detail)
	s.Alive("with the disk full")
	time.Sleep(3 * time.Second) // the job's items meet the full disk
	s.Alive("with the disk full")

	// Space returns: the pages that met the full disk finish.
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	d := waitJob(t, s, id, "", 3*time.Minute)
	t.Logf("job that met the full disk ended %s: %d succeeded, %d failed", d.State, d.Counts.Succeeded, d.Counts.Failed)
	if !strings.Contains(s.Log(), "disk full, trying again") {
		t.Errorf("no job item met the full disk: the fault was not exercised")
	}
	if d.State != "succeeded" {
		t.Errorf("job that met the full disk ended %s, want succeeded once space returned", d.State)
	}
	for _, it := range d.Items {
		if it.State != "succeeded" {
			t.Errorf("item %d is %s (%q), want succeeded once space returned", it.Index, it.State, it.Error)
			continue
		}
		ir := do(t, "GET", s.URL+it.ResultURL, nil, "", "")
		if ir.Status != http.StatusOK {
			t.Errorf("item %d result: %s", it.Index, ir)
			continue
		}
		if q := testpipe.PSNR(t, ps[it.Index%2].Want, decodeImage(t, ir.Body)); q < minPSNR {
			t.Errorf("item %d: %.1f dB against the direct run", it.Index, q)
		}
	}
	r = submitJob(t, s, []file{ps[1].file}, "", opts)
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit after space returned: %s", r)
	}
	if d := waitJob(t, s, parseJob(t, r).ID, "", time.Minute); d.State != "succeeded" {
		t.Fatalf("job after space returned: %s", d.State)
	}
	if r := upscaleMultipart(t, s, ps[1].file, "", opts); r.Status != http.StatusOK {
		t.Errorf("sync request after space returned: %s", r)
	}

	// Space does not return within UPSCALED_JOB_DISK_RETRY: the pages
	// that met the full disk fail, saying so. Half a 1200×900 result (at
	// most 256 KiB) stays free: room for the records (a disk with no byte
	// left cannot record a failure either: the page then waits for space)
	// but not for a result.
	s.Stop()
	s.Restart("UPSCALED_JOB_DISK_RETRY=3s")
	big := pages(t, 1, 600, 450)[0].file
	r = upscaleMultipart(t, s, big, "", opts)
	if r.Status != http.StatusOK {
		t.Fatalf("sync request with space: %s", r)
	}
	leave := min(256<<10, int64(len(r.Body))/2)
	fill(t, ballast, 10<<20)
	r = submitJob(t, s, []file{big, big}, "", opts)
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit before filling: %s", r)
	}
	late := parseJob(t, r).ID
	fill(t, ballast, leave)
	d = waitJob(t, s, late, "", 3*time.Minute)
	t.Logf("job past the disk retry ended %s: %d succeeded, %d failed", d.State, d.Counts.Succeeded, d.Counts.Failed)
	if d.Counts.Failed == 0 {
		t.Errorf("no page failed past UPSCALED_JOB_DISK_RETRY")
	}
	for _, it := range d.Items {
		switch it.State {
		case "succeeded": // its result fitted in what was left
		case "failed":
			noPath("item error", it.Error)
			if !strings.Contains(it.Error, "disk") {
				t.Errorf("item %d failed with %q, want a message about the disk", it.Index, it.Error)
			}
		default:
			t.Errorf("item %d is %s in a finished job", it.Index, it.State)
		}
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	checkDatabase(t, data, id, len(files))
}
