package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
)

// TestSecondServer: a second `upscaled serve` on a data directory in use
// exits at once naming the holder's PID, and one on an address in use
// exits before it touches the data directory; the first server's running
// job is not disturbed.
func TestSecondServer(t *testing.T) {
	s := startServer(t, "")
	ps := pages(t, 1, 200, 160)
	files := []file{ps[0].file, ps[0].file, ps[0].file, ps[0].file}
	r := submitJob(t, s, files, "", map[string]string{"model": model, "format": "png"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit: %s", r)
	}
	id := parseJob(t, r).ID
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if d := parseJob(t, do(t, "GET", s.URL+"/v1/jobs/"+id, nil, "", "")); d.State == "running" || final(d.State) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("job not running within a minute")
		}
	}
	// run starts a second server, which must exit: its log and the error
	run := func(addr, dataDir string) (string, error) {
		return liveserver.Refused(ctxT(t, time.Minute), liveserver.Options{
			Bin: binary(t), Addr: addr, DataDir: dataDir, Env: liveserver.Defaults(t)})
	}
	out, err := run("127.0.0.1:0", s.DataDir)
	if err == nil || !strings.Contains(out, "process "+strconv.Itoa(s.PID())) {
		t.Errorf("second server on the same data directory: %v, want an exit naming pid %d:\n%s", err, s.PID(), tail(out, 2000))
	}
	other := t.TempDir()
	out, err = run(strings.TrimPrefix(s.URL, "http://"), other)
	if err == nil || !strings.Contains(out, "UPSCALED_ADDR") {
		t.Errorf("second server on the same address: %v, want an exit naming UPSCALED_ADDR:\n%s", err, tail(out, 2000))
	}
	if ents, _ := os.ReadDir(other); len(ents) != 0 {
		t.Errorf("the server that could not bind created %d entries in its data directory", len(ents))
	}
	d := waitJob(t, s, id, "", 3*time.Minute)
	if d.State != "succeeded" || d.Counts.Succeeded != len(files) {
		t.Errorf("the first server's job ended %s (%+v), want every page succeeded", d.State, d.Counts)
	}
}

// TestHostileProtocol: what a hostile client does with methods, headers
// and uploads, against the real binary: bounded metrics, problem+json
// everywhere, uploads cut and cleaned up.
func TestHostileProtocol(t *testing.T) {
	s := startServer(t, "", "UPSCALED_JOB_UPLOAD_TIMEOUT=6s", "UPSCALED_JOB_MAX_UPLOADS=2")
	_, before := s.status("/metrics")
	for i := 0; i < 300; i++ {
		r := do(t, fmt.Sprintf("FOO%d", i), s.URL+"/healthz", nil, "", "")
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
			t.Fatalf("FOO%d /healthz: %s (Allow %q), want 405 with Allow: GET, HEAD", i, r, r.Header.Get("Allow"))
		}
	}
	_, after := s.status("/metrics")
	if strings.Contains(after, "FOO") || len(after) > len(before)+4<<10 {
		t.Errorf("/metrics grew from %d to %d bytes after 300 invented methods", len(before), len(after))
	}
	if r := do(t, "HEAD", s.URL+"/healthz", nil, "", ""); r.Status != http.StatusOK {
		t.Errorf("HEAD /healthz: %s", r)
	}
	r := do(t, "GET", s.URL+"/healthz", nil, "", "", "X-Padding", strings.Repeat("x", 128<<10))
	checkProblem(t, r, http.StatusRequestHeaderFieldsTooLarge)
	for _, path := range []string{"/assets/nope.js", "/docs/nope.css"} {
		var p struct {
			Instance  string `json:"instance"`
			RequestID string `json:"request_id"`
		}
		r := do(t, "GET", s.URL+path, nil, "", "")
		checkProblem(t, r, http.StatusNotFound)
		if json.Unmarshal(r.Body, &p); p.Instance != path || p.RequestID == "" {
			t.Errorf("GET %s: %s, want instance and request_id", path, r)
		}
	}
	r = upscaleMultipart(t, s, pages(t, 1, 24, 24)[0].file, "", map[string]string{"family": "realesrgan", "denoise": "3"})
	checkProblem(t, r, http.StatusBadRequest)

	// Trickled job uploads: at most UPSCALED_JOB_MAX_UPLOADS at once, each
	// cut at UPSCALED_JOB_UPLOAD_TIMEOUT, nothing left on disk. The third
	// submission's page is made first: on a loaded two-core machine making
	// it (a direct pipeline run) could outlast the trickles' deadline.
	p := pages(t, 1, 24, 24)[0].file
	var answers []chan string
	for i := 0; i < 2; i++ {
		answers = append(answers, trickleJob(t, s))
	}
	jobsDir := filepath.Join(s.DataDir, "jobs")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ents, _ := os.ReadDir(jobsDir); len(ents) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the two trickled uploads did not start")
		}
	}
	r = submitJob(t, s, []file{p}, "", map[string]string{"model": model})
	checkProblem(t, r, http.StatusServiceUnavailable)
	for i, a := range answers {
		select {
		case line := <-a:
			if !strings.Contains(line, " 408 ") {
				t.Errorf("trickle %d: %q, want 408", i, line)
			}
		case <-time.After(time.Minute):
			t.Fatalf("trickle %d still open a minute after its 6 s deadline", i)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ents, _ := os.ReadDir(jobsDir); len(ents) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cut uploads' job directories are still there")
		}
	}

	// An Idempotency-Key reused with another request.
	key := []string{"Idempotency-Key", "hostile-1"}
	body, ct := multipartBody(t, "images", []file{p}, map[string]string{"model": model})
	if r := do(t, "POST", s.URL+"/v1/jobs", body, ct, "", key...); r.Status != http.StatusAccepted {
		t.Fatalf("first submit: %s", r)
	}
	body, ct = multipartBody(t, "images", []file{p, p}, map[string]string{"model": model})
	checkProblem(t, do(t, "POST", s.URL+"/v1/jobs", body, ct, "", key...), http.StatusUnprocessableEntity)
	s.Alive("after the hostile protocol")
}

// trickleJob starts a job upload sending one byte every 50 ms; the channel
// gets the answer's status line.
func trickleJob(t *testing.T, s *server) chan string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n"+
		"--B\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.png\"\r\n\r\n")
	answer := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			line = err.Error()
		}
		answer <- line
	}()
	go func() {
		for {
			if _, err := conn.Write([]byte{0}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return answer
}
