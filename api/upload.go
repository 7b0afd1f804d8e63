package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// maxFieldBytes bounds one non-file multipart field; maxFields their number
// (the options are ten).
const (
	maxFieldBytes = 4 << 10
	maxFields     = 32
)

// upload is a received image spooled to a temporary file, with its form.
type upload struct {
	file *os.File
	name string // client file name, unsanitised ("" when none)
	form url.Values
}

// Close removes the spooled file.
func (u *upload) Close() {
	if u == nil || u.file == nil {
		return
	}
	u.file.Close()
	os.Remove(u.file.Name())
}

// spoolFile creates a temporary file in the spool directory. The caller must
// close and remove it.
func (s *Server) spoolFile(pattern string) (*os.File, error) {
	f, err := os.CreateTemp(s.cfg.SpoolDir, pattern)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return f, nil
}

// receiveImage reads the request body: multipart/form-data with the file in
// field "image" and options as fields (query parameters also accepted), or a
// raw image/* (or application/octet-stream) body with options as query
// parameters. The body is already bounded by http.MaxBytesReader.
func (s *Server) receiveImage(r *http.Request) (*upload, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return nil, &statusError{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type",
			detail: fmt.Sprintf("Content-Type %q: send multipart/form-data with the file in field \"image\", or a raw image/* body", ct)}
	}
	switch {
	case mt == "multipart/form-data":
		if params["boundary"] == "" {
			return nil, badRequest("", "multipart/form-data without a boundary")
		}
		return s.receiveMultipart(r)
	case strings.HasPrefix(mt, "image/") || mt == "application/octet-stream":
		u := &upload{form: r.URL.Query(), name: dispositionName(r.Header.Get("Content-Disposition"))}
		if err := s.spoolBody(u, r.Body); err != nil {
			u.Close()
			return nil, err
		}
		return u, nil
	default:
		return nil, &statusError{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type",
			detail: fmt.Sprintf("Content-Type %q is not an image: send multipart/form-data with the file in field \"image\", or a raw image/* body", mt)}
	}
}

func (s *Server) receiveMultipart(r *http.Request) (*upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("", "malformed multipart body: %v", err)
	}
	u := &upload{form: url.Values{}}
	fields := 0
	fail := func(err error) (*upload, error) {
		u.Close()
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(bodyError(err, "malformed multipart body"))
		}
		name := part.FormName()
		switch {
		case name == "image":
			if u.file != nil {
				part.Close()
				return fail(badRequest("image", "field \"image\" given twice: send one image per request (POST /v1/jobs takes many)"))
			}
			u.name = part.FileName()
			if err := s.spoolBody(u, part); err != nil {
				part.Close()
				return fail(err)
			}
		case part.FileName() != "":
			part.Close()
			return fail(badRequest(name, "unexpected file field %q: the image goes in field \"image\"", name))
		default:
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			part.Close()
			if err != nil {
				return fail(bodyError(err, "reading field "+name))
			}
			if len(b) > maxFieldBytes {
				return fail(badRequest(name, "field %q is longer than %d bytes", name, maxFieldBytes))
			}
			if fields++; fields > maxFields {
				return fail(badRequest(name, "more than %d form fields", maxFields))
			}
			u.form.Add(name, string(b))
		}
	}
	if u.file == nil {
		return fail(badRequest("image", "field \"image\" is required: the file to upscale (curl -F image=@page.png)"))
	}
	for k, vs := range r.URL.Query() {
		u.form[k] = append(u.form[k], vs...)
	}
	return u, nil
}

// spoolBody copies src to a new spool file of u.
func (s *Server) spoolBody(u *upload, src io.Reader) error {
	f, err := s.spoolFile("upload-*")
	if err != nil {
		return err
	}
	u.file = f
	if _, err := io.Copy(f, src); err != nil {
		return bodyError(err, "reading the upload")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// bodyError keeps size-limit errors (413) and reports other read failures as
// a bad request (or the cancellation that caused them).
func bodyError(err error, what string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &statusError{status: http.StatusRequestTimeout, slug: "upload-timeout", detail: "the upload did not finish within the request time limit (UPSCALED_REQUEST_TIMEOUT)", err: err}
	}
	var pe *os.PathError
	if errors.As(err, &pe) { // spool file write failure: ours, not the client's
		return fmt.Errorf("%s: %w", what, err)
	}
	if revealsInternals(err) { // a network error names the server's address
		return badRequest("", "%s: the connection failed", what)
	}
	return badRequest("", "%s: %v", what, err)
}

// dispositionName is the filename of a request Content-Disposition header.
func dispositionName(h string) string {
	if h == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return params["filename"]
}
