package soak

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxMetricsBytes bounds GET /metrics: every label set is fixed, so the
// exposition stays small however many requests the attacks send.
const maxMetricsBytes = 256 << 10

// Soak server settings the attacks run against (short, so that a 20 s run
// meets them).
const (
	soakJobUploadTimeout = 5 * time.Second
	soakJobMaxUploads    = 8
)

// methodFlood sends a burst of requests with invented methods and paths,
// each of which must get a problem (404 or 405), and no new metric series.
func (c *client) methodFlood(ctx context.Context) error {
	for i := 0; i < 20 && ctx.Err() == nil; i++ {
		method := fmt.Sprintf("X%08X", c.rng.Uint32())
		path := []string{"/healthz", "/v1/upscale", fmt.Sprintf("/nothing/%08x", c.rng.Uint32())}[c.rng.IntN(3)]
		resp, err := c.do(ctx, "method-flood", method, path, nil, "")
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
			return fmt.Errorf("%s %s: %d, want 405 or 404", method, path, resp.StatusCode)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			return fmt.Errorf("%s %s: %s answer, want problem+json", method, path, resp.Header.Get("Content-Type"))
		}
	}
	return nil
}

// trickleJob uploads a job at a few bytes a second, which the server must
// cut at UPSCALED_JOB_UPLOAD_TIMEOUT (408), or refuse at once when
// UPSCALED_JOB_MAX_UPLOADS are in progress (503).
func (c *client) trickleJob(ctx context.Context) error {
	in := c.inputs[0]
	body, ct := c.multipart("images", []Input{in}, map[string]string{"model": c.model})
	// 16 bytes every 200 ms: far longer than the deadline for any input
	slow := &slowReader{data: body.Bytes(), pause: 200 * time.Millisecond, limit: -1, chunk: 16}
	resp, err := c.do(ctx, "trickle-job", "POST", "/v1/jobs", slow, ct)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusServiceUnavailable:
		return nil
	}
	return fmt.Errorf("trickled job upload: %d: %s", resp.StatusCode, trim(string(data), 200))
}

// metricsSize is the size of GET /metrics in bytes.
func metricsSize(url string) (int, error) {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return len(b), err
}
