package server

import (
	"strings"
	"testing"
)

// TestFleetConfig: a role other than all needs the fleet's database, and
// the database needs a shared object store unless one node is declared.
func TestFleetConfig(t *testing.T) {
	const db = "postgres://u:secret@127.0.0.1:5432/upscaled"
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" when valid
	}{
		{"default", func(c *Config) {}, ""},
		{"unknown role", func(c *Config) { c.Role = "gpu" }, `UPSCALED_ROLE: "gpu": must be all, api or worker`},
		{"api without database", func(c *Config) { c.Role = RoleAPI }, "UPSCALED_ROLE: api: a node of one role needs the fleet's database"},
		{"worker without database", func(c *Config) { c.Role = RoleWorker }, "UPSCALED_ROLE: worker: a node of one role needs"},
		{"database, local blobs", func(c *Config) { c.Jobs.DatabaseURL = db }, "UPSCALED_DATABASE_URL: a fleet needs a shared object store"},
		{"database, directory blobs", func(c *Config) { c.Jobs.DatabaseURL, c.BlobURL = db, "/srv/blobs" }, "a fleet needs a shared object store"},
		{"database, single node", func(c *Config) { c.Jobs.DatabaseURL, c.Jobs.SingleNode = db, true }, ""},
		{"fleet worker", func(c *Config) { c.Jobs.DatabaseURL, c.BlobURL, c.Role = db, "s3://b/p", RoleWorker }, ""},
		{"not postgres", func(c *Config) { c.Jobs.DatabaseURL, c.BlobURL = "mysql://u@h/db", "s3://b/p" }, `scheme "mysql": must be postgres://`},
		{"drain", func(c *Config) { c.Jobs.DrainTimeout = -1 }, "UPSCALED_DRAIN_TIMEOUT"},
		{"rescue", func(c *Config) { c.Jobs.RescueAfter = 0 }, "UPSCALED_JOB_RESCUE_AFTER"},
		{"connections", func(c *Config) { c.Jobs.DatabaseMaxConns = 1 }, "UPSCALED_DATABASE_MAX_CONNS"},
		{"attempts", func(c *Config) { c.Jobs.MaxAttempts = 0 }, "UPSCALED_JOB_MAX_ATTEMPTS: 0: must be 1..1000"},
		{"sweep", func(c *Config) { c.Jobs.SweepEvery = 0 }, "UPSCALED_JOB_SWEEP_EVERY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.modify(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("valid config refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Fatalf("the error shows the database password: %v", err)
			}
		})
	}
}
