package jobs

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/upscaled/upscaled/blob"
)

// layout names the files of the data directory:
//
//	<data>/jobs.db                 job and item records
//	<data>/jobs/<id>/in/<n>        item n as uploaded
//	<data>/jobs/<id>/out/<n>       item n's result, present only once complete
//	<data>/jobs/<id>/out/.<n>.tmp* a result being written (removed on start)
//
// The result's format is in its record, not in its file name. With a
// remote store (Deps.Blobs) jobs.db stays in the data directory and the
// files are objects of the same names (remote.go).
type layout struct {
	data   string
	remote blob.Store // nil: files in the data directory
	spool  string     // temp copies of remote inputs
}

func (l layout) db() string              { return filepath.Join(l.data, "jobs.db") }
func (l layout) jobsDir() string         { return filepath.Join(l.data, "jobs") }
func (l layout) jobDir(id string) string { return filepath.Join(l.data, "jobs", id) }
func (l layout) inDir(id string) string  { return filepath.Join(l.jobDir(id), "in") }
func (l layout) outDir(id string) string { return filepath.Join(l.jobDir(id), "out") }

func (l layout) input(id string, n int) string {
	return filepath.Join(l.inDir(id), strconv.Itoa(n))
}

func (l layout) output(id string, n int) string {
	return filepath.Join(l.outDir(id), strconv.Itoa(n))
}

// syncDir fsyncs a directory so that entries created or renamed in it
// survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAtomic writes path through fill: into a temp file beside it, then
// fsync, rename and directory fsync, so that path is either absent or
// complete, never partial. It returns the bytes written.
func writeAtomic(path string, fill func(w io.Writer) error) (n int64, err error) {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+strings.TrimSuffix(base, filepath.Ext(base))+".tmp*")
	if err != nil {
		return 0, diskErr(err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	cw := &countWriter{w: tmp}
	bw := bufio.NewWriterSize(cw, 256<<10)
	if err = fill(bw); err != nil {
		return 0, diskErr(err)
	}
	if err = bw.Flush(); err != nil {
		return 0, diskErr(err)
	}
	if err = tmp.Sync(); err != nil {
		return 0, diskErr(err)
	}
	if err = tmp.Close(); err != nil {
		return 0, diskErr(err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	if err = syncDir(dir); err != nil {
		return 0, err
	}
	return cw.n, nil
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error // the first write error
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// removeTemps deletes half-written results left by a crash in a job's out
// directory.
func removeTemps(outDir string) error {
	ents, err := os.ReadDir(outDir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp") {
			if err := os.Remove(filepath.Join(outDir, e.Name())); err != nil {
				return fmt.Errorf("jobs: remove temp result: %w", err)
			}
		}
	}
	return nil
}
