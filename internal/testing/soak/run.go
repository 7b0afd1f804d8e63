package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/upscaled/upscaled/internal/testing/liveserver"
)

// Config sets up a soak run.
type Config struct {
	Binary   string        // the upscaled binary
	Page     string        // image the inputs are cropped from
	Duration time.Duration // client phase (default 10 minutes)
	Clients  int           // concurrent clients (default 32)
	Model    string
	Engine   string
	// ModelsDir is UPSCALED_MODELS_DIR ("" keeps the environment's).
	ModelsDir string
	Budget    int64 // UPSCALED_MEMORY_BUDGET, bytes
	Overhead  int64 // allowed RSS above the budget, bytes
	Sizes     [][2]int
	WorkDir   string
	Log       *os.File
}

// Run starts the server, drives it and returns the report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Duration == 0 {
		cfg.Duration = 10 * time.Minute
	}
	if cfg.Clients == 0 {
		cfg.Clients = 32
	}
	env := []string{
		"UPSCALED_ENGINE=" + cfg.Engine,
		fmt.Sprintf("UPSCALED_MEMORY_BUDGET=%d", cfg.Budget),
		"UPSCALED_DATA_DIR=" + filepath.Join(cfg.WorkDir, "data"),
		"UPSCALED_QUEUE_TIMEOUT=30s",
		fmt.Sprintf("UPSCALED_JOB_UPLOAD_TIMEOUT=%s", soakJobUploadTimeout),
		fmt.Sprintf("UPSCALED_JOB_MAX_UPLOADS=%d", soakJobMaxUploads),
	}
	if cfg.ModelsDir != "" {
		env = append(env, "UPSCALED_MODELS_DIR="+cfg.ModelsDir)
	}
	inputs, err := MakeInputs(ctx, cfg.Binary, cfg.Page, cfg.WorkDir, cfg.Sizes, env, cfg.Engine, cfg.Model)
	if err != nil {
		return Report{}, err
	}
	srv, err := liveserver.Launch(ctx, liveserver.Options{Bin: cfg.Binary, Env: env, Log: cfg.Log})
	if err != nil {
		return Report{}, err
	}
	defer srv.Stop()
	stats := newStats()
	rep := Report{Budget: cfg.Budget, Overhead: cfg.Overhead}
	if rep.Goroutines0, err = Goroutines(srv.URL); err != nil {
		return rep, err
	}
	if rep.OpenFiles0, err = OpenFiles(srv.PID()); err != nil {
		return rep, err
	}
	if rep.MetricsBytes0, err = metricsSize(srv.URL); err != nil {
		return rep, err
	}

	var peak int64
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if rss, err := liveserver.RSS(srv.PID()); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()

	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	clients := make([]*client, cfg.Clients)
	for i := range clients {
		c := &client{url: srv.URL, model: cfg.Model, inputs: inputs, bad: inputs[0].PNG[:len(inputs[0].PNG)/2],
			stats: stats, rng: rand.New(rand.NewPCG(uint64(i), 42)), http: &http.Client{Timeout: 5 * time.Minute}}
		clients[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cctx.Err() == nil {
				a := c.pick()
				if err := a.run(c, cctx); err != nil && cctx.Err() == nil && !errors.Is(err, context.Canceled) {
					stats.fail(a.name, err)
				}
			}
		}()
	}
	wg.Wait()
	rep.Duration = time.Since(start)
	for _, c := range clients { // their keep-alive connections are not the server's leaks
		c.http.CloseIdleConnections()
	}

	// Let the server finish what the clients left (canceled work, jobs) and
	// return to idle, then compare with the baseline.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		g, err1 := Goroutines(srv.URL)
		f, err2 := OpenFiles(srv.PID())
		if err1 == nil && err2 == nil {
			rep.Goroutines1, rep.OpenFiles1 = g, f
			if g <= rep.Goroutines0+5 && len(f.leaks(rep.OpenFiles0)) == 0 {
				break
			}
		}
	}
	if rep.MetricsBytes1, err = metricsSize(srv.URL); err != nil {
		return rep, err
	}
	close(stopSampling)
	sampler.Wait()
	r := stats.report()
	r.MetricsBytes0, r.MetricsBytes1 = rep.MetricsBytes0, rep.MetricsBytes1
	r.Duration, r.Budget, r.Overhead, r.PeakRSS = rep.Duration, rep.Budget, rep.Overhead, peak
	r.Goroutines0, r.Goroutines1, r.OpenFiles0, r.OpenFiles1 = rep.Goroutines0, rep.Goroutines1, rep.OpenFiles0, rep.OpenFiles1
	return r, nil
}
