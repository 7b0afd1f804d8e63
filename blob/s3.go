package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says how to reach an S3-compatible bucket. cmd fills it from
// UPSCALED_BLOB_URL, UPSCALED_S3_ENDPOINT and the AWS_* variables.
type S3Config struct {
	// Bucket and Prefix come from s3://bucket/prefix; every key is stored
	// under Prefix + "/".
	Bucket, Prefix string
	// Endpoint is host[:port] or an http(s):// URL; empty: AWS S3 of Region.
	Endpoint string
	// Region is the bucket's region (AWS_REGION); empty: us-east-1.
	Region string
	// AccessKey, SecretKey and SessionToken are static credentials
	// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); when
	// AccessKey is empty the instance's IAM role is used.
	AccessKey, SecretKey, SessionToken string
	// PathStyle addresses the bucket as endpoint/bucket (S3-compatible
	// servers) instead of bucket.endpoint; automatic when Endpoint is set.
	PathStyle bool
	// PartSize is the multipart upload part in bytes (≥ 5 MiB); each
	// upload in progress holds one part in memory.
	PartSize int64
	// Retries is how often a failed request is tried again (waits from
	// 200 ms, doubling, at most 1 s apart); 0: DefaultRetries.
	Retries int
}

// Limits of S3Config.PartSize (S3's own).
const (
	MinPartSize     = 5 << 20
	DefaultPartSize = 16 << 20
)

// DefaultRetries is S3Config.Retries' default: a store that is down costs
// a request about 1.5 s, not minio-go's 10 tries.
const DefaultRetries = 3

// ParseURL reads a store URL: s3://bucket[/prefix] fills S3Config's Bucket
// and Prefix (ok true); a path or file:///path gives the directory.
func ParseURL(raw string) (dir string, s3 S3Config, isS3 bool, err error) {
	switch {
	case strings.HasPrefix(raw, "s3://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return "", S3Config{}, false, fmt.Errorf("blob: %q: want s3://bucket/prefix", raw)
		}
		return "", S3Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}, true, nil
	case strings.HasPrefix(raw, "file://"):
		u, err := url.Parse(raw)
		if err != nil || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
			return "", S3Config{}, false, fmt.Errorf("blob: %q: want file:///absolute/path", raw)
		}
		return u.Path, S3Config{}, false, nil
	case strings.Contains(raw, "://"):
		return "", S3Config{}, false, fmt.Errorf("blob: %q: only s3:// URLs, file:// URLs and paths are supported", raw)
	case raw == "":
		return "", S3Config{}, false, errors.New("blob: empty store URL")
	}
	return raw, S3Config{}, false, nil
}

// S3 stores objects in a bucket of an S3-compatible server.
type S3 struct {
	c        *minio.Client
	cfg      S3Config
	endpoint string
}

// NewS3 connects to the bucket and checks that it exists.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("blob: S3 bucket must be set")
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.PartSize < MinPartSize {
		return nil, fmt.Errorf("blob: S3 part size %d bytes: must be at least 5 MiB", cfg.PartSize)
	}
	endpoint, secure := "s3.amazonaws.com", true
	if cfg.Region != "" && cfg.Endpoint == "" {
		endpoint = "s3." + cfg.Region + ".amazonaws.com"
	}
	if cfg.Endpoint != "" {
		endpoint = cfg.Endpoint
		if u, err := url.Parse(cfg.Endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			if u.Path != "" && u.Path != "/" {
				return nil, fmt.Errorf("blob: S3 endpoint %q: must not have a path", cfg.Endpoint)
			}
			endpoint, secure = u.Host, u.Scheme == "https"
		}
		cfg.PathStyle = true
	}
	var creds *credentials.Credentials
	if cfg.AccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	} else {
		creds = credentials.NewIAM("")
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	if cfg.Retries <= 0 {
		cfg.Retries = DefaultRetries
	}
	c, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: secure, Region: cfg.Region, BucketLookup: lookup, MaxRetries: cfg.Retries})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %q: %w", endpoint, err)
	}
	s := &S3{c: c, cfg: cfg, endpoint: endpoint}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", s, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: %s: bucket %q does not exist", s, cfg.Bucket)
	}
	return s, nil
}

