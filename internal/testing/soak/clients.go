package soak

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/upscaled/upscaled/imaging"
)

// minPSNR is the bar for "same result as a direct run" (runs of the same
// engine are deterministic up to float summation order).
const minPSNR = 50

// client is one simulated user.
type client struct {
	url    string
	model  string
	inputs []Input
	bad    []byte
	stats  *Stats
	rng    *rand.Rand
	http   *http.Client
}

// action is one kind of user behaviour, picked by weight.
type action struct {
	name   string
	weight int
	run    func(c *client, ctx context.Context) error
}

var actions = []action{
	{"sync", 50, (*client).syncUpscale},
	{"job", 12, (*client).job},
	{"slow-upload", 6, (*client).slowUpload},
	{"abort-upload", 6, (*client).abortUpload},
	{"abort-download", 6, (*client).abortDownload},
	{"cancel-job", 6, (*client).cancelJob},
	{"bad-input", 7, (*client).badInput},
	{"health", 7, (*client).health},
	{"method-flood", 4, (*client).methodFlood},
	{"trickle-job", 2, (*client).trickleJob},
}

func (c *client) pick() action {
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	n := c.rng.IntN(total)
	for _, a := range actions {
		if n < a.weight {
			return a
		}
		n -= a.weight
	}
	return actions[0]
}

func (c *client) multipart(field string, files []Input, extra map[string]string) (*bytes.Buffer, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range extra {
		w.WriteField(k, v)
	}
	for _, f := range files {
		part, _ := w.CreateFormFile(field, f.Name)
		part.Write(f.PNG)
	}
	w.Close()
	return &body, w.FormDataContentType()
}

func (c *client) do(ctx context.Context, kind, method, path string, body io.Reader, ctype string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, body)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	c.stats.status(kind, resp.StatusCode)
	return resp, nil
}

func (c *client) syncUpscale(ctx context.Context) error {
	in := c.inputs[c.rng.IntN(len(c.inputs))]
	body, ct := c.multipart("image", []Input{in}, map[string]string{"model": c.model, "format": "png"})
	start := time.Now()
	resp, err := c.do(ctx, "sync", "POST", "/v1/upscale", body, ct)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	switch resp.StatusCode {
	case 200:
		c.stats.latency(time.Since(start))
		return c.check(in, data)
	case 503:
		if resp.Header.Get("Retry-After") == "" {
			return fmt.Errorf("503 without Retry-After")
		}
		return nil
	default:
		return fmt.Errorf("sync upscale: %d: %s", resp.StatusCode, data)
	}
}

func (c *client) check(in Input, data []byte) error {
	got, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		c.stats.corrupt.Add(1)
		return fmt.Errorf("%s: result does not decode: %v", in.Name, err)
	}
	p, err := imaging.PSNR(in.Want, got)
	if err != nil || p < minPSNR {
		c.stats.corrupt.Add(1)
		return fmt.Errorf("%s: result differs from the direct run (%.1f dB, %v)", in.Name, p, err)
	}
	c.stats.verified.Add(1)
	return nil
}

type jobDoc struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Items []struct {
		State string `json:"state"`
	} `json:"items"`
}

func (c *client) submit(ctx context.Context, files []Input) (jobDoc, int, error) {
	body, ct := c.multipart("images", files, map[string]string{"model": c.model, "format": "png"})
	resp, err := c.do(ctx, "job", "POST", "/v1/jobs", body, ct)
	if err != nil {
		return jobDoc{}, 0, err
	}
	defer resp.Body.Close()
	var doc jobDoc
	if resp.StatusCode == 202 {
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			return doc, 202, err
		}
		c.stats.jobs.Add(1)
	}
	return doc, resp.StatusCode, nil
}

func (c *client) job(ctx context.Context) error {
	n := 2 + c.rng.IntN(3)
	files := make([]Input, n)
	for i := range files {
		files[i] = c.inputs[c.rng.IntN(len(c.inputs))]
		files[i].Name = fmt.Sprintf("p%02d-%s", i, files[i].Name)
	}
	doc, code, err := c.submit(ctx, files)
	if err != nil || code != 202 {
		if err == nil && code != 503 && code != 507 {
			err = fmt.Errorf("job submit: %d", code)
		}
		return err
	}
	for doc.State == "queued" || doc.State == "running" {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(300 * time.Millisecond):
		}
		resp, err := c.do(ctx, "job-poll", "GET", "/v1/jobs/"+doc.ID, nil, "")
		if err != nil {
			return err
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			return err
		}
	}
	if doc.State != "succeeded" {
		return fmt.Errorf("job %s ended %s", doc.ID, doc.State)
	}
	resp, err := c.do(ctx, "archive", "GET", "/v1/jobs/"+doc.ID+"/archive", nil, "")
	if err != nil {
		return err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		c.stats.corrupt.Add(1)
		return fmt.Errorf("archive: %v", err)
	}
	if len(zr.File) != n {
		c.stats.lost.Add(1)
		return fmt.Errorf("archive has %d entries, want %d", len(zr.File), n)
	}
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := c.check(files[i], b); err != nil {
			return err
		}
	}
	c.do(ctx, "delete", "DELETE", "/v1/jobs/"+doc.ID, nil, "")
	return nil
}

