package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// store is the job store: SQLite (embedded default) or PostgreSQL (fleet
// mode, pgstore.go), one set of queries for both (dialect.go). On SQLite
// every write is one short IMMEDIATE transaction and busy_timeout makes
// concurrent writers wait instead of failing; on PostgreSQL a write that
// may settle a job first locks the job's row (lockJob).
type store struct {
	db *sql.DB
	// pg: the database is PostgreSQL (fleet mode); queries are written
	// with ? placeholders and rebound to $n.
	pg bool
}

// errDuplicate: an insert hit the (owner, idempotency key) unique index.
var errDuplicate = errors.New("duplicate idempotency key")

func openStore(ctx context.Context, path string) (*store, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	return s, nil
}

func (s *store) close() error { return s.db.Close() }

func (s *store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > schemaVersion {
		return fmt.Errorf("database schema version %d is newer than this program's %d", v, schemaVersion)
	}
	if v == schemaVersion {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if v == 0 {
			if _, err := tx.ExecContext(ctx, schema); err != nil {
				return err
			}
			v = 1
		}
		for ; v < schemaVersion; v++ {
			if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("migrate to schema version %d: %w", v+1, err)
			}
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	})
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.dbErr(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.dbErr(err)
	}
	return s.dbErr(tx.Commit())
}

// sqliteErr maps SQLite's "database or disk is full" to ErrDiskFull and a lock
// held past busy_timeout to ErrBusy.
func sqliteErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w: %w", ErrDiskFull, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", ErrBusy, err)
		}
	}
	return err
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// insertJob records a new job and its items; errDuplicate when the owner
// already has a job with the same idempotency key.
func (s *store) insertJob(ctx context.Context, j Job) error { return s.insertJobTx(ctx, j, nil) }

// insertJobTx is insertJob that also runs enqueue, when set, in the same
// transaction (the fleet's queue jobs for the pages).
func (s *store) insertJobTx(ctx context.Context, j Job, enqueue func(*sql.Tx) error) error {
	opts, err := json.Marshal(j.Options)
	if err != nil {
		return err
	}
	var idem any
	if j.IdempotencyKey != "" {
		idem = j.IdempotencyKey
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO jobs(id, owner, idem_key, idem_digest, state, options, created_at, started_at, finished_at, expires_at)
			VALUES(?,?,?,?,?,?,?,?,?,?)`), j.ID, j.Owner, idem, j.Digest, string(j.State), string(opts),
			ms(j.Created), ms(j.Started), ms(j.Finished), ms(j.Expires))
		if s.uniqueViolation(err) {
			return errDuplicate
		}
		if err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO items(job_id, idx, name, raw_name, state, in_bytes, in_format, in_width, in_height,
			out_format, out_width, out_height, error, finished_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)`))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, it := range j.Items {
			if _, err := st.ExecContext(ctx, j.ID, it.Index, it.Name, it.RawName, string(it.State), it.InBytes,
				string(it.InFormat), it.InWidth, it.InHeight, string(it.OutFormat), it.OutWidth, it.OutHeight,
				it.Error, ms(it.Finished)); err != nil {
				return err
			}
		}
		if enqueue != nil {
			return enqueue(tx)
		}
		return nil
	})
}

const jobCols = `id, owner, COALESCE(idem_key, ''), idem_digest, deleted, state, options, created_at, started_at, finished_at, expires_at`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var (
		j                   Job
		state, opts         string
		cr, st, fin, expire int64
	)
	if err := row.Scan(&j.ID, &j.Owner, &j.IdempotencyKey, &j.Digest, &j.Deleted, &state, &opts, &cr, &st, &fin, &expire); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Job{}, ErrNotFound
		}
		return Job{}, err
	}
	j.State = State(state)
	if err := json.Unmarshal([]byte(opts), &j.Options); err != nil {
		return Job{}, fmt.Errorf("jobs: job %s: options: %w", j.ID, err)
	}
	j.Created, j.Started, j.Finished, j.Expires = fromMS(cr), fromMS(st), fromMS(fin), fromMS(expire)
	return j, nil
}

// job loads a job with its items.
func (s *store) job(ctx context.Context, id string) (Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, s.q(`SELECT `+jobCols+` FROM jobs WHERE id = ?`), id))
	if err != nil {
		return Job{}, s.dbErr(err)
	}
	j.Items, err = s.items(ctx, id)
	return j, s.dbErr(err)
}

