package jobs

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// pgSchema is the fleet's job and item tables: those of the SQLite store
// (schema.go, version 2) in PostgreSQL types, plus the tile progress of
// running items, which workers write for every API node to read, and
// what a worker recorded of a page's run (runInfo as JSON: the headers of
// a synchronous answer, the class of a failure). Times
// are Unix milliseconds, 0 when unset. sweeps holds, per periodic fleet
// task, when a node last claimed it and up to when its last pass got
// (sweep.go), in the database's clock.
const pgSchema = `
CREATE TABLE IF NOT EXISTS jobs (
	id          TEXT PRIMARY KEY,
	owner       TEXT NOT NULL,
	idem_key    TEXT,
	idem_digest TEXT NOT NULL DEFAULT '',
	deleted     BOOLEAN NOT NULL DEFAULT FALSE,
	state       TEXT NOT NULL,
	options     TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	started_at  BIGINT NOT NULL DEFAULT 0,
	finished_at BIGINT NOT NULL DEFAULT 0,
	expires_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_idem ON jobs(owner, idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, created_at, id);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_expires ON jobs(expires_at) WHERE expires_at > 0;

CREATE TABLE IF NOT EXISTS items (
	job_id       TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	idx          INTEGER NOT NULL,
	name         TEXT NOT NULL,
	raw_name     BYTEA NOT NULL,
	state        TEXT NOT NULL,
	in_bytes     BIGINT NOT NULL DEFAULT 0,
	in_format    TEXT NOT NULL DEFAULT '',
	in_width     INTEGER NOT NULL DEFAULT 0,
	in_height    INTEGER NOT NULL DEFAULT 0,
	out_bytes    BIGINT NOT NULL DEFAULT 0,
	out_format   TEXT NOT NULL DEFAULT '',
	out_width    INTEGER NOT NULL DEFAULT 0,
	out_height   INTEGER NOT NULL DEFAULT 0,
	content_type TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	started_at   BIGINT NOT NULL DEFAULT 0,
	finished_at  BIGINT NOT NULL DEFAULT 0,
	tiles_done   INTEGER NOT NULL DEFAULT 0,
	tiles_total  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (job_id, idx)
);
CREATE INDEX IF NOT EXISTS items_state ON items(state) WHERE state IN ('queued', 'running');
ALTER TABLE items ADD COLUMN IF NOT EXISTS run TEXT NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS sweeps (
	name     TEXT PRIMARY KEY,
	swept_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
	through  TIMESTAMPTZ NOT NULL DEFAULT 'epoch'
);
INSERT INTO sweeps(name) VALUES ('abandoned') ON CONFLICT DO NOTHING;
`

// migrateLock is the advisory lock key under which one node at a time
// creates the tables (nodes of a fleet start together).
const migrateLock = 0x75707363616c6564 // "upscaled"

// CheckDatabaseURL reports whether u is a PostgreSQL URL
// (postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?OPTIONS]), without its
// password in the error.
func CheckDatabaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("not a URL (postgres://USER:PASSWORD@HOST:PORT/DB)")
	}
	if p.Scheme != "postgres" && p.Scheme != "postgresql" {
		return fmt.Errorf("scheme %q: must be postgres:// (PostgreSQL is the fleet's database; without it jobs use SQLite in the data directory)", p.Scheme)
	}
	if _, err := pgxpool.ParseConfig(u); err != nil {
		return fmt.Errorf("%s: %w", redactURL(u), err)
	}
	return nil
}

// redactURL is u without its password.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// openPG connects to the fleet's database, creates or upgrades River's
// tables and the job tables (once, under an advisory lock), and returns
// the pool and the job store on it.
func openPG(ctx context.Context, cfg Config) (*pgxpool.Pool, *store, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("UPSCALED_DATABASE_URL: %s: %w", redactURL(cfg.DatabaseURL), err)
	}
	pc.MaxConns = int32(cfg.DatabaseMaxConns)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, nil, fmt.Errorf("UPSCALED_DATABASE_URL: %s: %w", redactURL(cfg.DatabaseURL), err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("UPSCALED_DATABASE_URL: cannot reach PostgreSQL at %s: %w", redactURL(cfg.DatabaseURL), err)
	}
	if err := migratePG(pctx, pool); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("UPSCALED_DATABASE_URL: create tables: %w", err)
	}
	return pool, &store{db: stdlib.OpenDBFromPool(pool), pg: true}, nil
}

func migratePG(ctx context.Context, pool *pgxpool.Pool) error {
	// a session lock on a connection of its own: River's migrations each
	// run in their own transaction (one adds an enum value, which cannot
	// be used in the transaction that adds it)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrateLock)); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrateLock))
	mig, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, stmt := range strings.Split(pgSchema, ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}
