package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/upscaled/upscaled/blob"
)

// File is an open input or result: *os.File in the data directory, or an
// object of the remote store.
type File interface {
	io.ReadSeekCloser
}

// Keys of a job's files in a remote store (Deps.Blobs), the same names as
// in the data directory: jobs/<id>/in/<n>, jobs/<id>/out/<n>.
func jobPrefix(id string) string     { return "jobs/" + id + "/" }
func inKey(id string, n int) string  { return jobPrefix(id) + "in/" + strconv.Itoa(n) }
func outKey(id string, n int) string { return jobPrefix(id) + "out/" + strconv.Itoa(n) }

// local reports whether job files are in the data directory.
func (l layout) local() bool { return l.remote == nil }

// openInput opens item n's upload. From a remote store it is downloaded
// once into a temp file (removed on Close): the header, the cache key and
// the pipeline each read it from the start.
func (l layout) openInput(ctx context.Context, id string, n int) (File, error) {
	if l.local() {
		return os.Open(l.input(id, n))
	}
	o, err := storageErr(l.remote.Open(ctx, inKey(id, n)))
	if err != nil {
		return nil, err
	}
	defer o.Close()
	f, err := os.CreateTemp(l.spool, "input-*")
	if err != nil {
		return nil, diskErr(err)
	}
	cw := &countWriter{w: f}
	_, err = io.Copy(cw, o)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if cw.err != nil {
			return nil, diskErr(err)
		}
		return nil, fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return tempFile{f}, nil
}

// tempFile is removed when closed.
type tempFile struct{ *os.File }

func (f tempFile) Close() error {
	err := f.File.Close()
	os.Remove(f.Name())
	return err
}

// openOutput opens item n's result.
func (l layout) openOutput(ctx context.Context, id string, n int) (File, error) {
	if l.local() {
		return os.Open(l.output(id, n))
	}
	return storageErr(l.remote.Open(ctx, outKey(id, n)))
}

// writeOutput writes item n's result through fill, visible only complete;
// it returns the bytes written.
func (l layout) writeOutput(ctx context.Context, id string, n int, fill func(w io.Writer) error) (int64, error) {
	if l.local() {
		return writeAtomic(l.output(id, n), fill)
	}
	w, err := l.remote.Create(ctx, outKey(id, n))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrStorage, err)
	}
	cw := &countWriter{w: w}
	if err := fill(cw); err != nil {
		w.Abort()
		if cw.err != nil {
			// the store refused the bytes, not the pipeline
			return 0, fmt.Errorf("%w: %w", ErrStorage, err)
		}
		return 0, err
	}
	if err := w.Commit(); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return cw.n, nil
}

// storageErr marks a remote store's failure, but a missing object's, as
// ErrStorage.
func storageErr(o blob.Object, err error) (File, error) {
	if err != nil && !errors.Is(err, blob.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", ErrStorage, err)
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

// removeOutput deletes item n's result, if any.
func (l layout) removeOutput(id string, n int) {
	if l.local() {
		os.Remove(l.output(id, n))
		return
	}
	l.remote.Delete(context.Background(), outKey(id, n))
}

// removeJob deletes every file of a job.
func (l layout) removeJob(ctx context.Context, id string) error {
	if l.local() {
		return os.RemoveAll(l.jobDir(id))
	}
	var keys []string
	if err := l.remote.List(ctx, jobPrefix(id), func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return err
	}
	var errs []error
	for _, k := range keys {
		errs = append(errs, l.remote.Delete(ctx, k))
	}
	return errors.Join(errs...)
}

// jobIDs lists the ids that have files in the data directory.
func (l layout) jobIDs(ctx context.Context) ([]string, error) {
	ents, err := os.ReadDir(l.jobsDir())
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ents))
	for _, e := range ents {
		ids = append(ids, e.Name())
	}
	return ids, nil
}

// inputWriter receives item n's upload.
type inputWriter interface {
	io.Writer
	commit() error
	abort()
}

// createInput starts item n's upload.
func (l layout) createInput(ctx context.Context, id string, n int) (inputWriter, error) {
	if l.local() {
		f, err := os.OpenFile(l.input(id, n), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err != nil {
			return nil, err
		}
		return localInput{f}, nil
	}
	w, err := l.remote.Create(ctx, inKey(id, n))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return remoteInput{w}, nil
}

type localInput struct{ *os.File }

func (f localInput) commit() error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// abort closes the file; Upload.Abort removes the job's directory.
func (f localInput) abort() { f.Close() }

type remoteInput struct{ blob.Writer }

func (w remoteInput) Write(p []byte) (int, error) {
	n, err := w.Writer.Write(p)
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return n, err
}

func (w remoteInput) commit() error {
	if err := w.Commit(); err != nil {
		return fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return nil
}
func (w remoteInput) abort() { w.Abort() }
