package jobs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "3")
	t.Run("complete", func(t *testing.T) {
		n, err := writeAtomic(path, func(w io.Writer) error {
			_, err := io.WriteString(w, "result")
			return err
		})
		b, _ := os.ReadFile(path)
		if err != nil || n != 6 || string(b) != "result" {
			t.Fatalf("n=%d err=%v content %q", n, err, b)
		}
	})
	t.Run("failure leaves the old file and no temp", func(t *testing.T) {
		_, err := writeAtomic(path, func(w io.Writer) error {
			io.WriteString(w, "half")
			return errors.New("encoder failed")
		})
		if err == nil {
			t.Fatal("no error")
		}
		b, _ := os.ReadFile(path)
		ents, _ := os.ReadDir(dir)
		if string(b) != "result" || len(ents) != 1 {
			t.Fatalf("content %q, %d entries", b, len(ents))
		}
	})
	t.Run("disk full", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatalf("/dev/full: %v", err)
		}
		defer full.Close()
		_, err = writeAtomic(filepath.Join(dir, "4"), func(w io.Writer) error {
			_, err := full.Write([]byte("x"))
			return err
		})
		if !errors.Is(err, ErrDiskFull) {
			t.Fatalf("err = %v, want ErrDiskFull", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "4")); !os.IsNotExist(err) {
			t.Fatal("result visible after a failed write")
		}
	})
	t.Run("temps removed", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, ".5.tmp123"), []byte("partial"), 0o600)
		if err := removeTemps(dir); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), ".tmp") {
				t.Fatalf("temp %s left", e.Name())
			}
		}
	})
}
