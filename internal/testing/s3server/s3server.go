package s3server

import (
	"context"
	"fmt"
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
	// Endpoint is http://127.0.0.1:PORT.
	Endpoint string
	// Bucket exists and is empty.
	Bucket string
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
// is skipped, saying how to install it, unless UPSCALED_TEST_REQUIRE_S3=1
// (make test) makes that a failure.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "SeaweedFS (weed) is not installed: scripts/seaweedfs.sh (run by scripts/deps.sh --test) builds it"
		if os.Getenv("UPSCALED_TEST_REQUIRE_S3") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
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
	args := []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + p[0], "-master.port.grpc=" + p[1], "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
		"-volume.port=" + p[2], "-volume.port.grpc=" + p[3], "-volume.max=16",
		"-filer", "-filer.port=" + p[4], "-filer.port.grpc=" + p[5],
		"-s3", "-s3.port=" + p[6], "-s3.port.grpc=" + p[7], "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=" + cfg}
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr, cmd.Dir = logf, logf, dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		logf.Close()
	})
	s := &Server{Endpoint: "http://127.0.0.1:" + p[6], Bucket: "upscaled-test"}
	c, err := minio.New("127.0.0.1:"+p[6], &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = c.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{})
		cancel()
		if err == nil {
			return s
		}
		select {
		case werr := <-exited:
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