func (c *client) cancelJob(ctx context.Context) error {
	files := []Input{c.inputs[len(c.inputs)-1], c.inputs[len(c.inputs)-1], c.inputs[0]}
	doc, code, err := c.submit(ctx, files)
	if err != nil || code != 202 {
		if err == nil && code != 503 && code != 507 {
			err = fmt.Errorf("job submit: %d", code)
		}
		return err
	}
	time.Sleep(time.Duration(c.rng.IntN(500)) * time.Millisecond)
	resp, err := c.do(ctx, "delete", "DELETE", "/v1/jobs/"+doc.ID, nil, "")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		return fmt.Errorf("cancel job: %d", resp.StatusCode)
	}
	// A deleted job is gone (410 until its TTL), and so are its results.
	resp, err = c.do(ctx, "job-poll", "GET", "/v1/jobs/"+doc.ID, nil, "")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 410 {
		return fmt.Errorf("deleted job answers %d, want 410", resp.StatusCode)
	}
	resp, err = c.do(ctx, "archive", "GET", "/v1/jobs/"+doc.ID+"/archive", nil, "")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 410 {
		return fmt.Errorf("archive of a deleted job: %d, want 410", resp.StatusCode)
	}
	return nil
}

// slowReader delivers its data in small pieces with pauses.
type slowReader struct {
	data  []byte
	pause time.Duration
	limit int // bytes to deliver before failing (−1: all)
	chunk int // bytes per read (0: 512)
}

var errAbort = errors.New("client aborted the upload")

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if r.limit == 0 {
		return 0, errAbort
	}
	time.Sleep(r.pause)
	n := min(len(p), cmp.Or(r.chunk, 512), len(r.data))
	if r.limit > 0 {
		n = min(n, r.limit)
		r.limit -= n
	}
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func (c *client) slowUpload(ctx context.Context) error {
	in := c.inputs[0]
	body, ct := c.multipart("image", []Input{in}, map[string]string{"model": c.model, "format": "png"})
	resp, err := c.do(ctx, "slow-upload", "POST", "/v1/upscale", &slowReader{data: body.Bytes(), pause: 20 * time.Millisecond, limit: -1}, ct)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		return c.check(in, data)
	}
	if resp.StatusCode == 503 || resp.StatusCode == 408 {
		return nil
	}
	return fmt.Errorf("slow upload: %d: %s", resp.StatusCode, data)
}

func (c *client) abortUpload(ctx context.Context) error {
	in := c.inputs[len(c.inputs)-1]
	body, ct := c.multipart("image", []Input{in}, map[string]string{"model": c.model, "format": "png"})
	_, err := c.do(ctx, "abort-upload", "POST", "/v1/upscale", &slowReader{data: body.Bytes(), pause: time.Millisecond, limit: body.Len() / 2}, ct)
	if err == nil {
		return fmt.Errorf("aborted upload got an answer")
	}
	c.stats.aborted.Add(1)
	return nil
}

func (c *client) abortDownload(ctx context.Context) error {
	in := c.inputs[c.rng.IntN(len(c.inputs))]
	body, ct := c.multipart("image", []Input{in}, map[string]string{"model": c.model, "format": "png"})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.do(rctx, "abort-download", "POST", "/v1/upscale", body, ct)
	if err != nil {
		return err
	}
	buf := make([]byte, 64)
	resp.Body.Read(buf)
	cancel()
	resp.Body.Close()
	c.stats.aborted.Add(1)
	return nil
}

func (c *client) badInput(ctx context.Context) error {
	body, ct := c.multipart("image", []Input{{Name: "broken.png", PNG: c.bad}}, map[string]string{"model": c.model})
	resp, err := c.do(ctx, "bad-input", "POST", "/v1/upscale", body, ct)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 422 && resp.StatusCode != 415 {
		return fmt.Errorf("corrupt upload: %d, want 422", resp.StatusCode)
	}
	return nil
}

func (c *client) health(ctx context.Context) error {
	start := time.Now()
	resp, err := c.do(ctx, "health", "GET", "/healthz", nil, "")
	if err != nil {
		return err
	}
	resp.Body.Close()
	c.stats.health(time.Since(start))
	if resp.StatusCode != 200 {
		return fmt.Errorf("healthz: %d", resp.StatusCode)
	}
	return nil
}
