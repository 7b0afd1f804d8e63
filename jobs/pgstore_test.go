package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/upscaled/upscaled/internal/testing/pgserver"
)

// pgTest, while set, makes testStore open a fresh PostgreSQL database.
var pgTest func(t *testing.T) *store

// TestStoreOnPostgreSQL runs the store tests on the fleet's database: the
// same queries, rebound, on a real PostgreSQL server.
func TestStoreOnPostgreSQL(t *testing.T) {
	srv := pgserver.Start(t)
	var n atomic.Int64
	pgTest = func(t *testing.T) *store {
		t.Helper()
		ctx := context.Background()
		db := fmt.Sprintf("store%d", n.Add(1))
		c, err := pgx.Connect(ctx, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Exec(ctx, "CREATE DATABASE "+db)
		c.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.DatabaseURL = strings.Replace(srv.URL, "/upscaled?", "/"+db+"?", 1)
		pool, s, err := openPG(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.close(); pool.Close() })
		return s
	}
	defer func() { pgTest = nil }()
	for name, test := range map[string]func(*testing.T){
		"Lifecycle": TestStoreLifecycle, "IdempotencyKey": TestStoreIdempotencyKey,
		"CancelAndRequeue": TestStoreCancelAndRequeue, "ListPages": TestStoreListPages,
		"AbandonOnce": TestStoreAbandonOnce,
	} {
		t.Run(name, test)
	}
}
