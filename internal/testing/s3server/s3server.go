package s3server

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/upscaled/upscaled/blob"
)

// Credentials of the server's one identity.
const (
	AccessKey = "upscaled-test"
	SecretKey = "upscaled-test-secret"
)

// Server is a running SeaweedFS S3 gateway.
type Server struct {
	// Endpoint is http://127.0.0.1:PORT, through a proxy that Cut and
	// Heal control.
	Endpoint string
	// Bucket exists (empty at first).
	Bucket string

	t        testing.TB
	bin, dir string
	port     string // S3 port
	args     []string
	cmd      *exec.Cmd
	log      *os.File
	exited   chan error
	proxy    *proxy
}

// Config is a blob.S3Config for prefix in the server's bucket.
func (s *Server) Config(prefix string) blob.S3Config {
	return blob.S3Config{Bucket: s.Bucket, Prefix: prefix, Endpoint: s.Endpoint, Region: "us-east-1",
		AccessKey: AccessKey, SecretKey: SecretKey, PartSize: blob.MinPartSize}
}

// Binary is the weed executable: $UPSCALED_TEST_WEED, else weed on PATH,
// else $GOPATH/bin/weed; "" when none.
func Binary() string {
	if p := os.Getenv("UPSCALED_TEST_WEED"); p != "" {
		return p
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", "weed")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// Start runs a server until the test ends. Without weed installed the test
// fails, saying how to install it (as the Vulkan tests do without lavapipe):
// the S3 backend is never left untested.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Fatal("SeaweedFS (weed) is not installed: scripts/seaweedfs.sh (run by scripts/deps.sh --test) builds it")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "s3.json")
	ident := fmt.Sprintf(`{"identities":[{"name":"test","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","Write","List","Tagging"]}]}`, AccessKey, SecretKey)
	if err := os.WriteFile(cfg, []byte(ident), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	os.Mkdir(data, 0o700)
	p := freePorts(t, 8)
	s := &Server{Bucket: "upscaled-test", t: t, bin: bin, dir: dir, port: p[6],
		args: []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
			"-master.port=" + p[0], "-master.port.grpc=" + p[1], "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
			"-volume.port=" + p[2], "-volume.port.grpc=" + p[3], "-volume.max=16",
			"-filer", "-filer.port=" + p[4], "-filer.port.grpc=" + p[5],
			"-s3", "-s3.port=" + p[6], "-s3.port.grpc=" + p[7], "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=" + cfg}}
	t.Cleanup(s.Stop)
	s.Restart()
	s.proxy = startProxy(t, "127.0.0.1:"+p[6])
	s.Endpoint = "http://" + s.proxy.addr()
	return s
}

// Cut makes the server unreachable through Endpoint: connections are
// closed and refused, as when the network to the store goes down.
func (s *Server) Cut() { s.proxy.setCut(true) }

// Heal makes the server reachable again after Cut.
func (s *Server) Heal() { s.proxy.setCut(false) }

// Stop kills the server, as a crash or a network cut would (its data
// stays for Restart).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
	s.log.Close()
}

// Restart starts the server again on its ports and data, after Stop (or
// the first time), and waits until its bucket answers.
func (s *Server) Restart() {
	t := s.t
	t.Helper()
	cmd := exec.Command(s.bin, s.args...)
	logf, err := os.OpenFile(filepath.Join(s.dir, "weed.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr, cmd.Dir = logf, logf, s.dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", s.bin, err)
	}
	s.cmd, s.log, s.exited = cmd, logf, make(chan error, 1)
	go func() { s.exited <- cmd.Wait() }()
	c, err := minio.New("127.0.0.1:"+s.port, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ok, err := c.BucketExists(ctx, s.Bucket)
		if err == nil && !ok {
			err = c.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{})
		}
		if err == nil {
			err = probe(ctx, c, s.Bucket)
		}
		cancel()
		if err == nil {
			return
		}
		select {
		case werr := <-s.exited:
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("weed exited (%v):\n%s", werr, tail(log))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("S3 gateway not up after 90 s (%v):\n%s", err, tail(log))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// probe writes, reads and deletes an object: the gateway answers before
// its volume server has registered, and reads fail until it has.
func probe(ctx context.Context, c *minio.Client, bucket string) error {
	if _, err := c.PutObject(ctx, bucket, "probe", strings.NewReader("probe"), 5, minio.PutObjectOptions{}); err != nil {
		return err
	}
	o, err := c.GetObject(ctx, bucket, "probe", minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	b, err := io.ReadAll(o)
	o.Close()
	if err == nil && string(b) != "probe" {
		err = fmt.Errorf("probe read %q", b)
	}
	if err != nil {
		return err
	}
	return c.RemoveObject(ctx, bucket, "probe", minio.RemoveObjectOptions{})
}

// freePorts returns n loopback ports free at the time of asking.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return strings.TrimSpace(s)
}
