package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/webp"
)

// file is one upload.
type file struct {
	Name        string // client file name (any bytes)
	ContentType string
	Data        []byte
}

// reply is a response read whole.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) String() string {
	return fmt.Sprintf("%d %s", r.Status, tail(string(r.Body), 300))
}

// problem is an application/problem+json body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
}

var httpClient = &http.Client{Timeout: 2 * time.Minute}

// do sends a request with an optional bearer key and reads the answer.
func do(t testing.TB, method, url string, body io.Reader, ctype, key string, hdr ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// dispositionParam writes a Content-Disposition file name parameter that
// carries any bytes: quoted when plain printable ASCII, else RFC 2231
// percent-encoded UTF-8 (the server decodes filename* into the raw bytes).
func dispositionParam(name string) string {
	plain := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f {
			plain = false
		}
	}
	if plain {
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		return `filename="` + r.Replace(name) + `"`
	}
	var b strings.Builder
	b.WriteString("filename*=UTF-8''")
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// multipartBody builds a form with the files in field and the given fields.
func multipartBody(t testing.TB, field string, files []file, fields map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; %s`, field, dispositionParam(f.Name)))
		if f.ContentType != "" {
			h.Set("Content-Type", f.ContentType)
		}
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, w.FormDataContentType()
}

// upscaleMultipart POSTs one image to /v1/upscale as multipart.
func upscaleMultipart(t testing.TB, s *server, f file, key string, fields map[string]string) reply {
	t.Helper()
	body, ct := multipartBody(t, "image", []file{f}, fields)
	return do(t, "POST", s.URL+"/v1/upscale", body, ct, key)
}

// upscaleRaw POSTs one image to /v1/upscale as the raw body.
func upscaleRaw(t testing.TB, s *server, f file, key string, query url.Values) reply {
	t.Helper()
	return do(t, "POST", s.URL+"/v1/upscale?"+query.Encode(), bytes.NewReader(f.Data), f.ContentType, key,
		"Content-Disposition", "attachment; "+dispositionParam(f.Name))
}

// submitJob POSTs files to /v1/jobs.
func submitJob(t testing.TB, s *server, files []file, key string, fields map[string]string, hdr ...string) reply {
	t.Helper()
	body, ct := multipartBody(t, "images", files, fields)
	return do(t, "POST", s.URL+"/v1/jobs", body, ct, key, hdr...)
}

// checkProblem fails unless r is a problem+json answer with status want and
// a human message.
func checkProblem(t testing.TB, r reply, want int) problem {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %s, want %d", r, want)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%d answered with Content-Type %q, want application/problem+json", r.Status, ct)
	}
	var p problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem body %q: %v", r.Body, err)
	}
	if p.Status != want || p.Title == "" || p.Type == "" || len(p.Detail) < 10 {
		t.Fatalf("problem %+v: want status %d with type, title and a detail message", p, want)
	}
	return p
}

// decodeImage decodes an answer body.
func decodeImage(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("result does not decode: %v (%d bytes)", err, len(b))
	}
	return img
}

// jobDoc is the part of the job document the tests read.
type jobDoc struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Counts struct {
		Total, Queued, Running, Succeeded, Failed, Canceled int
	} `json:"counts"`
	Items []jobItem `json:"items"`
}

type jobItem struct {
	Index        int    `json:"index"`
	Name         string `json:"name"`
	OriginalName string `json:"original_name"`
	State        string `json:"state"`
	Error        string `json:"error"`
	Input        struct {
		Width, Height int
	} `json:"input"`
	Output *struct {
		Bytes         int64
		Width, Height int
	} `json:"output"`
	ResultURL  string `json:"result_url"`
	ResultName string `json:"result_name"`
}

func parseJob(t testing.TB, r reply) jobDoc {
	t.Helper()
	var d jobDoc
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("job document %s: %v", r, err)
	}
	if d.ID == "" {
		t.Fatalf("job document without id: %s", r)
	}
	return d
}

// final reports whether a job state is final.
func final(state string) bool {
	switch state {
	case "succeeded", "partially_succeeded", "failed", "canceled":
		return true
	}
	return false
}

// waitJob polls the job until it is in a final state.
func waitJob(t testing.TB, s *server, id, key string, timeout time.Duration) jobDoc {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r := do(t, "GET", s.URL+"/v1/jobs/"+id, nil, "", key)
		if r.Status != http.StatusOK {
			t.Fatalf("GET job %s: %s", id, r)
		}
		d := parseJob(t, r)
		if final(d.State) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after %s: %s", id, d.State, timeout, r)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkSafeName fails unless name is safe as a file name on any system.
func checkSafeName(t testing.TB, what, name string) {
	t.Helper()
	switch {
	case name == "":
		t.Errorf("%s is empty", what)
	case !utf8.ValidString(name):
		t.Errorf("%s %q is not valid UTF-8", what, name)
	case len(name) > 255:
		t.Errorf("%s is %d bytes long, want at most 255", what, len(name))
	case strings.ContainsAny(name, `/\`):
		t.Errorf("%s %q holds a path separator", what, name)
	case name == "." || name == ".." || strings.HasPrefix(name, "."):
		t.Errorf("%s %q starts with a dot", what, name)
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }):
		t.Errorf("%s %q holds a control character", what, name)
	}
}

// dispositionName returns the download name of a Content-Disposition header
// (filename*, else filename) after checking the header parses.
func dispositionName(t testing.TB, h string) string {
	t.Helper()
	typ, params, err := mime.ParseMediaType(h)
	if err != nil || typ != "attachment" {
		t.Fatalf("Content-Disposition %q: %v (type %q)", h, err, typ)
	}
	if params["filename"] == "" {
		t.Fatalf("Content-Disposition %q names no file", h)
	}
	return params["filename"]
}
