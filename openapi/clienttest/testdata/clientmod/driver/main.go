// Command driver exercises a running upscaled server through the client
// generated from its OpenAPI spec: list models, upscale one image, get a
// problem+json error, submit a job of two images, follow its Server-Sent
// Events to the end, download each result and the zip archive, list and
// delete the job. It checks every answer (status, types, image dimensions)
// and prints a JSON summary; any failure exits non-zero with the reason.
//
//	go run ./driver -url http://127.0.0.1:8080 IMAGE1.png IMAGE2.png
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"

	"clientdrive/client"
)

// Summary is what the driver saw, for the calling test to check again.
type Summary struct {
	Models         int      `json:"models"`
	DefaultModel   string   `json:"default_model"`
	SyncInput      [2]int   `json:"sync_input"`
	SyncOutput     [2]int   `json:"sync_output"`
	SyncModel      string   `json:"sync_model"`
	RawOutput      string   `json:"raw_output"`
	ProblemField   string   `json:"problem_field"`
	ProblemCode    int      `json:"problem_status"`
	JobID          string   `json:"job_id"`
	JobState       string   `json:"job_state"`
	Events         int      `json:"events"`
	Items          [][2]int `json:"items"`
	ArchiveNames   []string `json:"archive_names"`
	Listed         bool     `json:"listed"`
	DeletedCode    int      `json:"deleted_status"`
	DeletedGetCode int      `json:"deleted_get_code"`
	GoneCode       int      `json:"gone_status"`
}

func main() {
	base := flag.String("url", "", "server base URL")
	key := flag.String("key", "", "API key (Bearer), when the server requires one")
	flag.Parse()
	if *base == "" || flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: driver -url URL IMAGE1.png IMAGE2.png")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := run(ctx, *base, *key, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(s)
}