// jobByIdem finds the owner's job with an idempotency key.
func (s *store) jobByIdem(ctx context.Context, owner, key string) (Job, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id FROM jobs WHERE owner = ? AND idem_key = ?`), owner, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, err
	}
	return s.job(ctx, id)
}

func (s *store) items(ctx context.Context, id string) ([]Item, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT idx, name, raw_name, state, in_bytes, in_format, in_width, in_height,
		out_bytes, out_format, out_width, out_height, content_type, error, started_at, finished_at, `+s.tileCols()+`, `+s.runCol()+`
		FROM items WHERE job_id = ? ORDER BY idx`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var (
			it                Item
			state, inF, outF  string
			started, finished int64
		)
		if err := rows.Scan(&it.Index, &it.Name, &it.RawName, &state, &it.InBytes, &inF, &it.InWidth, &it.InHeight,
			&it.OutBytes, &outF, &it.OutWidth, &it.OutHeight, &it.ContentType, &it.Error, &started, &finished, &it.TilesDone, &it.TilesTotal, &it.run); err != nil {
			return nil, err
		}
		it.State, it.InFormat, it.OutFormat = State(state), imaging.Format(inF), imaging.Format(outF)
		it.Started, it.Finished = fromMS(started), fromMS(finished)
		out = append(out, it)
	}
	return out, rows.Err()
}

// list returns up to limit of the owner's jobs, newest first, created
// strictly before the cursor position (created ms, id); items carry only
// their states (for counts).
func (s *store) list(ctx context.Context, owner string, limit int, beforeMS int64, beforeID string) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+jobCols+` FROM jobs WHERE owner = ? AND NOT deleted AND (created_at < ? OR (created_at = ? AND id < ?))
		ORDER BY created_at DESC, id DESC LIMIT ?`), owner, beforeMS, beforeMS, beforeID, limit)
	if err != nil {
		return nil, err
	}
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Items, err = s.items(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// claimItem marks a queued item running (and its job running); false when
// the item is no longer queued (canceled meanwhile). retry also claims an
// item whose record still says running (its last end was not recorded).
func (s *store) claimItem(ctx context.Context, id string, idx int, now time.Time, retry bool) (bool, error) {
	ok := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockJob(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE items SET state = 'running', started_at = ? WHERE job_id = ? AND idx = ?
			AND (state = 'queued' OR (? AND state = 'running'))`), ms(now), id, idx, retry)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ok = true
		_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = 'running', started_at = CASE started_at WHEN 0 THEN ? ELSE started_at END
			WHERE id = ? AND state IN ('queued', 'running')`), ms(now), id)
		return err
	})
	return ok, err
}

// finishItem records a running item's end (Succeeded or Failed with its
// fields) and, when it was the job's last, the job's final state and expiry.
// ok is false when the item was not running any more (job canceled).
func (s *store) finishItem(ctx context.Context, id string, it Item, now time.Time, ttl time.Duration) (ok bool, final State, err error) {
	set, args := "", []any{string(it.State), it.OutBytes, string(it.OutFormat), it.OutWidth, it.OutHeight, it.ContentType, it.Error, ms(now)}
	if s.pg {
		set, args = ", run = ?", append(args, it.run)
	}
	return s.endItem(ctx, id, now, ttl, `UPDATE items SET state = ?, out_bytes = ?, out_format = ?, out_width = ?, out_height = ?,
		content_type = ?, error = ?, finished_at = ?`+set+` WHERE job_id = ? AND idx = ? AND state = 'running'`,
		append(args, id, it.Index)...)
}

// abandonItem fails a queued or running item with reason (its page will
// not run again) and settles its job as finishItem does; ok is false when
// the item had already ended.
func (s *store) abandonItem(ctx context.Context, id string, idx int, reason string, now time.Time, ttl time.Duration) (ok bool, final State, err error) {
	return s.endItem(ctx, id, now, ttl, `UPDATE items SET state = 'failed', error = ?, finished_at = ?
		WHERE job_id = ? AND idx = ? AND state IN ('queued', 'running')`, reason, ms(now), id, idx)
}

// endItem runs update (an item's end) under the job's row lock and, when it
// changed the item, settles the job; ok reports that it did.
func (s *store) endItem(ctx context.Context, id string, now time.Time, ttl time.Duration, update string, args ...any) (ok bool, final State, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockJob(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(update), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ok = true
		final, err = s.settleJob(ctx, tx, id, now, ttl)
		return err
	})
	return ok, final, err
}

