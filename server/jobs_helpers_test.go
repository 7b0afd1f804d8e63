package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"testing"
	"time"
)

// jobForm is a multipart job upload: fields, then images in name order.
func jobForm(fields map[string]string, images map[string][]byte) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	names := make([]string, 0, len(images))
	for n := range images {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := mw.CreateFormFile("images", n)
		w.Write(images[n])
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// jobView is what the tests read of a job.
type jobView struct {
	ID, State string
	Items     []struct{ Name string }
}

// submitJob posts a job upload to url and fails the test unless it is
// accepted.
func submitJob(t *testing.T, url string, body io.Reader, ct string) jobView {
	t.Helper()
	resp, err := http.Post(url+"/v1/jobs", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var job jobView
	json.NewDecoder(resp.Body).Decode(&job)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	return job
}

// waitJob polls job until it has succeeded; any other end state, or two
// minutes, fails the test.
func waitJob(t *testing.T, url string, job jobView) jobView {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); job.State != "succeeded"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) || job.State == "failed" || job.State == "partially_succeeded" {
			t.Fatalf("job %s", job.State)
		}
		resp, err := http.Get(url + "/v1/jobs/" + job.ID)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&job)
		resp.Body.Close()
	}
	return job
}