func run(ctx context.Context, base, key string, images []string) (*Summary, error) {
	var opts []client.ClientOption
	if key != "" {
		opts = append(opts, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+key)
			return nil
		}))
	}
	c, err := client.NewClientWithResponses(base, opts...)
	if err != nil {
		return nil, err
	}
	s := &Summary{}
	steps := []struct {
		name string
		fn   func(context.Context, *client.ClientWithResponses, []string, *Summary) error
	}{
		{"list models", listModels},
		{"synchronous upscale", syncUpscale},
		{"synchronous upscale of a raw body", rawUpscale},
		{"problem+json error", badOption},
		{"job", job},
	}
	for _, st := range steps {
		if err := st.fn(ctx, c, images, s); err != nil {
			return nil, fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return s, nil
}

func listModels(ctx context.Context, c *client.ClientWithResponses, _ []string, s *Summary) error {
	res, err := c.ListModelsWithResponse(ctx)
	if err != nil {
		return err
	}
	if res.StatusCode() != http.StatusOK || res.JSON200 == nil {
		return unexpected(res.HTTPResponse, res.Body)
	}
	s.Models = len(res.JSON200.Models)
	s.DefaultModel = res.JSON200.Default
	for _, m := range res.JSON200.Models {
		if m.Id == s.DefaultModel && !m.Installed {
			return fmt.Errorf("the default model %s is not installed", m.Id)
		}
	}
	return nil
}

func syncUpscale(ctx context.Context, c *client.ClientWithResponses, images []string, s *Summary) error {
	in, err := os.ReadFile(images[0])
	if err != nil {
		return err
	}
	body, ct, err := multipartBody("image", []string{images[0]}, map[string]string{"model": s.DefaultModel, "format": "png"})
	if err != nil {
		return err
	}
	res, err := c.UpscaleWithBodyWithResponse(ctx, &client.UpscaleParams{}, ct, body)
	if err != nil {
		return err
	}
	if res.StatusCode() != http.StatusOK {
		return unexpected(res.HTTPResponse, res.Body)
	}
	if got := res.ContentType(); got != "image/png" {
		return fmt.Errorf("Content-Type %q, want image/png", got)
	}
	s.SyncInput, err = dims(in)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	s.SyncOutput, err = dims(res.Body)
	if err != nil {
		return fmt.Errorf("result: %w", err)
	}
	if h := res.Headers200; h == nil || h.XUpscaledModel == nil || h.XUpscaledOutputSize == nil {
		return fmt.Errorf("the declared response headers are missing: %+v", res.HTTPResponse.Header)
	} else {
		s.SyncModel = *h.XUpscaledModel
		if want := fmt.Sprintf("%dx%d", s.SyncOutput[0], s.SyncOutput[1]); *h.XUpscaledOutputSize != want {
			return fmt.Errorf("X-Upscaled-Output-Size %q, the image is %s", *h.XUpscaledOutputSize, want)
		}
	}
	return nil
}

// rawUpscale sends the image itself as the body (no form) with an option as
// a query parameter (lossless): default format, so lossless WebP out.
func rawUpscale(ctx context.Context, c *client.ClientWithResponses, images []string, s *Summary) error {
	in, err := os.ReadFile(images[0])
	if err != nil {
		return err
	}
	lossless := true
	res, err := c.UpscaleWithBodyWithResponse(ctx, &client.UpscaleParams{Lossless: &lossless}, "image/png", bytes.NewReader(in))
	if err != nil {
		return err
	}
	if res.StatusCode() != http.StatusOK {
		return unexpected(res.HTTPResponse, res.Body)
	}
	if got := res.ContentType(); got != "image/webp" {
		return fmt.Errorf("Content-Type %q, want image/webp (the default format)", got)
	}
	if len(res.Body) < 12 || string(res.Body[:4]) != "RIFF" || string(res.Body[8:12]) != "WEBP" {
		return fmt.Errorf("the body is not a WebP file")
	}
	if len(res.Body) < 16 || string(res.Body[12:16]) != "VP8L" {
		return fmt.Errorf("the WebP is not lossless (chunk %q): the lossless query parameter was not applied", res.Body[12:16])
	}
	if res.Headers200 == nil || res.Headers200.XUpscaledOutputSize == nil {
		return fmt.Errorf("X-Upscaled-Output-Size missing")
	}
	s.RawOutput = *res.Headers200.XUpscaledOutputSize
	return nil
}

// badOption sends an invalid format and expects a 400 problem naming the field.
func badOption(ctx context.Context, c *client.ClientWithResponses, images []string, s *Summary) error {
	body, ct, err := multipartBody("image", []string{images[0]}, map[string]string{"format": "tiff"})
	if err != nil {
		return err
	}
	res, err := c.UpscaleWithBodyWithResponse(ctx, &client.UpscaleParams{}, ct, body)
	if err != nil {
		return err
	}
	p := res.ApplicationproblemJSON400
	if res.StatusCode() != http.StatusBadRequest || p == nil {
		return unexpected(res.HTTPResponse, res.Body)
	}
	if p.Field == nil || p.Detail == nil || !strings.Contains(*p.Detail, "format") {
		return fmt.Errorf("the problem does not name the field: %s", res.Body)
	}
	s.ProblemField, s.ProblemCode = *p.Field, p.Status
	return nil
}

func job(ctx context.Context, c *client.ClientWithResponses, images []string, s *Summary) error {
	body, ct, err := multipartBody("images", images, map[string]string{"model": s.DefaultModel, "format": "png"})
	if err != nil {
		return err
	}
	idem := "clienttest-" + fmt.Sprint(time.Now().UnixNano())
	sub, err := c.SubmitJobWithBodyWithResponse(ctx, &client.SubmitJobParams{IdempotencyKey: &idem}, ct, body)
	if err != nil {
		return err
	}
	if sub.StatusCode() != http.StatusAccepted || sub.JSON202 == nil {
		return unexpected(sub.HTTPResponse, sub.Body)
	}
	id := sub.JSON202.Id
	s.JobID = id
	if loc := sub.HTTPResponse.Header.Get("Location"); loc != "/v1/jobs/"+id {
		return fmt.Errorf("Location %q, want /v1/jobs/%s", loc, id)
	}

	// follow the job's Server-Sent Events until the stream ends with the final state
	ev, err := c.JobEvents(ctx, id)
	if err != nil {
		return err
	}
	if ev.StatusCode != http.StatusOK || !strings.HasPrefix(ev.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(ev.Body)
		ev.Body.Close()
		return unexpected(ev, b)
	}
	final, n, err := readEvents(ev.Body)
	ev.Body.Close()
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	s.Events = n

	got, err := c.GetJobWithResponse(ctx, id)
	if err != nil {
		return err
	}
	if got.StatusCode() != http.StatusOK || got.JSON200 == nil {
		return unexpected(got.HTTPResponse, got.Body)
	}
	doc := got.JSON200
	s.JobState = string(doc.State)
	if s.JobState != final {
		return fmt.Errorf("the last event said %q, the job document says %q", final, s.JobState)
	}
	if s.JobState != "succeeded" {
		return fmt.Errorf("job %s ended %s: %s", id, s.JobState, got.Body)
	}
	if doc.Items == nil || len(*doc.Items) != len(images) {
		return fmt.Errorf("job has %v items, want %d", doc.Items, len(images))
	}
	for i, it := range *doc.Items {
		item, err := c.GetJobItemWithResponse(ctx, id, it.Index)
		if err != nil {
			return err
		}
		if item.StatusCode() != http.StatusOK {
			return unexpected(item.HTTPResponse, item.Body)
		}
		d, err := dims(item.Body)
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		if it.Output == nil || it.Output.Width == nil || *it.Output.Width != d[0] || *it.Output.Height != d[1] {
			return fmt.Errorf("item %d is %dx%d, the job document says %+v", i, d[0], d[1], it.Output)
		}
		s.Items = append(s.Items, d)
	}

	arc, err := c.GetJobArchiveWithResponse(ctx, id)
	if err != nil {
		return err
	}
	if arc.StatusCode() != http.StatusOK {
		return unexpected(arc.HTTPResponse, arc.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(arc.Body), int64(len(arc.Body)))
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("archive entry %s: %w", f.Name, err)
		}
		if _, err := dims(b); err != nil {
			return fmt.Errorf("archive entry %s: %w", f.Name, err)
		}
		s.ArchiveNames = append(s.ArchiveNames, f.Name)
	}

	list, err := c.ListJobsWithResponse(ctx, &client.ListJobsParams{})
	if err != nil {
		return err
	}
	if list.StatusCode() != http.StatusOK || list.JSON200 == nil {
		return unexpected(list.HTTPResponse, list.Body)
	}
	for _, j := range list.JSON200.Jobs {
		if j.Id == id {
			s.Listed = true
		}
	}

	del, err := c.DeleteJobWithResponse(ctx, id)
	if err != nil {
		return err
	}
	s.DeletedCode = del.StatusCode()
	// a deleted job is gone (410 until its TTL), and so are its files
	after, err := c.GetJobWithResponse(ctx, id)
	if err != nil {
		return err
	}
	s.DeletedGetCode = after.StatusCode()
	gone, err := c.GetJobItemWithResponse(ctx, id, 0)
	if err != nil {
		return err
	}
	s.GoneCode = gone.StatusCode()
	if s.GoneCode == http.StatusOK {
		return fmt.Errorf("the deleted job's result is still served")
	}
	if gone.ContentType() != "application/problem+json" {
		return unexpected(gone.HTTPResponse, gone.Body)
	}
	return nil
}

