package jobs

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestMigrateFromVersion1: a database written by schema version 1 opens,
// keeps its jobs, and takes digests and deletions.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jobs.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(schema + "PRAGMA user_version = 1;"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO jobs(id, owner, idem_key, state, options, created_at) VALUES('00000000000000000000000000000001', '', 'k', 'queued', '{}', 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := openStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	old, err := s.jobByIdem(ctx, "", "k")
	if err != nil || old.Digest != "" || old.Deleted {
		t.Fatalf("version-1 job after migration: %+v %v", old, err)
	}
	j := testJob(t, "", time.Now(), 1)
	j.IdempotencyKey, j.Digest = "k2", "abc"
	if err := s.insertJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := s.cancel(ctx, j.ID, time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := s.job(ctx, j.ID)
	if err != nil || !got.Deleted || got.Digest != "abc" || got.IdempotencyKey != "" {
		t.Fatalf("deleted job: %+v %v", got, err)
	}
}
