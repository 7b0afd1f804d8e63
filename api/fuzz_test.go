package api

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

// Fuzz targets for what a client controls: option values, request bodies
// (multipart and raw) of POST /v1/upscale and POST /v1/jobs, and file names.
// `make fuzz` runs each; `go test` replays the seeds and testdata/fuzz.

// fuzzBoundary is the multipart boundary of the seed bodies.
const fuzzBoundary = "fuzzfuzzfuzz"

// FuzzParseOptions: any query string either yields valid pipeline options
// (a catalog model, a known format, values in range) or a 400 naming a field.
func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{
		"", "model=realcugan-up2x-conservative", "preset=Q&format=png", "scale=4&denoise=3",
		"scale=2&denoise=-1&family=realesrgan", "quality=100&lossless=1&tile=0&tta", "format=jpg&quality=0",
		"effort=0&subsampling=4:4:4", "effort=7", "subsampling=411&format=jpeg",
		"model=x&preset=F", "scale=9", "denoise=-2", "tile=99999", "tta=maybe", "unknown=1", "model=a&model=b",
		"format=%00", "scale=+2", "quality=0x10", "preset=f", "family=REALESRGAN&scale=4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		o, err := ParseOptions(v)
		if err != nil {
			status, _, detail, _, _ := classify(err)
			if status != http.StatusBadRequest || detail == "" {
				t.Fatalf("ParseOptions(%q): status %d detail %q, want 400 with a message", query, status, detail)
			}
			return
		}
		if _, err := models.Lookup(o.Model); err != nil {
			t.Fatalf("ParseOptions(%q) chose model %q: %v", query, o.Model, err)
		}
		switch o.Format {
		case "webp", "png", "jpeg", "same":
		default:
			t.Fatalf("ParseOptions(%q): format %q", query, o.Format)
		}
		if o.Effort != nil && (*o.Effort < 0 || *o.Effort > 6) {
			t.Fatalf("ParseOptions(%q): effort %d out of range", query, *o.Effort)
		}
		switch o.Subsampling {
		case "", "420", "422", "444":
		default:
			t.Fatalf("ParseOptions(%q): subsampling %q", query, o.Subsampling)
		}
		if o.Quality < 1 || o.Quality > 100 || o.Tile < 0 || o.Tile > 16384 {
			t.Fatalf("ParseOptions(%q): quality %d tile %d out of range", query, o.Quality, o.Tile)
		}
		again, err := ParseOptions(v)
		if err != nil || !reflect.DeepEqual(again, o) {
			t.Fatalf("ParseOptions(%q) is not deterministic: %+v then %+v (%v)", query, o, again, err)
		}
	})
}

// fuzzPNG is an 8×8 PNG.
func fuzzPNG() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 64; i++ {
		img.SetNRGBA(i%8, i/8, color.NRGBA{uint8(i * 4), uint8(255 - i*4), 90, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// fuzzForm is a multipart body with fuzzBoundary: fields, then files in
// field (name, data pairs).
func fuzzForm(fields []string, field string, files ...[]byte) []byte {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary(fuzzBoundary)
	for i := 0; i+1 < len(fields); i += 2 {
		w.WriteField(fields[i], fields[i+1])
	}
	for i := 0; i+1 < len(files); i += 2 {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+string(files[i])+`"`)
		h.Set("Content-Type", "image/png")
		p, _ := w.CreatePart(h)
		p.Write(files[i+1])
	}
	w.Close()
	return b.Bytes()
}

// fuzzServer is the API over the real pipeline on the Go executor with tiny
// limits (64 KiB uploads, 16×16 inputs), so that any accepted input is
// upscaled quickly.
func fuzzServer(f *testing.F, routes ...Mount) *Server {
	f.Helper()
	modelsDir := testenv.ModelsDir(f)
	spool, err := os.MkdirTemp("", "upscaled-fuzz-")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(spool) })
	pipe := upscale.New(upscale.Config{MaxInputPixels: 256, MaxOutputPixels: 16 * 256}, cpu.New(), modelsDir)
	s, err := New(Config{MaxUploadBytes: 64 << 10, RequestTimeout: 30 * time.Second, SpoolDir: spool, ModelsDir: modelsDir},
		Deps{Upscaler: pipe, Budget: budget.New(64<<20, 2, time.Second), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Engine: "cpu", Routes: routes})
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// checkAnswer fails unless rec is one of the documented statuses, and a
// problem+json with a message when it is an error.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, documented ...int) {
	t.Helper()
	ok := false
	for _, c := range documented {
		ok = ok || rec.Code == c
	}
	if !ok {
		t.Fatalf("status %d (%s), want one of %v", rec.Code, strings.TrimSpace(rec.Body.String()), documented)
	}
	if rec.Code < 400 {
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%d with Content-Type %q", rec.Code, ct)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Detail == "" {
		t.Fatalf("%d with problem %q (%v)", rec.Code, rec.Body.String(), err)
	}
}