// readEvents reads an SSE stream to its end and returns the job state of
// its last "state" event and the number of events.
func readEvents(r io.Reader) (state string, events int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	name, data := "message", []string{}
	flush := func() {
		if len(data) == 0 {
			name = "message"
			return
		}
		events++
		var doc struct {
			State string `json:"state"`
		}
		if name == "state" && json.Unmarshal([]byte(strings.Join(data, "\n")), &doc) == nil && doc.State != "" {
			state = doc.State
		}
		name, data = "message", data[:0]
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return state, events, err
	}
	if state == "" {
		return state, events, fmt.Errorf("the stream ended after %d events without a state event", events)
	}
	return state, events, nil
}

// multipartBody builds a multipart/form-data body with files in field and
// the given fields.
func multipartBody(field string, files []string, fields map[string]string) (io.Reader, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, "", err
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, filepath.Base(f)))
		h.Set("Content-Type", "image/png")
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		pw.Write(b)
	}
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}

func dims(b []byte) ([2]int, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		if c, _, err2 := image.DecodeConfig(bytes.NewReader(b)); err2 == nil {
			return [2]int{c.Width, c.Height}, nil
		}
		return [2]int{}, fmt.Errorf("not a PNG image: %w", err)
	}
	return [2]int{cfg.Width, cfg.Height}, nil
}

func unexpected(r *http.Response, body []byte) error {
	if r == nil {
		return fmt.Errorf("no response")
	}
	if len(body) > 500 {
		body = body[:500]
	}
	return fmt.Errorf("%s %s: %s (Content-Type %s): %s", r.Request.Method, r.Request.URL.Path, r.Status, r.Header.Get("Content-Type"), body)
}
