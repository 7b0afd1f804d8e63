package server

import (
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
