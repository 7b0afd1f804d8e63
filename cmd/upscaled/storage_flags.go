package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/server"
)

// storageOptions are the object store and result cache settings of
// `upscaled serve`.
func storageOptions() []serveOption {
	return []serveOption{
		{"blob-url", "UPSCALED_BLOB_URL", "URL", "object store of cached results: a directory, file:///DIR or s3://BUCKET/PREFIX (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, else the instance's IAM role)",
			func(c *server.Config, v string) error {
				if _, _, _, err := blob.ParseURL(v); err != nil {
					return err
				}
				c.BlobURL = v
				return nil
			},
			func(c server.Config) string { return "the data directory" }},
		{"s3-endpoint", "UPSCALED_S3_ENDPOINT", "URL", "S3-compatible server for an s3:// store, http(s)://HOST[:PORT] (path-style addressing); empty: AWS S3",
			func(c *server.Config, v string) error { c.S3.Endpoint = v; return nil },
			func(c server.Config) string { return "AWS S3" }},
		{"s3-part-size", "UPSCALED_S3_PART_SIZE", "SIZE", "part of a multipart upload to S3; each upload in progress holds one in memory (at least 5 MiB)",
			func(c *server.Config, v string) error { return setSize(&c.S3.PartSize, v) },
			func(c server.Config) string { return humanize.IBytes(uint64(c.S3.PartSize)) }},
		{"s3-retries", "UPSCALED_S3_RETRIES", "N", "tries of a failed S3 request (waits from 200ms doubling to 1s): bounds how long a request waits for a store that is down",
			func(c *server.Config, v string) error { return setInt(&c.S3.Retries, v, 1) },
			func(c server.Config) string { return strconv.Itoa(c.S3.Retries) }},
		{"presign-ttl", "UPSCALED_PRESIGN_TTL", "DURATION", "with an s3:// store, job result downloads answer 307 to a presigned S3 URL valid this long; 0: sent through the server",
			func(c *server.Config, v string) error { return setDuration(&c.PresignTTL, v) },
			func(c server.Config) string { return showOff(c.PresignTTL) }},
		{"cache", "UPSCALED_CACHE", "0|1", "result cache: a request whose input bytes, model and options were seen before is answered from the store without engine work",
			func(c *server.Config, v string) error { return setSwitch(&c.Cache, v) },
			func(c server.Config) string { return showSwitch(c.Cache) }},
		{"cache-max-bytes", "UPSCALED_CACHE_MAX_BYTES", "SIZE", "most bytes the result cache keeps in a local store, least recently used evicted first (on S3: the bucket's lifecycle rules)",
			func(c *server.Config, v string) error { return setSize(&c.CacheMaxBytes, v) },
			func(c server.Config) string { return humanize.IBytes(uint64(c.CacheMaxBytes)) }},
	}
}

// s3FromEnv reads the AWS SDK's usual variables into cfg.
func s3FromEnv(cfg *blob.S3Config, getenv func(string) string) {
	cfg.AccessKey = getenv("AWS_ACCESS_KEY_ID")
	cfg.SecretKey = getenv("AWS_SECRET_ACCESS_KEY")
	cfg.SessionToken = getenv("AWS_SESSION_TOKEN")
	cfg.Region = getenv("AWS_REGION")
	if cfg.Region == "" {
		cfg.Region = getenv("AWS_DEFAULT_REGION")
	}
}

func setSwitch(dst *bool, v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "true":
		*dst = true
	case "0", "off", "false":
		*dst = false
	default:
		return fmt.Errorf("%q: want 1 (on) or 0 (off)", v)
	}
	return nil
}

func showSwitch(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func showOff(d time.Duration) string {
	if d == 0 {
		return "0 (off)"
	}
	return d.String()
}
