package api

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/jobs"
)

// trickle is a job upload that sends its image a byte at a time until the
// server answers; answer is that status line.
type trickle struct {
	conn   net.Conn
	answer chan string
}

func startTrickle(t *testing.T, url string) *trickle {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	head := "--B\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
	fmt.Fprintf(conn, "POST /v1/jobs HTTP/1.1\r\nHost: test\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n%s", head)
	tr := &trickle{conn: conn, answer: make(chan string, 1)}
	go func() {
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			line = err.Error()
		}
		tr.answer <- strings.TrimSpace(line)
	}()
	go func() {
		for {
			if _, err := conn.Write([]byte{0}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return tr
}

// TestJobsUploadLimits: job uploads beyond UPSCALED_JOB_MAX_UPLOADS are
// refused as busy, an upload that keeps sending is cut at
// UPSCALED_JOB_UPLOAD_TIMEOUT, and nothing of a cut upload stays on disk.
func TestJobsUploadLimits(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{uploadIdle: time.Minute, cfg: func(c *jobs.Config) {
		c.MaxUploads = 2
		c.UploadTimeout = 2 * time.Second
	}})
	jobsDir := filepath.Join(e.dir, "jobs")
	dirs := func() int {
		ents, _ := os.ReadDir(jobsDir)
		return len(ents)
	}
	t1, t2 := startTrickle(t, e.ts.URL), startTrickle(t, e.ts.URL)
	waitUntil(t, 10*time.Second, "two uploads in progress", func() bool { return dirs() == 2 })

	small := testImage(t, "small-color-48x48.png")
	r, _ := e.submit(t, "", []jobFile{{"a.png", small}}, nil, "model", jobsModel)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(problemDetail(t, r), "UPSCALED_JOB_MAX_UPLOADS") {
		t.Errorf("third upload at once: %d (Retry-After %q), want 503 naming UPSCALED_JOB_MAX_UPLOADS", r.StatusCode, r.Header.Get("Retry-After"))
	}
	for i, tr := range []*trickle{t1, t2} {
		select {
		case line := <-tr.answer:
			if !strings.Contains(line, "408") {
				t.Errorf("trickle %d: %q, want 408", i, line)
			}
		case <-time.After(time.Minute):
			t.Fatalf("trickle %d still open a minute after its 2 s deadline", i)
		}
	}
	waitUntil(t, 10*time.Second, "the cut uploads' directories removed", func() bool { return dirs() == 0 })
	r, d := e.submit(t, "", []jobFile{{"a.png", small}}, nil, "model", jobsModel)
	if r.StatusCode != http.StatusAccepted || d.ID == "" {
		t.Fatalf("upload after the trickles ended: %d", r.StatusCode)
	}
}

// TestJobStats: the job gauges' source counts queued work and its age.
func TestJobStats(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{stopped: true})
	small := testImage(t, "small-color-48x48.png")
	e.submit(t, "", []jobFile{{"a.png", small}, {"b.png", small}}, nil, "model", jobsModel)
	e.now.Advance(90 * time.Second)
	st, err := e.m.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Jobs[jobs.Queued] != 1 || st.ItemsQueued != 2 || st.ItemsRunning != 0 || st.OldestQueued.Truncate(time.Second) != 90*time.Second {
		t.Errorf("stats %+v, want 1 queued job, 2 queued items, oldest 90s", st)
	}
}

// TestJobInputSizeOriented: a job item's input size is the upright one, as
// the synchronous X-Upscaled-Input-Size.
func TestJobInputSizeOriented(t *testing.T) {
	e := newJobsEnv(t, jobsEnvOpts{stopped: true})
	c := hostileCase(t, "jpeg-exif-orientation-6")
	_, d := e.submit(t, "", []jobFile{{"o.jpg", c.Data}}, nil, "model", jobsModel)
	if len(d.Items) != 1 || d.Items[0].Input.Width != c.WantW || d.Items[0].Input.Height != c.WantH {
		t.Fatalf("item input %+v, want %dx%d", d.Items, c.WantW, c.WantH)
	}
}
