package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// cannedHeaders ends the status line of the plain-text errors net/http
// writes itself, before any handler runs (header block too large,
// malformed request).
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// PreRoutingProblem turns one of net/http's own plain-text error responses
// (p, as written to the connection) into a problem+json response; ok is
// false for anything else. maxHeaderBytes is named in the 431 detail.
func PreRoutingProblem(p []byte, maxHeaderBytes int) (resp []byte, status int, requestID string, ok bool) {
	rest, found := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !found || len(rest) < 3 || !bytes.Contains(rest, []byte(cannedHeaders)) {
		return nil, 0, "", false
	}
	status, err := strconv.Atoi(string(rest[:3]))
	if err != nil || status < 400 || status > 499 {
		return nil, 0, "", false
	}
	slug, detail := slugFor(status), "the request could not be read: "+string(rest[:bytes.Index(rest, []byte("\r\n"))])
	if status == http.StatusRequestHeaderFieldsTooLarge {
		slug = "headers-too-large"
		detail = fmt.Sprintf("the request headers exceed the limit of %s (UPSCALED_MAX_HEADER_BYTES)", formatBytes(int64(maxHeaderBytes)))
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	requestID = hex.EncodeToString(id[:])
	body, _ := json.Marshal(Problem{Type: problemTypeBase + slug, Title: http.StatusText(status), Status: status, Detail: detail, RequestID: requestID})
	resp = fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\nContent-Length: %d\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(body), requestID, body)
	return resp, status, requestID, true
}