func (s *S3) String() string {
	return "s3://" + s.cfg.Bucket + "/" + s.cfg.Prefix + " at " + s.endpoint
}

// Local is false: every read is a transfer.
func (s *S3) Local() bool { return false }

func (s *S3) name(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if s.cfg.Prefix == "" {
		return key, nil
	}
	return s.cfg.Prefix + "/" + key, nil
}

// Create streams the object as a multipart upload (one part in memory at a
// time); it is visible only once Commit completes the upload.
func (s *S3) Create(ctx context.Context, key string) (Writer, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	w := &s3Writer{pw: pw, key: key, done: make(chan error, 1)}
	// The upload outlives a canceled caller only until Abort closes the
	// pipe, so that the failed upload can still be aborted on the server.
	upCtx := context.WithoutCancel(ctx)
	go func() {
		_, err := s.c.PutObject(upCtx, s.cfg.Bucket, name, pr, -1, minio.PutObjectOptions{PartSize: uint64(s.cfg.PartSize)})
		pr.CloseWithError(err)
		w.done <- err
	}()
	return w, nil
}

type s3Writer struct {
	pw       *io.PipeWriter
	key      string
	done     chan error
	finished bool
}

// errAborted ends an upload that Abort discarded.
var errAborted = errors.New("blob: upload aborted")

func (w *s3Writer) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if err != nil {
		err = fmt.Errorf("blob: write %s: %w", w.key, err)
	}
	return n, err
}

func (w *s3Writer) Commit() error {
	if w.finished {
		return errors.New("blob: commit after commit or abort")
	}
	w.finished = true
	w.pw.Close()
	if err := <-w.done; err != nil {
		return fmt.Errorf("blob: commit %s: %w", w.key, err)
	}
	return nil
}

func (w *s3Writer) Abort() {
	if w.finished {
		return
	}
	w.finished = true
	w.pw.CloseWithError(errAborted)
	<-w.done
}

type s3Object struct {
	*minio.Object
	size int64
}

func (o s3Object) Size() int64 { return o.size }

func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.cfg.Bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.err(key, err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, s.err(key, err)
	}
	return s3Object{Object: o, size: st.Size}, nil
}

func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	name, err := s.name(key)
	if err != nil {
		return Info{}, err
	}
	st, err := s.c.StatObject(ctx, s.cfg.Bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.err(key, err)
	}
	return Info{Key: key, Size: st.Size, ModTime: st.LastModified}, nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.name(key)
	if err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.cfg.Bucket, name, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s.err(key, err), ErrNotFound) {
			return nil
		}
		return s.err(key, err)
	}
	return nil
}

func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	full := prefix
	if s.cfg.Prefix != "" {
		full = s.cfg.Prefix + "/" + prefix
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for o := range s.c.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: full, Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("blob: list %s: %w", prefix, o.Err)
		}
		key := o.Key
		if s.cfg.Prefix != "" {
			key = strings.TrimPrefix(key, s.cfg.Prefix+"/")
		}
		if err := fn(Info{Key: key, Size: o.Size, ModTime: o.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

func (s *S3) Presign(ctx context.Context, key string, ttl time.Duration, disposition, contentType string) (string, error) {
	name, err := s.name(key)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	if disposition != "" {
		q.Set("response-content-disposition", disposition)
	}
	if contentType != "" {
		q.Set("response-content-type", contentType)
	}
	u, err := s.c.PresignedGetObject(ctx, s.cfg.Bucket, name, ttl, q)
	if err != nil {
		return "", s.err(key, err)
	}
	return u.String(), nil
}

// err maps a missing object to ErrNotFound.
func (s *S3) err(key string, err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey, "NotFound":
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: %s %s: %w", s, key, err)
}
