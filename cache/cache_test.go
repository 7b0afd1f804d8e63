package cache_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/cache"
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/s3server"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

const fastModel = "realesrgan-animevideov3-x2"

// counting counts the engine's passes: a hit must start none.
type counting struct {
	engines.Engine
	passes atomic.Int64
}

func (c *counting) Load(ctx context.Context, m engines.Model) (engines.Program, error) {
	p, err := c.Engine.Load(ctx, m)
	if err != nil {
		return nil, err
	}
	return countingProgram{Program: p, n: &c.passes}, nil
}

type countingProgram struct {
	engines.Program
	n *atomic.Int64
}

func (p countingProgram) Start(ctx context.Context, in engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	p.n.Add(1)
	return p.Program.Start(ctx, in, opt)
}

type fixture struct {
	eng   *counting
	cache *cache.Cache
	pipe  cache.Pipeline
	reg   *prometheus.Registry
	dir   *blob.Dir
	m     *cache.Metrics
}

func newFixture(t *testing.T, maxBytes int64) *fixture {
	t.Helper()
	eng := &counting{Engine: cpu.New()}
	p := upscale.New(upscale.Config{MaxInputPixels: 50_000_000}, eng, testenv.ModelsDir(t))
	t.Cleanup(func() { p.Close() })
	d, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{eng: eng, dir: d, reg: prometheus.NewRegistry()}
	f.m, err = cache.NewMetrics(f.reg)
	if err != nil {
		t.Fatal(err)
	}
	f.cache = f.open(t, maxBytes)
	f.pipe = f.cache.Wrap(p)
	return f
}

