package server

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSelfTestPasses(t *testing.T) {
	p := upscale.New(upscale.Config{}, cpu.New(), testenv.ModelsDir(t))
	defer p.Close()
	res, err := SelfTest(context.Background(), p, testenv.ModelsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != selfTestModels[0] || res.PSNR < selfTestMinPSNR {
		t.Fatalf("self-test result %+v", res)
	}
}

// TestSelfTestComparison: the comparison refuses what a broken engine gives
// (a black image, the wrong model's output, a wrong size).
func TestSelfTestComparison(t *testing.T) {
	ref, err := readPNG("selftest/small-color-48x48__realcugan-up2x-conservative.png")
	if err != nil {
		t.Fatal(err)
	}
	other, err := readPNG("selftest/small-color-48x48__realesrgan-animevideov3-x2.png")
	if err != nil {
		t.Fatal(err)
	}
	black := image.NewRGBA(ref.Bounds())
	if p, _ := imaging.PSNR(black, ref); p >= selfTestMinPSNR {
		t.Errorf("black image reaches %.1f dB", p)
	}
	if p, _ := imaging.PSNR(other, ref); p >= selfTestMinPSNR {
		t.Errorf("another model's output reaches %.1f dB", p)
	}
	if _, err := imaging.PSNR(image.NewRGBA(image.Rect(0, 0, 48, 48)), ref); err == nil {
		t.Error("a wrong size was accepted")
	}
	if p, _ := imaging.PSNR(ref, ref); p < 100 {
		t.Errorf("identical images give %.1f dB", p)
	}
}

func TestSelfTestNoModel(t *testing.T) {
	p := upscale.New(upscale.Config{}, cpu.New(), t.TempDir())
	defer p.Close()
	if _, err := SelfTest(context.Background(), p, t.TempDir()); err == nil || !strings.Contains(err.Error(), "make models") {
		t.Fatalf("self-test without models: %v", err)
	}
}

func testConfig(t *testing.T) Config {
	c := DefaultConfig()
	c.Engine = "cpu"
	c.DataDir = t.TempDir()
	c.ModelsDir = testenv.ModelsDir(t)
	c.MemoryBudget = 512 << 20
	c.LogLevel = "debug"
	return c
}

// startServer serves cfg on a loopback port until the test ends and waits
// for readiness.
func startServer(t *testing.T, cfg Config) (url string, stop func() error) {
	t.Helper()
	s, err := New(cfg, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(time.Minute):
			t.Fatal("server did not stop")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	url = "http://" + ln.Addr().String()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url, stop
			}
		}
		if time.Now().After(deadline) {
			ready, detail := s.Ready()
			t.Fatalf("not ready: %v %s", ready, detail)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func upload(t *testing.T, url string, img []byte) (*http.Response, error) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("format", "png")
	w, _ := mw.CreateFormFile("image", "page.png")
	w.Write(img)
	mw.Close()
	return http.Post(url+"/v1/upscale", mw.FormDataContentType(), &b)
}

func TestServeUpscale(t *testing.T) {
	url, stop := startServer(t, testConfig(t))
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := upload(t, url, img)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	m, err := png.Decode(bytes.NewReader(body))
	if err != nil || m.Bounds().Dx() != 122 || m.Bounds().Dy() != 74 {
		t.Fatalf("result %v %v", m.Bounds(), err)
	}
	resp, err = http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"upscaled_budget_capacity_bytes 5.36870912e+08", "upscaled_budget_reserved_bytes 0", "process_resident_memory_bytes", `upscaled_device_memory_budget_bytes{engine="cpu"}`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Request headers beyond UPSCALED_MAX_HEADER_BYTES are refused.
	req, _ := http.NewRequest(http.MethodGet, url+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("x", 2*DefaultConfig().MaxHeaderBytes))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("oversized headers: status %d, %q, request id %q; want 431 problem+json with a request id",
			resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Request-Id"))
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestGracefulShutdown: a request in flight when shutdown starts finishes
// within the grace period; meanwhile /readyz answers 503 and new work gets
// 503 shutting-down (the listener stays open for probes); a new connection
// is refused afterwards.
func TestGracefulShutdown(t *testing.T) {
	cfg := testConfig(t)
	cfg.ShutdownGrace = time.Minute
	url, stop := startServer(t, cfg)
	img := gradientPNG(t, 128, 112) // a few seconds of work: in flight while we probe
	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := upload(t, url, img)
		if err != nil {
			res <- result{0, err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		res <- result{resp.StatusCode, nil}
	}()
	waitInFlight(t, url)
	stopErr := make(chan error, 1)
	go func() { stopErr <- stop() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatalf("/readyz while draining: %v, want an answer", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after shutdown began", resp.StatusCode)
		}
	}
	if resp, err := upload(t, url, img); err != nil {
		t.Errorf("new work while draining: %v, want a 503 answer", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("new work while draining: %d, want 503 with Retry-After", resp.StatusCode)
		}
	}
	r := <-res
	if r.err != nil || r.status != 200 {
		t.Fatalf("in-flight request during shutdown: status %d, %v", r.status, r.err)
	}
	if err := <-stopErr; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

// TestShutdownGraceExpires: work still running when the grace period ends
// is canceled and the server stops.
func TestShutdownGraceExpires(t *testing.T) {
	cfg := testConfig(t)
	cfg.ShutdownGrace = 50 * time.Millisecond
	url, stop := startServer(t, cfg)
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		resp, err := upload(t, url, img)
		if err != nil {
			done <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	waitInFlight(t, url)
	start := time.Now()
	if err := stop(); err != nil {
		t.Logf("shutdown returned %v", err)
	}
	status := <-done
	if status == 200 {
		t.Fatalf("request finished normally although the grace period (%v) ended first; stop took %v", cfg.ShutdownGrace, time.Since(start))
	}
}

// waitInFlight waits until the server reports memory reserved by a request.
func waitInFlight(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), "upscaled_budget_reserved_bytes 0\n") && strings.Contains(string(b), "upscaled_budget_reserved_bytes") {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("no request in flight")
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// gradientPNG is a w×h colour gradient.
func gradientPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(x*255/w), uint8(y*255/h), uint8((x+y)%256), 255
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
