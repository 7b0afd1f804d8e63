package main

import (
	"strconv"

	"github.com/upscaled/upscaled/jobs"
	"github.com/upscaled/upscaled/server"
)

// fleetOptions are the settings of a node of a fleet: its role, the shared
// job database and how pages move between nodes.
func fleetOptions() []serveOption {
	return []serveOption{
		{"role", "UPSCALED_ROLE", "all|api|worker", "what this node does: all (API and job pages), api (accepts and answers; opens no engine and runs no page: synchronous POST /v1/upscale pages run on the workers as hidden one-page jobs, waited for, canceled with their request) or worker (takes job pages from the queue; serves only /healthz, /readyz, /metrics); api and worker need UPSCALED_DATABASE_URL",
			func(c *server.Config, v string) error { c.Role = v; return nil },
			func(c server.Config) string { return c.Role }},
		{"database-url", "UPSCALED_DATABASE_URL", "URL", "the fleet's PostgreSQL, postgres://USER:PASSWORD@HOST:PORT/DB: job records and the page queue (River) shared by every node; needs UPSCALED_BLOB_URL=s3://…; empty: SQLite in the data directory, one process",
			func(c *server.Config, v string) error {
				if err := jobs.CheckDatabaseURL(v); err != nil {
					return err
				}
				c.Jobs.DatabaseURL = v
				return nil
			},
			func(c server.Config) string { return "none (SQLite in the data directory)" }},
		{"database-max-conns", "UPSCALED_DATABASE_MAX_CONNS", "N", "connections this node keeps to the fleet's database at most",
			func(c *server.Config, v string) error { return setInt(&c.Jobs.DatabaseMaxConns, v, 2) },
			func(c server.Config) string { return strconv.Itoa(c.Jobs.DatabaseMaxConns) }},
		{"single-node", "UPSCALED_SINGLE_NODE", "0|1", "1: allow UPSCALED_DATABASE_URL with job files in the data directory (only when this is the one node)",
			func(c *server.Config, v string) error { return setSwitch(&c.Jobs.SingleNode, v) },
			func(c server.Config) string { return showSwitch(c.Jobs.SingleNode) }},
		{"drain-timeout", "UPSCALED_DRAIN_TIMEOUT", "DURATION", "fleet: on SIGTERM, time running job pages get to finish (no new page is taken); then they are stopped and returned to the queue",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.DrainTimeout, v) },
			func(c server.Config) string { return c.Jobs.DrainTimeout.String() }},
		{"job-rescue-after", "UPSCALED_JOB_RESCUE_AFTER", "DURATION", "fleet: the longest a job page may run (a slower one is stopped and tried again); a page whose node died goes to another worker this long after it started (+ up to 31s for the check)",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.RescueAfter, v) },
			func(c server.Config) string { return c.Jobs.RescueAfter.String() }},
		{"job-max-attempts", "UPSCALED_JOB_MAX_ATTEMPTS", "N", "fleet: most times a job page is started (a node lost while running it uses one; engine and store failures fail it after 5) before the queue gives it up and the page fails; the node accepting a job sets it for its pages",
			func(c *server.Config, v string) error { return setInt(&c.Jobs.MaxAttempts, v, 1) },
			func(c server.Config) string { return strconv.Itoa(c.Jobs.MaxAttempts) }},
		{"job-sweep-every", "UPSCALED_JOB_SWEEP_EVERY", "DURATION", "fleet: how often a node looks for pages the queue gave up on (attempts used up) or that were canceled in it outside DELETE, and fails them so that their jobs finish; one node at a time",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.SweepEvery, v) },
			func(c server.Config) string { return c.Jobs.SweepEvery.String() }},
		{"job-progress-every", "UPSCALED_JOB_PROGRESS_EVERY", "DURATION", "fleet: how often a worker writes a running page's tile progress to the database",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.ProgressEvery, v) },
			func(c server.Config) string { return c.Jobs.ProgressEvery.String() }},
		{"job-poll", "UPSCALED_JOB_POLL", "DURATION", "fleet: how often a node reads a job whose events (SSE) a client follows, or whose synchronous page (--role api) a request waits for",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.PollEvery, v) },
			func(c server.Config) string { return c.Jobs.PollEvery.String() }},
	}
}
