package e2e

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/hostile"
)

// hostileBudget is the server's memory budget in the hostile-input tests;
// resident memory must stay under it plus hostileOverhead.
const (
	hostileBudget   = 256 << 20
	hostileOverhead = 200 << 20
)

// TestHostileUpscale sends every case of the hostile corpus to POST
// /v1/upscale, as multipart and as a raw body: each gets its documented
// status, a problem+json message when refused, a result of the input's size
// (after orientation) × 2 when accepted; the server stays up after each and
// its resident memory stays under budget + overhead.
func TestHostileUpscale(t *testing.T) {
	s := startServer(t, "", fmt.Sprintf("UPSCALED_MEMORY_BUDGET=%d", hostileBudget))
	counts := map[string]int{}
	for _, c := range hostile.Cases() {
		f := file{Name: c.FileName, ContentType: c.ContentType, Data: c.Data}
		for _, mode := range []string{"multipart", "raw"} {
			t.Run(c.Name+"/"+mode, func(t *testing.T) {
				var r reply
				if mode == "multipart" {
					r = upscaleMultipart(t, s, f, "", map[string]string{"model": model, "format": "png"})
				} else {
					r = upscaleRaw(t, s, f, "", url.Values{"model": {model}, "format": {"png"}})
				}
				s.Alive("after " + c.Name)
				counts[fmt.Sprint(r.Status)]++
				want := c.Want.Status()
				if mode == "raw" && !rawImageType(c.ContentType) {
					want = http.StatusUnsupportedMediaType // a raw body must say it is an image
				}
				if want != http.StatusOK {
					checkProblem(t, r, want)
					return
				}
				if r.Status != http.StatusOK {
					t.Fatalf("status %s, want 200", r)
				}
				if got := r.Header.Get("Content-Type"); got != "image/png" {
					t.Errorf("Content-Type %q, want image/png", got)
				}
				img := decodeImage(t, r.Body)
				if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 2*c.WantW || h != 2*c.WantH {
					t.Errorf("result %dx%d, want %dx%d (input %dx%d after orientation, ×2)", w, h, 2*c.WantW, 2*c.WantH, c.WantW, c.WantH)
				}
				if got, want := r.Header.Get("X-Upscaled-Output-Size"), fmt.Sprintf("%dx%d", 2*c.WantW, 2*c.WantH); got != want {
					t.Errorf("X-Upscaled-Output-Size %q, want %q", got, want)
				}
				checkSafeName(t, "download name", dispositionName(t, r.Header.Get("Content-Disposition")))
			})
		}
	}
	peak := s.PeakRSS()
	t.Logf("%d cases × 2 modes: statuses %v; peak RSS %d MiB (budget %d MiB + %d MiB)",
		len(hostile.Cases()), counts, peak>>20, hostileBudget>>20, hostileOverhead>>20)
	if peak > hostileBudget+hostileOverhead {
		t.Errorf("peak RSS %d MiB over budget %d MiB + %d MiB", peak>>20, hostileBudget>>20, hostileOverhead>>20)
	}
}

// rawImageType reports whether a raw body with this Content-Type is taken
// as an image upload (image/* or application/octet-stream).
func rawImageType(ct string) bool {
	return strings.HasPrefix(ct, "image/") || ct == "application/octet-stream"
}

