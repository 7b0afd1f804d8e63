package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// q rebinds a query written with ? placeholders for the store's database:
// $1, $2, … on PostgreSQL. No query has a ? inside a string literal.
func (s *store) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tileCols are the item columns holding a running item's tile progress:
// written by fleet workers so that every API node reads it; the embedded
// store keeps it in memory (the queue) and reads zeros.
func (s *store) tileCols() string {
	if s.pg {
		return "tiles_done, tiles_total"
	}
	return "0, 0"
}

// runCol is the item column holding a fleet worker's record of the run
// (runInfo): the embedded store has none and reads "".
func (s *store) runCol() string {
	if s.pg {
		return "run"
	}
	return "''"
}

// lockJob takes the job row's lock for the rest of tx on PostgreSQL, so
// that the writes which settle a job (the last item finishing, a cancel)
// never run side by side under READ COMMITTED and each sees the others'
// item states. SQLite's IMMEDIATE transactions already run one at a time.
func (s *store) lockJob(ctx context.Context, tx *sql.Tx, id string) error {
	if !s.pg {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE`, id)
	return err
}

// uniqueViolation reports whether err is a unique index's refusal.
func (s *store) uniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// dbErr maps the database's "disk full" to ErrDiskFull and "try again
// later" (a lock held too long; on PostgreSQL also a connection that
// cannot be made, a server shutting down, a serialization failure) to
// ErrBusy.
func (s *store) dbErr(err error) error {
	if err == nil || !s.pg {
		return sqliteErr(err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return fmt.Errorf("%w: %w", ErrDiskFull, err)
		case pe.Code == "40001", pe.Code == "40P01", pe.Code == "55P03", // serialization, deadlock, lock not available
			strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"), pe.Code == "53300": // connection, shutdown, too many connections
			return fmt.Errorf("%w: %w", ErrBusy, err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return err
}
