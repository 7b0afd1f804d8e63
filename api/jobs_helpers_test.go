package api

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	_ "image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/internal/testing/testpipe"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/upscale"
)

// jobsModel is a fast model on the Go executor.
const jobsModel = testpipe.FastModel

// jobsPipeline is the real pipeline on the Go executor, shared by the jobs
// tests so that models load once.
func jobsPipeline(t *testing.T) *upscale.Pipeline { return testpipe.Shared(t) }

// jobsEnv is a running jobs API: real store in a temp dir, real pipeline.
type jobsEnv struct {
	m    *jobs.Manager
	ts   *httptest.Server
	dir  string
	now  *fakeClock
	free *atomicFree
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type atomicFree struct {
	mu sync.Mutex
	n  uint64
}

func (f *atomicFree) Set(n uint64) { f.mu.Lock(); f.n = n; f.mu.Unlock() }
func (f *atomicFree) Free(string) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n, nil
}

type jobsEnvOpts struct {
	keys []string
	cfg  func(*jobs.Config)
	// stopped leaves the workers off: jobs stay queued
	stopped bool
	// uploadIdle is JobsConfig.UploadIdle (300 ms when 0)
	uploadIdle time.Duration
}

func newJobsEnv(t *testing.T, o jobsEnvOpts) *jobsEnv {
	t.Helper()
	e := &jobsEnv{dir: t.TempDir(), now: &fakeClock{t: time.Now().UTC()}, free: &atomicFree{n: 100 << 30}}
	cfg := jobs.DefaultConfig()
	cfg.DataDir = e.dir
	cfg.CollectEvery = time.Hour // the tests call Collect
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	b := budget.New(1<<30, 4, 10*time.Second)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := jobs.Open(context.Background(), cfg, jobs.Deps{
		Pipeline: jobsPipeline(t), Budget: b,
		Now: e.now.Now, FreeSpace: e.free.Free, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if o.stopped {
		close(done)
	} else {
		go func() { m.Run(ctx); close(done) }()
	}
	s, err := New(Config{MaxUploadBytes: 64 << 20, RequestTimeout: time.Minute, SpoolDir: t.TempDir(),
		ModelsDir: testenv.ModelsDir(t), APIKeys: o.keys}, Deps{
		Upscaler: jobsPipeline(t), Budget: b, Logger: log, Engine: "cpu",
		Routes: []Mount{JobRoutes(m, JobsConfig{Heartbeat: 50 * time.Millisecond, UploadIdle: cmp.Or(o.uploadIdle, 300*time.Millisecond)})},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(s)
	t.Cleanup(func() {
		e.ts.Close()
		cancel()
		<-done
		m.Close()
	})
	return e
}

// jobFile is one file of a job upload.
type jobFile struct {
	name string // sent as filename*=UTF-8''… so any byte survives
	data []byte
}

func testImage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.TestImage(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jobBody builds a multipart job upload: fields first, then the files.
func jobBody(t *testing.T, files []jobFile, fields ...string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="images"; filename*=UTF-8''`+extValue(f.name))
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// do sends a request with an optional API key and returns the response.
func (e *jobsEnv) do(t *testing.T, method, path, key string, body io.Reader, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (e *jobsEnv) submit(t *testing.T, key string, files []jobFile, header []string, fields ...string) (*http.Response, JobDoc) {
	t.Helper()
	body, ct := jobBody(t, files, fields...)
	resp := e.do(t, http.MethodPost, "/v1/jobs", key, body, append([]string{"Content-Type", ct}, header...)...)
	defer resp.Body.Close()
	var d JobDoc
	if resp.StatusCode == http.StatusAccepted {
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			t.Fatal(err)
		}
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
	return resp, d
}

func (e *jobsEnv) getJob(t *testing.T, key, id string) (int, JobDoc) {
	t.Helper()
	resp := e.do(t, http.MethodGet, "/v1/jobs/"+id, key, nil)
	defer resp.Body.Close()
	var d JobDoc
	if resp.StatusCode == http.StatusOK {
		json.NewDecoder(resp.Body).Decode(&d)
	}
	return resp.StatusCode, d
}

// waitJob polls until the job is final.
func (e *jobsEnv) waitJob(t *testing.T, key, id string) JobDoc {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		st, d := e.getJob(t, key, id)
		if st != http.StatusOK {
			t.Fatalf("GET job: %d", st)
		}
		switch d.State {
		case "succeeded", "partially_succeeded", "failed", "canceled":
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s not finished in time", id)
	return JobDoc{}
}

// sseEvent is one server-sent event.
type sseEvent struct {
	name string
	data string
}

// readEvents reads a stream until it ends; heartbeats counts comments.
func readEvents(t *testing.T, body io.Reader) (events []sseEvent, heartbeats int) {
	t.Helper()
	sc := bufio.NewScanner(body)
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" {
				events = append(events, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
			heartbeats++
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return events, heartbeats
}

func problemDetail(t *testing.T, resp *http.Response) string {
	t.Helper()
	var p Problem
	json.NewDecoder(resp.Body).Decode(&p)
	return fmt.Sprintf("%d %s: %s", p.Status, p.Type, p.Detail)
}
