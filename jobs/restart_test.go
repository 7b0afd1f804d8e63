package jobs_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/internal/testing/testpipe"
	"github.com/upscaled/upscaled/upscale"
)

// TestMain removes the binary liveserver built for the restart test.
func TestMain(m *testing.M) { liveserver.Main(m) }

type wireItem struct {
	Index  int    `json:"index"`
	Name   string `json:"name"`
	State  string `json:"state"`
	Output *struct {
		Width  int `json:"width"`
		Height int `json:"height"`
	} `json:"output"`
	ResultURL string `json:"result_url"`
}

type wireJob struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Progress struct {
		ItemsDone int `json:"items_done"`
		TilesDone int `json:"tiles_done"`
	} `json:"progress"`
	Items []wireItem `json:"items"`
}

func getJob(t *testing.T, url string) wireJob {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var j wireJob
	if r.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, r.StatusCode)
	}
	json.NewDecoder(r.Body).Decode(&j)
	return j
}

// TestRestartAfterSIGKILL submits a 20-page job to the real binary, kills
// it with SIGKILL mid-job, restarts it on the same data directory, and
// checks that the job completes with every item present once and correct,
// and that items finished before the kill were not redone.
func TestRestartAfterSIGKILL(t *testing.T) {
	data := t.TempDir()
	srv := liveserver.StartWith(t, liveserver.Options{DataDir: data, Env: []string{"UPSCALED_MIN_FREE_DISK=0", "UPSCALED_LOG_LEVEL=debug"}})

	inputs := []string{"small-color-48x48.png", "small-color-61x37.png", "small-gray-64x64.png", "small-rgba-40x56.png"}
	var pages [][]byte
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("model", fastModel)
	mw.WriteField("format", "png")
	for i := 0; i < 20; i++ {
		b, err := os.ReadFile(testenv.TestImage(t, inputs[i%len(inputs)]))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, b)
		w, _ := mw.CreateFormFile("images", fmt.Sprintf("page-%02d.png", i+1))
		w.Write(b)
	}
	mw.Close()
	resp, err := http.Post(srv.URL+"/v1/jobs", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	jobURL := srv.URL + resp.Header.Get("Location")

	// kill mid-job: some items done, one running
	var before wireJob
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(2 * time.Millisecond) {
		before = getJob(t, jobURL)
		running := false
		for _, it := range before.Items {
			running = running || it.State == "running"
		}
		if before.Progress.ItemsDone >= 3 && running {
			break
		}
		if before.State != "queued" && before.State != "running" || time.Now().After(deadline) {
			t.Fatalf("job %s before the kill point (%+v)", before.State, before.Progress)
		}
	}
	srv.Kill()
	out := filepath.Join(data, "jobs", before.ID, "out")
	inodes := map[int]uint64{}
	for _, it := range before.Items {
		if it.State == "succeeded" {
			inodes[it.Index] = inode(t, filepath.Join(out, fmt.Sprint(it.Index)))
		}
	}
	t.Logf("killed with %d items done", len(inodes))

	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	var after wireJob
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		after = getJob(t, srv.URL+"/v1/jobs/"+before.ID)
		if after.State != "queued" && after.State != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job not finished after the restart: %+v", after.Progress)
		}
	}
	if after.State != "succeeded" || len(after.Items) != 20 {
		t.Fatalf("job after restart: %s with %d items", after.State, len(after.Items))
	}
	for idx, ino := range inodes {
		if inode(t, filepath.Join(out, fmt.Sprint(idx))) != ino {
			t.Errorf("item %d finished before the kill was redone", idx)
		}
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 20 {
		t.Errorf("%d files in the results directory, want 20 (no temp files)", len(ents))
	}

	pipe := testPipeline(t)
	directs := map[string]image.Image{}
	seen := map[int]bool{}
	for i, it := range after.Items {
		if it.Index != i || seen[it.Index] || it.State != "succeeded" {
			t.Fatalf("item %d: %+v", i, it)
		}
		seen[it.Index] = true
		r, err := http.Get(srv.URL + it.ResultURL)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := image.Decode(r.Body)
		r.Body.Close()
		if err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		in := inputs[i%len(inputs)]
		if directs[in] == nil {
			directs[in] = testpipe.DirectRun(t, pipe, pages[i], upscale.Options{Model: fastModel, Format: "png"})
		}
		want := directs[in]
		if got.Bounds() != want.Bounds() || got.Bounds().Dx() != it.Output.Width {
			t.Fatalf("item %d: %v, want %v", i, got.Bounds(), want.Bounds())
		}
		if p := testpipe.PSNR(t, got, want); p < 50 {
			t.Errorf("item %d: PSNR %.1f dB against a direct run, want ≥ 50", i, p)
		}
	}
	r, err := http.Get(srv.URL + "/v1/jobs/" + before.ID + "/archive")
	if err != nil {
		t.Fatal(err)
	}
	zb, _ := io.ReadAll(r.Body)
	r.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if len(zr.File) != 20 || len(names) != 20 || !names["page-01.png"] || !names["page-20.png"] {
		t.Errorf("archive: %d entries, %d distinct", len(zr.File), len(names))
	}
}