func (f *fixture) open(t *testing.T, maxBytes int64) *cache.Cache {
	t.Helper()
	cfg := cache.DefaultConfig()
	cfg.MaxBytes, cfg.Engine, cfg.SpoolDir = maxBytes, "cpu", t.TempDir()
	c, err := cache.New(context.Background(), cfg, f.dir, f.m, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run processes input from a seekable source as the server does.
func (f *fixture) run(t *testing.T, input []byte, o upscale.Options) ([]byte, upscale.Result) {
	t.Helper()
	src := bytes.NewReader(input)
	plan, err := f.pipe.Plan(src, o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := f.pipe.Run(context.Background(), plan, src, &out, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.cache.Flush() // the entry of a miss is stored in the background
	return out.Bytes(), res
}

func (f *fixture) lookups(result string) float64 {
	return metricValue(f.reg, "upscaled_cache_lookups_total", result)
}

func page(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.TestImage(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSecondRequestIsAHitWithTheSameBytesAndNoEngineWork(t *testing.T) {
	f := newFixture(t, cache.DefaultMaxBytes)
	in := page(t, "small-color-48x48.png")
	o := upscale.Options{Model: fastModel, Format: "png"}
	first, res1 := f.run(t, in, o)
	passes := f.eng.passes.Load()
	if res1.Cache != "miss" || passes == 0 {
		t.Fatalf("first run: cache %q, %d passes", res1.Cache, passes)
	}
	second, res2 := f.run(t, in, o)
	if res2.Cache != "hit" {
		t.Fatalf("second run: cache %q", res2.Cache)
	}
	if f.eng.passes.Load() != passes {
		t.Fatalf("a hit ran %d engine passes", f.eng.passes.Load()-passes)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("hit: %d bytes differ from the computed %d", len(second), len(first))
	}
	if res2.ContentType != res1.ContentType || res2.OutWidth != 96 || res2.OutHeight != 96 || res2.Tiles != 0 || res1.Tiles == 0 || res2.Model != fastModel {
		t.Fatalf("hit result %+v, computed %+v", res2, res1)
	}
	if f.lookups("hit") != 1 || f.lookups("miss") != 1 {
		t.Fatalf("lookups: hit %v miss %v", f.lookups("hit"), f.lookups("miss"))
	}
}

func TestAnyOutputChangingOptionIsAMiss(t *testing.T) {
	f := newFixture(t, cache.DefaultMaxBytes)
	in := page(t, "small-color-48x48.png")
	base := upscale.Options{Model: fastModel, Format: "webp"}
	f.run(t, in, base)
	effort := 4
	for name, o := range map[string]upscale.Options{
		"format":   {Model: fastModel, Format: "png"},
		"quality":  {Model: fastModel, Format: "webp", Quality: 50},
		"lossless": {Model: fastModel, Format: "webp", Lossless: true},
		"effort":   {Model: fastModel, Format: "webp", Effort: &effort},
		"model":    {Model: "realcugan-up2x-conservative", Format: "webp"},
		"tile":     {Model: fastModel, Format: "webp", Tile: 32},
	} {
		if _, res := f.run(t, in, o); res.Cache != "miss" {
			t.Errorf("%s changed: cache %q, want miss", name, res.Cache)
		}
	}
	other := bytes.Clone(in)
	other = append(other, 0) // trailing byte after IEND: same pixels, other bytes
	if _, res := f.run(t, other, base); res.Cache != "miss" {
		t.Errorf("other input bytes: cache %q, want miss", res.Cache)
	}
	// spelled differently, the same output
	for name, o := range map[string]upscale.Options{
		"default quality": {Model: fastModel, Format: "webp", Quality: imaging.DefaultQuality},
	} {
		if _, res := f.run(t, in, o); res.Cache != "hit" {
			t.Errorf("%s: cache %q, want hit", name, res.Cache)
		}
	}
}

func TestLeastRecentlyUsedEntriesAreEvictedUnderTheLimit(t *testing.T) {
	f := newFixture(t, cache.DefaultMaxBytes)
	in := page(t, "small-color-48x48.png")
	o := func(q int) upscale.Options { return upscale.Options{Model: fastModel, Format: "jpeg", Quality: q} }
	for _, q := range []int{60, 70, 80} {
		f.run(t, in, o(q))
	}
	// one byte short of the three
	var limit int64 = -1
	f.dir.List(context.Background(), "cache/", func(i blob.Info) error { limit += i.Size; return nil })
	f.cache = f.open(t, limit)
	f.pipe = f.cache.Wrap(upscalePipe(t, f))
	// reopening evicted the least recently used: quality 60
	if got := gauge(f.reg, "upscaled_cache_size_bytes"); got > float64(limit) || gauge(f.reg, "upscaled_cache_entries") != 2 {
		t.Fatalf("after reopening under %d bytes: %v bytes in %v entries", limit, got, gauge(f.reg, "upscaled_cache_entries"))
	}
	if _, res := f.run(t, in, o(70)); res.Cache != "hit" { // 70 is now the most recent
		t.Fatalf("quality 70: %q", res.Cache)
	}
	if _, res := f.run(t, in, o(60)); res.Cache != "miss" { // evicts 80, the least recent
		t.Fatalf("quality 60: %q", res.Cache)
	}
	for _, c := range []struct {
		q    int
		want string
	}{{70, "hit"}, {60, "hit"}, {80, "miss"}} {
		if _, res := f.run(t, in, o(c.q)); res.Cache != c.want {
			t.Errorf("quality %d: %q, want %q", c.q, res.Cache, c.want)
		}
	}
	if n := metricValue(f.reg, "upscaled_cache_evictions_total", ""); n < 3 {
		t.Errorf("evictions %v", n)
	}
	var total int64
	f.dir.List(context.Background(), "cache/", func(i blob.Info) error { total += i.Size; return nil })
	if total > limit {
		t.Errorf("%d bytes on disk over the %d limit", total, limit)
	}
}

func TestConcurrentIdenticalRequestsRunOnce(t *testing.T) {
	f := newFixture(t, cache.DefaultMaxBytes)
	in := page(t, "small-color-61x37.png")
	o := upscale.Options{Model: fastModel, Format: "png"}
	ref, _ := newFixture(t, cache.DefaultMaxBytes).run(t, in, o)
	one := f.eng.passes.Load()
	const n = 4
	var wg sync.WaitGroup
	outs := make([][]byte, n)
	caches := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res upscale.Result
			outs[i], res = f.run(t, in, o)
			caches[i] = res.Cache
		}()
	}
	wg.Wait()
	misses := 0
	for i := range n {
		if !bytes.Equal(outs[i], ref) {
			t.Errorf("request %d: %d bytes differ from a direct run's %d", i, len(outs[i]), len(ref))
		}
		if caches[i] == "miss" {
			misses++
		}
	}
	if misses != 1 {
		t.Errorf("%d misses among %v, want 1", misses, caches)
	}
	if one != 0 {
		t.Fatal("fixture shared its engine")
	}
	runs := f.eng.passes.Load()
	f2 := newFixture(t, cache.DefaultMaxBytes)
	f2.run(t, in, o)
	if runs != f2.eng.passes.Load() {
		t.Errorf("%d concurrent requests ran %d passes, one run takes %d", n, runs, f2.eng.passes.Load())
	}
}

func TestCorruptOrPartialEntriesAreNeverServed(t *testing.T) {
	f := newFixture(t, cache.DefaultMaxBytes)
	in := page(t, "small-color-48x48.png")
	o := upscale.Options{Model: fastModel, Format: "png"}
	want, _ := f.run(t, in, o)
	entry := onlyEntry(t, f.dir)
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func([]byte) []byte{
		"payload bit flipped":   func(b []byte) []byte { b[len(b)/3] ^= 1; return b },
		"description changed":   func(b []byte) []byte { i := bytes.Index(b, []byte(`"Tiles":`)); b[i+8] = '7'; return b },
		"truncated":             func(b []byte) []byte { return b[:len(b)/2] },
		"footer cut":            func(b []byte) []byte { return b[:len(b)-1] },
		"empty":                 func(b []byte) []byte { return nil },
		"payload only":          func(b []byte) []byte { return b[:len(want)] },
		"extra byte before end": func(b []byte) []byte { return append(b[:10:10], append([]byte{0}, b[10:]...)...) },
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(entry, damage(bytes.Clone(good)), 0o640); err != nil {
				t.Fatal(err)
			}
			corrupt, passes := f.lookups("corrupt"), f.eng.passes.Load()
			got, res := f.run(t, in, o)
			if res.Cache != "miss" || !bytes.Equal(got, want) {
				t.Fatalf("served %q, %d bytes (want %d computed)", res.Cache, len(got), len(want))
			}
			if f.lookups("corrupt") != corrupt+1 || f.eng.passes.Load() == passes {
				t.Fatalf("not counted as corrupt and recomputed")
			}
			// rewritten whole
			if b, _ := os.ReadFile(entry); !bytes.Equal(b, good) {
				t.Fatalf("entry not rewritten")
			}
		})
	}
	// a half-written entry a crash left is removed at start, never read
	tmp := filepath.Join(filepath.Dir(entry), "."+filepath.Base(entry)+".tmp123")
	os.WriteFile(tmp, good[:100], 0o640)
	f.open(t, cache.DefaultMaxBytes)
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temp entry kept: %v", err)
	}
}

func onlyEntry(t *testing.T, d *blob.Dir) string {
	t.Helper()
	var keys []string
	d.List(context.Background(), "cache/", func(i blob.Info) error { keys = append(keys, i.Key); return nil })
	if len(keys) != 1 {
		t.Fatalf("entries %v", keys)
	}
	p, _ := d.Path(keys[0])
	return p
}

// TestRemoteEntriesAreCheckedBeforeServing: on S3 an entry is downloaded,
// checked, then served; a damaged object is recomputed, never sent.
func TestRemoteEntriesAreCheckedBeforeServing(t *testing.T) {
	srv := s3server.Start(t)
	store, err := blob.NewS3(context.Background(), srv.Config("c"))
	if err != nil {
		t.Fatal(err)
	}
	eng := &counting{Engine: cpu.New()}
	p := upscale.New(upscale.Config{MaxInputPixels: 50_000_000}, eng, testenv.ModelsDir(t))
	t.Cleanup(func() { p.Close() })
	f := &fixture{eng: eng, reg: prometheus.NewRegistry()}
	f.m, _ = cache.NewMetrics(f.reg)
	cfg := cache.DefaultConfig()
	cfg.Engine, cfg.SpoolDir = "cpu", t.TempDir()
	c, err := cache.New(context.Background(), cfg, store, f.m, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.cache, f.pipe = c, c.Wrap(p)
	in := page(t, "small-color-48x48.png")
	o := upscale.Options{Model: fastModel, Format: "png"}
	want, _ := f.run(t, in, o)
	if got, res := f.run(t, in, o); res.Cache != "hit" || !bytes.Equal(got, want) {
		t.Fatalf("second run: %q, identical %v", res.Cache, bytes.Equal(got, want))
	}
	var key string
	store.List(context.Background(), "cache/", func(i blob.Info) error { key = i.Key; return nil })
	obj, err := store.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := io.ReadAll(obj)
	obj.Close()
	bad := bytes.Clone(good)
	bad[len(want)/2] ^= 0x40
	blob.Put(context.Background(), store, key, bytes.NewReader(bad))
	if got, res := f.run(t, in, o); res.Cache != "miss" || !bytes.Equal(got, want) || f.lookups("corrupt") != 1 {
		t.Fatalf("damaged entry: %q, identical %v, corrupt lookups %v", res.Cache, bytes.Equal(got, want), f.lookups("corrupt"))
	}
	if got, res := f.run(t, in, o); res.Cache != "hit" || !bytes.Equal(got, want) {
		t.Fatalf("after recomputing: %q", res.Cache)
	}
	if ents, _ := os.ReadDir(cfg.SpoolDir); len(ents) != 0 {
		t.Fatalf("%d spool files left", len(ents))
	}
}
