package server

import (
	"io"
	"log/slog"
	"net"

	"github.com/upscaled/upscaled/api"
)

// problemListener makes the errors net/http answers before any handler
// (431 header block too large, 400 malformed request) problem+json like
// every other error.
type problemListener struct {
	net.Listener
	maxHeaderBytes int
	log            *slog.Logger
}

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: c, l: l}, nil
}

// problemConn rewrites net/http's own plain-text error response.
type problemConn struct {
	net.Conn
	l problemListener
}

func (c *problemConn) Write(p []byte) (int, error) {
	resp, status, id, ok := api.PreRoutingProblem(p, c.l.maxHeaderBytes)
	if !ok {
		return c.Conn.Write(p)
	}
	c.l.log.Info("request refused before routing", "req_id", id, "status", status, "remote", c.RemoteAddr().String())
	if _, err := c.Conn.Write(resp); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CloseWrite half-closes like the TCP connection it wraps: net/http sends
// FIN before closing a connection whose request body it did not read, so
// that the client reads the answer (e.g. 413) instead of a reset.
func (c *problemConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps sendfile for file responses (results, archives).
func (c *problemConn) ReadFrom(r io.Reader) (int64, error) { return io.Copy(c.Conn, r) }