// FuzzUpscaleRequest feeds arbitrary bodies with a multipart (or raw image)
// Content-Type to POST /v1/upscale: never a panic or a 500, only documented
// statuses, a problem message for every refusal, a decodable 2× image for
// every success.
func FuzzUpscaleRequest(f *testing.F) {
	s := fuzzServer(f)
	good := fuzzPNG()
	mp := "multipart/form-data; boundary=" + fuzzBoundary
	f.Add(mp, fuzzForm([]string{"format", "png"}, "image", []byte("a.png"), good))
	f.Add(mp, fuzzForm([]string{"model", "realcugan-up2x-conservative"}, "image", []byte("a.png"), good))
	f.Add(mp, fuzzForm(nil, "image", []byte("a.png"), good, []byte("b.png"), good))
	f.Add(mp, fuzzForm([]string{"format", "png"}, "image", []byte("../x.png"), good[:40]))
	f.Add(mp, fuzzForm([]string{"tile", "abc"}, "other", []byte("a.png"), good))
	f.Add(mp, fuzzForm([]string{"format", "png"}, "image", []byte("big.png"), bytes.Repeat(good, 300)))
	f.Add(mp, []byte("--"+fuzzBoundary+"\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x\"\r\n\r\n"))
	f.Add(mp, []byte("garbage"))
	f.Add("multipart/form-data", []byte("--x\r\n"))
	f.Add("image/png", good)
	f.Add("image/png", good[:20])
	f.Add("application/octet-stream", []byte("GIF89a\x08\x00\x08\x00\x00\x00\x00;"))
	f.Add("text/plain", []byte("hello"))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		req := httptest.NewRequest("POST", "/v1/upscale?model="+fastModel+"&format=png", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		// 408: the upload did not finish in time; 503: the budget queue
		// is full (never with one request at a time).
		checkAnswer(t, rec, 200, 400, 408, 413, 415, 422)
		if rec.Code != http.StatusOK {
			return
		}
		img, err := png.Decode(rec.Body)
		if err != nil {
			t.Fatalf("200 with an undecodable PNG: %v", err)
		}
		if got := img.Bounds().Dx() * img.Bounds().Dy(); got == 0 || got > 4*256 {
			t.Fatalf("200 with a %v result for a ≤ 16×16 input", img.Bounds())
		}
	})
}

// FuzzJobSubmit feeds arbitrary multipart bodies to POST /v1/jobs over a
// real job store (workers not running): only documented statuses, and an
// accepted job's items all have safe names.
func FuzzJobSubmit(f *testing.F) {
	dir, err := os.MkdirTemp("", "upscaled-fuzz-jobs-")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(dir) })
	jc := jobs.DefaultConfig()
	jc.DataDir, jc.MaxItems, jc.MaxBytes, jc.MinFreeDisk = dir, 4, 64<<10, 0
	pipe := upscale.New(upscale.Config{MaxInputPixels: 256, MaxOutputPixels: 16 * 256}, cpu.New(), testenv.ModelsDir(f))
	m, err := jobs.Open(context.Background(), jc, jobs.Deps{Pipeline: pipe,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { m.Close() })
	s := fuzzServer(f, JobRoutes(m, JobsConfig{}))
	good := fuzzPNG()
	mp := "multipart/form-data; boundary=" + fuzzBoundary
	f.Add(mp, fuzzForm([]string{"format", "png"}, "images", []byte("a.png"), good, []byte("b.png"), good[:30]))
	f.Add(mp, fuzzForm(nil, "images", []byte("../../etc/passwd"), good, []byte(""), good, []byte("a\x00b"), good))
	f.Add(mp, fuzzForm(nil, "images", []byte("1"), good, []byte("2"), good, []byte("3"), good, []byte("4"), good, []byte("5"), good))
	f.Add(mp, fuzzForm([]string{"preset", "Z"}, "images", []byte("a.png"), good))
	f.Add(mp, fuzzForm(nil, "image", []byte("a.png"), good))
	f.Add(mp, []byte("--"+fuzzBoundary+"--\r\n"))
	f.Add("text/plain", []byte("x"))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		req := httptest.NewRequest("POST", "/v1/jobs", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		checkAnswer(t, rec, 202, 400, 408, 413, 415)
		if rec.Code != http.StatusAccepted {
			return
		}
		var d JobDoc
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
			t.Fatalf("202 with %q: %v", rec.Body.String(), err)
		}
		if len(d.Items) == 0 || len(d.Items) > 4 {
			t.Fatalf("202 with %d items (limit 4)", len(d.Items))
		}
		for _, it := range d.Items {
			checkFileName(t, it.Name)
		}
	})
}

// checkFileName fails unless name is a safe single path element.
func checkFileName(t *testing.T, name string) {
	t.Helper()
	if name == "" || !utf8.ValidString(name) || len(name) > 255 || strings.ContainsAny(name, "/\\") ||
		strings.HasPrefix(name, ".") || strings.ContainsFunc(name, unicode.IsControl) {
		t.Fatalf("unsafe file name %q", name)
	}
}

// FuzzNames: any client file name becomes a safe download name, and the
// Content-Disposition header carrying it parses back to the same name.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"page.png", "../../etc/passwd", `..\..\win.ini`, "a\x00b.png", "\xff\xfe.png", "", ".", "..",
		".hidden", "CON.png", strings.Repeat("ü", 200) + ".png", "x\"y;z=1.png", "\u202egnp.exe", "a%2fb.png"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, name := range []string{SanitizeName(raw, "webp"), jobs.SanitizeName([]byte(raw), "image-1"),
			jobs.ResultName(jobs.SanitizeName([]byte(raw), "image-1"), imaging.PNG)} {
			checkFileName(t, name)
		}
		cd := contentDisposition(raw, "png")
		typ, params, err := mime.ParseMediaType(cd)
		if err != nil || typ != "attachment" {
			t.Fatalf("Content-Disposition %q for %q does not parse: %v", cd, raw, err)
		}
		if got, want := params["filename"], SanitizeName(raw, "png"); got != want {
			t.Fatalf("Content-Disposition %q names %q, want %q", cd, got, want)
		}
		if d := jobs.Dedup([]string{jobs.SanitizeName([]byte(raw), "a"), jobs.SanitizeName([]byte(raw), "a")}); strings.EqualFold(d[0], d[1]) {
			t.Fatalf("Dedup left %q twice", d[0])
		}
	})
}