// settleJob sets the job's final state when no item is queued or running;
// it returns that state, or "" while work remains.
func (s *store) settleJob(ctx context.Context, tx *sql.Tx, id string, now time.Time, ttl time.Duration) (State, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT state, COUNT(*) FROM items WHERE job_id = ? GROUP BY state`), id)
	if err != nil {
		return "", err
	}
	var c Counts
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return "", err
		}
		c.Total += n
		switch State(st) {
		case Queued:
			c.Queued += n
		case Running:
			c.Running += n
		case Succeeded:
			c.Succeeded += n
		case Failed:
			c.Failed += n
		case Canceled:
			c.Canceled += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if c.Queued+c.Running > 0 {
		return "", nil
	}
	final := finalState(c)
	_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = ?, finished_at = ?, expires_at = ? WHERE id = ? AND state IN ('queued', 'running')`),
		string(final), ms(now), ms(now.Add(ttl)), id)
	return final, err
}

// cancel marks the job deleted, releases its idempotency key, cancels it
// and its items when unfinished (a finished job keeps its state), and sets
// its expiry; the caller deletes the files.
func (s *store) cancel(ctx context.Context, id string, now time.Time, ttl time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockJob(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE items SET state = 'canceled', finished_at = ? WHERE job_id = ? AND state IN ('queued', 'running')`), ms(now), id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE jobs SET deleted = TRUE, idem_key = NULL,
			state = CASE WHEN state IN ('queued','running') THEN 'canceled' ELSE state END,
			finished_at = CASE WHEN state IN ('queued','running') THEN ? ELSE finished_at END,
			expires_at = ? WHERE id = ?`), ms(now), ms(now.Add(ttl)), id)
		return err
	})
}

// requeueRunning turns a job's running items back to queued (their worker
// is gone: restart or a lost record update).
func (s *store) requeueRunning(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE items SET state = 'queued', started_at = 0 WHERE job_id = ? AND state = 'running'`), id)
		return err
	})
}

// unfinished returns the ids of queued and running jobs, oldest first.
func (s *store) unfinished(ctx context.Context) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id`)
}

// expired returns the ids of jobs whose expiry has passed.
func (s *store) expired(ctx context.Context, now time.Time) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM jobs WHERE expires_at > 0 AND expires_at <= ? ORDER BY expires_at`, ms(now))
}

// queuedItems returns a job's queued item indexes in order.
func (s *store) queuedItems(ctx context.Context, id string) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT idx FROM items WHERE job_id = ? AND state = 'queued' ORDER BY idx`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (s *store) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// delete removes a job and its items.
func (s *store) delete(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM jobs WHERE id = ?`), id)
		return err
	})
}

// countBy runs a query of (state, count) rows and hands each to fn.
func (s *store) countBy(ctx context.Context, query string, fn func(State, int)) error {
	rows, err := s.db.QueryContext(ctx, s.q(query))
	if err != nil {
		return s.dbErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return err
		}
		fn(State(state), n)
	}
	return rows.Err()
}

// oldestQueued is the creation time of the oldest job with a queued item
// (zero when none).
func (s *store) oldestQueued(ctx context.Context) (time.Time, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT MIN(created_at) FROM jobs j WHERE NOT deleted
		AND EXISTS (SELECT 1 FROM items i WHERE i.job_id = j.id AND i.state = 'queued')`)).Scan(&v)
	if err != nil || !v.Valid {
		return time.Time{}, s.dbErr(err)
	}
	return fromMS(v.Int64), nil
}

// jobHead reads what a worker needs of a job: its options, and whether it
// still has work (not deleted, not final).
func (s *store) jobHead(ctx context.Context, id string) (opts upscale.Options, live bool, err error) {
	var state, o string
	var deleted bool
	err = s.db.QueryRowContext(ctx, s.q(`SELECT state, options, deleted FROM jobs WHERE id = ?`), id).Scan(&state, &o, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return opts, false, ErrNotFound
	}
	if err != nil {
		return opts, false, s.dbErr(err)
	}
	if err := json.Unmarshal([]byte(o), &opts); err != nil {
		return opts, false, fmt.Errorf("jobs: job %s: options: %w", id, err)
	}
	return opts, !deleted && !State(state).Final(), nil
}

// itemState reads one item's state.
func (s *store) itemState(ctx context.Context, id string, idx int) (State, error) {
	var st string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT state FROM items WHERE job_id = ? AND idx = ?`), id, idx).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return State(st), s.dbErr(err)
}

// setTiles records a running item's tile progress (fleet store only).
func (s *store) setTiles(ctx context.Context, id string, idx, done, total int) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE items SET tiles_done = ?, tiles_total = ? WHERE job_id = ? AND idx = ? AND state = 'running'`),
		done, total, id, idx)
	return s.dbErr(err)
}
