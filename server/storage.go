package server

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/cache"
)

// openBlobs opens the object store BlobURL names (the data directory when
// empty).
func openBlobs(ctx context.Context, cfg Config) (blob.Store, error) {
	if cfg.BlobURL == "" {
		return blob.NewDir(cfg.DataDir)
	}
	dir, s3, isS3, err := blob.ParseURL(cfg.BlobURL)
	if err != nil {
		return nil, err
	}
	if !isS3 {
		return blob.NewDir(dir)
	}
	c := cfg.S3
	c.Bucket, c.Prefix = s3.Bucket, s3.Prefix
	return blob.NewS3(ctx, c)
}

// openCache opens the result cache on store, or returns nil when it is off.
func openCache(ctx context.Context, cfg Config, store blob.Store, engine, spool string, reg prometheus.Registerer, log *slog.Logger) (*cache.Cache, error) {
	if !cfg.Cache {
		return nil, nil
	}
	m, err := cache.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	c, err := cache.New(ctx, cache.Config{MaxBytes: cfg.CacheMaxBytes, Engine: engineKind(engine), SpoolDir: spool}, store, m, log)
	if err != nil {
		return nil, fmt.Errorf("UPSCALED_CACHE: %w", err)
	}
	return c, nil
}

// engineKind is the engine's family without its devices ("cpu",
// "vulkan"): results are shared by every device of a kind.
func engineKind(name string) string {
	kind, _, _ := strings.Cut(name, ":")
	kind, _, _ = strings.Cut(kind, " ")
	return kind
}