// TestHostileJob submits the whole corpus as one job: each bad page is
// reported failed with its reason, the good ones succeed at the right size.
func TestHostileJob(t *testing.T) {
	s := startServer(t, "", fmt.Sprintf("UPSCALED_MEMORY_BUDGET=%d", hostileBudget))
	cases := hostile.Cases()
	files := make([]file, len(cases))
	for i, c := range cases {
		files[i] = file{Name: c.FileName, ContentType: c.ContentType, Data: c.Data}
	}
	r := submitJob(t, s, files, "", map[string]string{"model": model, "format": "png"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit: %s", r)
	}
	d := waitJob(t, s, parseJob(t, r).ID, "", 4*time.Minute)
	if d.State != "partially_succeeded" {
		t.Errorf("job state %s, want partially_succeeded", d.State)
	}
	if len(d.Items) != len(cases) {
		t.Fatalf("job has %d items, want %d", len(d.Items), len(cases))
	}
	for i, c := range cases {
		it := d.Items[i]
		if it.Index != i {
			t.Errorf("item %d has index %d", i, it.Index)
		}
		if c.Want != hostile.OK {
			if it.State != "failed" || len(it.Error) < 10 {
				t.Errorf("%s: item %s (%q), want failed with a reason", c.Name, it.State, it.Error)
			}
			continue
		}
		if it.State != "succeeded" {
			t.Errorf("%s: item %s (%s), want succeeded", c.Name, it.State, it.Error)
			continue
		}
		ir := do(t, "GET", s.URL+it.ResultURL, nil, "", "")
		if ir.Status != http.StatusOK {
			t.Errorf("%s: result: %s", c.Name, ir)
			continue
		}
		img := decodeImage(t, ir.Body)
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 2*c.WantW || h != 2*c.WantH {
			t.Errorf("%s: result %dx%d, want %dx%d", c.Name, w, h, 2*c.WantW, 2*c.WantH)
		}
	}
	s.Alive("after the hostile job")
}

// TestHostileNames submits the dangerous upload names as job items: they are
// stored and served sanitised in the job document, the per-item downloads'
// Content-Disposition and the zip entry names.
func TestHostileNames(t *testing.T) {
	s := startServer(t, "")
	png := hostile.Cases()[0].Data
	for _, c := range hostile.Cases() {
		if c.Name == "png-1x1" {
			png = c.Data
		}
	}
	names := hostile.Names()
	files := make([]file, len(names))
	for i, n := range names {
		files[i] = file{Name: n, ContentType: "image/png", Data: png}
	}
	r := submitJob(t, s, files, "", map[string]string{"model": model, "format": "png"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("submit: %s", r)
	}
	d := waitJob(t, s, parseJob(t, r).ID, "", 2*time.Minute)
	if d.State != "succeeded" || len(d.Items) != len(names) {
		t.Fatalf("job %s with %d items, want succeeded with %d", d.State, len(d.Items), len(names))
	}
	for i, it := range d.Items {
		t.Run(fmt.Sprintf("%02d", i), func(t *testing.T) {
			checkSafeName(t, "item name", it.Name)
			checkSafeName(t, "result name", it.ResultName)
			if !strings.HasSuffix(it.ResultName, ".png") {
				t.Errorf("result name %q, want the .png extension", it.ResultName)
			}
			if len(it.OriginalName) > 4096 || strings.ContainsRune(it.OriginalName, 0xFFFF) {
				t.Errorf("original name of %d bytes", len(it.OriginalName))
			}
			ir := do(t, "GET", s.URL+it.ResultURL, nil, "", "")
			if ir.Status != http.StatusOK {
				t.Fatalf("result: %s", ir)
			}
			checkSafeName(t, "download name", dispositionName(t, ir.Header.Get("Content-Disposition")))
		})
	}
	ar := do(t, "GET", s.URL+"/v1/jobs/"+d.ID+"/archive", nil, "", "")
	if ar.Status != http.StatusOK {
		t.Fatalf("archive: %s", ar)
	}
	zr, err := zip.NewReader(bytes.NewReader(ar.Body), int64(len(ar.Body)))
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	if len(zr.File) != len(names) {
		t.Fatalf("archive has %d entries, want %d", len(zr.File), len(names))
	}
	seen := map[string]bool{}
	for _, f := range zr.File {
		checkSafeName(t, "zip entry", f.Name)
		if seen[strings.ToLower(f.Name)] {
			t.Errorf("zip entry %q appears twice", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("zip entry %q: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("zip entry %q: %v", f.Name, err)
		}
		decodeImage(t, b)
	}
}
