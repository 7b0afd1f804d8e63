package blob

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dir stores objects as files under a root directory: key a/b/c is the
// file root/a/b/c. Writes go to a temp file beside the final name
// (".c.tmp*"), then fsync, rename and directory fsync.
type Dir struct {
	root string
}

// NewDir returns the store rooted at root, creating the directory.
func NewDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("blob: directory must be set")
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{root: root}, nil
}

// Root is the directory objects are stored under.
func (d *Dir) Root() string { return d.root }

// Path is the file holding key.
func (d *Dir) Path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

func (d *Dir) String() string { return "dir:" + d.root }

// Local is true: objects are local files.
func (d *Dir) Local() bool { return true }

func (d *Dir) Create(ctx context.Context, key string) (Writer, error) {
	path, err := d.Path(key)
	if err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", key, err)
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", key, err)
	}
	return &dirWriter{f: f, bw: bufio.NewWriterSize(f, 256<<10), path: path, dir: dir, key: key}, nil
}

type dirWriter struct {
	f         *os.File
	bw        *bufio.Writer
	path, dir string
	key       string
	err       error
	done      bool
}

func (w *dirWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.bw.Write(p)
	if err != nil {
		w.err = fmt.Errorf("blob: write %s: %w", w.key, err)
	}
	return n, w.err
}

func (w *dirWriter) Commit() error {
	if w.done {
		return errors.New("blob: commit after commit or abort")
	}
	err := w.err
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.f.Name(), w.path)
	}
	if err == nil {
		err = syncDir(w.dir)
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("blob: commit %s: %w", w.key, err)
	}
	w.done = true
	return nil
}

func (w *dirWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

// syncDir fsyncs a directory so that entries renamed into it survive a
// crash.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

type dirObject struct {
	*os.File
	size int64
}

func (o dirObject) Size() int64 { return o.size }

func (d *Dir) Open(ctx context.Context, key string) (Object, error) {
	path, err := d.Path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, notFound(key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return dirObject{File: f, size: st.Size()}, nil
}

func (d *Dir) Stat(ctx context.Context, key string) (Info, error) {
	path, err := d.Path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, notFound(key, err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Touch sets key's modification time to t (the cache's last use).
func (d *Dir) Touch(key string, t time.Time) error {
	path, err := d.Path(key)
	if err != nil {
		return err
	}
	return notFound(key, os.Chtimes(path, t, t))
}

func (d *Dir) Delete(ctx context.Context, key string) error {
	path, err := d.Path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// DeletePrefix removes every object under the directory prefix (a key
// prefix ending in "/", or a whole key) and the directory itself.
func (d *Dir) DeletePrefix(prefix string) error {
	path, err := d.Path(strings.TrimSuffix(prefix, "/"))
	if err != nil {
		return err
	}
	return os.RemoveAll(path)
}

func (d *Dir) List(ctx context.Context, prefix string, fn func(Info) error) error {
	return d.walk(ctx, prefix, func(path string, e fs.DirEntry) error {
		if isTemp(e.Name()) {
			return nil
		}
		st, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(d.root, path)
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		return fn(Info{Key: key, Size: st.Size(), ModTime: st.ModTime()})
	})
}

// RemoveTemps deletes the temp files of writes a crash cut short under
// prefix. Call it only while no write is in progress.
func (d *Dir) RemoveTemps(ctx context.Context, prefix string) error {
	return d.walk(ctx, prefix, func(path string, e fs.DirEntry) error {
		if isTemp(e.Name()) {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("blob: remove temp file: %w", err)
			}
		}
		return nil
	})
}

// walk visits the regular files under the directory that holds prefix.
func (d *Dir) walk(ctx context.Context, prefix string, fn func(path string, e fs.DirEntry) error) error {
	start := d.root
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		start = filepath.Join(d.root, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(start, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.Type().IsRegular() {
			return nil
		}
		return fn(path, e)
	})
	if err != nil {
		return fmt.Errorf("blob: list %s: %w", prefix, err)
	}
	return nil
}

func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")
}

// Presign is not supported by a directory.
func (d *Dir) Presign(ctx context.Context, key string, ttl time.Duration, disposition, contentType string) (string, error) {
	return "", ErrNoPresign
}

func notFound(key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: %s: %w", key, err)
}

var _ io.ReaderAt = dirObject{}
