package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

var (
	// ErrNotFound: no object with that key.
	ErrNotFound = errors.New("blob: object not found")
	// ErrBadKey: a key ValidKey refuses.
	ErrBadKey = errors.New("blob: invalid key")
	// ErrNoPresign: the backend cannot give presigned URLs (Dir).
	ErrNoPresign = errors.New("blob: presigned URLs not supported by this store")
)

// Store holds immutable objects. Keys are slash-separated (ValidKey).
type Store interface {
	// Create starts writing key; the object (replacing any of that key)
	// becomes visible at Commit. The caller must Commit or Abort.
	Create(ctx context.Context, key string) (Writer, error)
	// Open opens key for reading; ErrNotFound when absent. The caller
	// must Close.
	Open(ctx context.Context, key string) (Object, error)
	// Stat describes key; ErrNotFound when absent.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix, in no
	// particular order; an error from fn stops it and is returned.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Presign returns a URL that downloads key without credentials until
	// ttl passes, answering with the given Content-Disposition and
	// Content-Type; ErrNoPresign when the store cannot.
	Presign(ctx context.Context, key string, ttl time.Duration, disposition, contentType string) (string, error)
	// Local reports whether reading an object again costs no network
	// transfer (Dir).
	Local() bool
	// String names the store for logs, without credentials.
	String() string
}

// Writer receives an object's bytes.
type Writer interface {
	io.Writer
	// Commit makes the object visible, complete; Write errors are
	// returned again here.
	Commit() error
	// Abort discards what was written; safe after Commit (then a no-op).
	Abort()
}

// Object is an open object: readable in order, at offsets, or from a
// position Seek chose.
type Object interface {
	io.ReadCloser
	io.ReaderAt
	io.Seeker
	// Size is the object's length in bytes.
	Size() int64
}

// Info describes an object.
type Info struct {
	Key     string
	Size    int64 // bytes
	ModTime time.Time
}

// ValidKey checks a key: slash-separated elements, none empty or starting
// with "." (Dir keeps its temp files there), no leading slash, no backslash
// or control character, at most 512 bytes.
func ValidKey(key string) error {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fmt.Errorf("%w: %q", ErrBadKey, key)
		}
	}
	for _, el := range strings.Split(key, "/") {
		if el == "" || strings.HasPrefix(el, ".") {
			return fmt.Errorf("%w: %q", ErrBadKey, key)
		}
	}
	return nil
}

// Put writes r as key, whole or not at all.
func Put(ctx context.Context, s Store, key string, r io.Reader) (int64, error) {
	w, err := s.Create(ctx, key)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, r)
	if err != nil {
		w.Abort()
		return n, err
	}
	return n, w.Commit()
}
