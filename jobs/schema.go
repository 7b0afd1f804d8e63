package jobs

// schemaVersion is stored in PRAGMA user_version: schema creates version
// 1, migrations[v-2] takes version v-1 to v.
const schemaVersion = 2

// migrations, in order. Version 2: the digest of the request that used an
// idempotency key (hex SHA-256, "" for jobs recorded before), and whether
// the job was deleted (DELETE; a tombstone until it expires).
var migrations = []string{
	`ALTER TABLE jobs ADD COLUMN idem_digest TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;`,
}

// schema creates version 1. Times are Unix milliseconds, 0 when unset.
const schema = `
CREATE TABLE IF NOT EXISTS jobs (
	id          TEXT PRIMARY KEY,
	owner       TEXT NOT NULL,
	idem_key    TEXT,
	state       TEXT NOT NULL,
	options     TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	started_at  INTEGER NOT NULL DEFAULT 0,
	finished_at INTEGER NOT NULL DEFAULT 0,
	expires_at  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_idem ON jobs(owner, idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, created_at, id);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_expires ON jobs(expires_at) WHERE expires_at > 0;

CREATE TABLE IF NOT EXISTS items (
	job_id       TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	idx          INTEGER NOT NULL,
	name         TEXT NOT NULL,
	raw_name     BLOB NOT NULL,
	state        TEXT NOT NULL,
	in_bytes     INTEGER NOT NULL DEFAULT 0,
	in_format    TEXT NOT NULL DEFAULT '',
	in_width     INTEGER NOT NULL DEFAULT 0,
	in_height    INTEGER NOT NULL DEFAULT 0,
	out_bytes    INTEGER NOT NULL DEFAULT 0,
	out_format   TEXT NOT NULL DEFAULT '',
	out_width    INTEGER NOT NULL DEFAULT 0,
	out_height   INTEGER NOT NULL DEFAULT 0,
	content_type TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	started_at   INTEGER NOT NULL DEFAULT 0,
	finished_at  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (job_id, idx)
);
`
