package cache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/upscale"
)

// Cache keeps results in a blob store. Open it with New.
type Cache struct {
	cfg     Config
	store   blob.Store
	dir     *blob.Dir // the store when local: entries are counted and evicted
	metrics *Metrics
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	lru     *list.List // of *use, most recent at the front (local store)
	uses    map[string]*list.Element
	bytes   int64 // held by the entries in lru
	flights map[Key]chan struct{}

	pending sync.WaitGroup // entries being committed after their run
}

// use is an entry of a local store.
type use struct {
	object string
	size   int64 // bytes
}

// New opens the cache on store. On a local directory it removes what a
// crash left half-written and reads the entries' sizes and last uses
// (their modification times), evicting down to cfg.MaxBytes. metrics may
// be nil.
func New(ctx context.Context, cfg Config, store blob.Store, metrics *Metrics, log *slog.Logger) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	c := &Cache{cfg: cfg, store: store, metrics: metrics, log: log.With("component", "cache"), now: time.Now,
		lru: list.New(), uses: map[string]*list.Element{}, flights: map[Key]chan struct{}{}}
	if d, ok := store.(*blob.Dir); ok {
		c.dir = d
		if err := c.load(ctx); err != nil {
			return nil, err
		}
	}
	c.metrics.setCapacity(cfg.MaxBytes, c.dir != nil)
	return c, nil
}

// load indexes a local store's entries, oldest use last.
func (c *Cache) load(ctx context.Context) error {
	if err := c.dir.RemoveTemps(ctx, "cache/"); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	var all []blob.Info
	if err := c.dir.List(ctx, "cache/", func(i blob.Info) error { all = append(all, i); return nil }); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	// newest first, so that PushBack leaves the oldest at the back
	sortByTime(all)
	c.mu.Lock()
	for _, i := range all {
		c.uses[i.Key] = c.lru.PushBack(&use{object: i.Key, size: i.Size})
		c.bytes += i.Size
	}
	victims := c.evictLocked()
	c.mu.Unlock()
	c.remove(ctx, victims)
	c.log.Info("result cache", "store", c.store.String(), "entries", len(c.uses), "bytes", c.bytes, "max_bytes", c.cfg.MaxBytes)
	return nil
}

// evictLocked unlinks least recently used entries until the total fits
// MaxBytes, returning their objects for removal.
func (c *Cache) evictLocked() []string {
	var victims []string
	for c.bytes > c.cfg.MaxBytes && c.lru.Len() > 0 {
		e := c.lru.Back()
		u := e.Value.(*use)
		c.lru.Remove(e)
		delete(c.uses, u.object)
		c.bytes -= u.size
		victims = append(victims, u.object)
	}
	c.metrics.setSize(c.bytes, c.lru.Len())
	return victims
}

func (c *Cache) remove(ctx context.Context, objects []string) {
	for _, o := range objects {
		if err := c.store.Delete(context.WithoutCancel(ctx), o); err != nil {
			c.log.Warn("cache: evict", "err", err)
		}
		c.metrics.evicted()
	}
}

// touch marks a local entry as just used.
func (c *Cache) touch(object string) {
	if c.dir == nil {
		return
	}
	c.mu.Lock()
	if e, ok := c.uses[object]; ok {
		c.lru.MoveToFront(e)
	}
	c.mu.Unlock()
	// the modification time carries the order across restarts
	if err := c.dir.Touch(object, c.now()); err != nil && !errors.Is(err, blob.ErrNotFound) {
		c.log.Warn("cache: touch", "err", err)
	}
}

// added records a new local entry and evicts what no longer fits.
func (c *Cache) added(ctx context.Context, object string, size int64) {
	if c.dir == nil {
		return
	}
	c.mu.Lock()
	c.dropLocked(object)
	c.uses[object] = c.lru.PushFront(&use{object: object, size: size})
	c.bytes += size
	victims := c.evictLocked()
	c.mu.Unlock()
	c.remove(ctx, victims)
}

// dropLocked removes object from the index, if there (c.mu held).
func (c *Cache) dropLocked(object string) {
	if e, ok := c.uses[object]; ok {
		c.bytes -= e.Value.(*use).size
		c.lru.Remove(e)
		delete(c.uses, object)
	}
}

// forget drops a local entry from the index (deleted as corrupt).
func (c *Cache) forget(object string) {
	if c.dir == nil {
		return
	}
	c.mu.Lock()
	c.dropLocked(object)
	c.metrics.setSize(c.bytes, c.lru.Len())
	c.mu.Unlock()
}

// Entry is a checked cache entry, ready to be sent. Close it.
type Entry struct {
	// Result describes the output as the run that made it reported it,
	// but for Cache ("hit") and Tiles (0: no engine work).
	Result upscale.Result
	// Size is the output's length in bytes.
	Size int64
	r    io.Reader
	done func()
}

// WriteTo copies the output to w.
func (e *Entry) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, e.r) }

// Close releases the entry's files.
func (e *Entry) Close() error { e.done(); return nil }

// ErrMiss: no usable entry for the key.
var ErrMiss = errors.New("cache: miss")

// Lookup returns the checked entry of key, or ErrMiss. A corrupt entry is
// deleted and is a miss. Every byte is checked before Lookup returns, so
// what the Entry gives is exactly what was stored.
func (c *Cache) Lookup(ctx context.Context, key Key) (*Entry, error) {
	return c.find(ctx, key, true)
}

// find is Lookup; a miss is counted only when countMiss (a request
// looked up twice, before and inside the pipeline, is one miss).
func (c *Cache) find(ctx context.Context, key Key, countMiss bool) (*Entry, error) {
	e, err := c.lookup(ctx, key)
	switch {
	case err == nil:
		c.metrics.lookup("hit")
		return e, nil
	case errors.Is(err, blob.ErrNotFound):
		if countMiss {
			c.metrics.lookup("miss")
		}
	case errors.Is(err, errCorrupt):
		c.metrics.lookup("corrupt")
		c.log.Warn("cache: corrupt entry deleted", "key", key.String(), "err", err)
		c.forget(key.object())
		if derr := c.store.Delete(context.WithoutCancel(ctx), key.object()); derr != nil {
			c.log.Warn("cache: delete corrupt entry", "err", derr)
		}
	default:
		c.metrics.lookup("error")
		c.log.Warn("cache: lookup failed", "key", key.String(), "err", err)
	}
	return nil, fmt.Errorf("%w: %w", ErrMiss, err)
}

func (c *Cache) lookup(ctx context.Context, key Key) (*Entry, error) {
	obj, err := c.store.Open(ctx, key.object())
	if err != nil {
		return nil, err
	}
	l, err := readLayout(obj, obj.Size())
	if err != nil {
		obj.Close()
		return nil, err
	}
	res := l.meta.result()
	res.Cache = "hit"
	res.Tiles = 0 // none processed for this request
	if c.store.Local() {
		// read twice: once to check, once to send
		if err := l.check(io.NewSectionReader(obj, 0, l.payload), nil); err != nil {
			obj.Close()
			return nil, err
		}
		c.touch(key.object())
		return &Entry{Result: res, Size: l.payload, r: io.NewSectionReader(obj, 0, l.payload), done: func() { obj.Close() }}, nil
	}
	// remote: one transfer into a spool file, checked as it arrives
	defer obj.Close()
	tmp, err := os.CreateTemp(c.cfg.SpoolDir, "cache-*")
	if err != nil {
		return nil, fmt.Errorf("cache: spool: %w", err)
	}
	drop := func() { tmp.Close(); os.Remove(tmp.Name()) }
	// one sequential read after the footer's ranged ones
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		drop()
		return nil, err
	}
	if err := l.check(obj, tmp); err != nil {
		drop()
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		drop()
		return nil, err
	}
	return &Entry{Result: res, Size: l.payload, r: tmp, done: drop}, nil
}

// sortByTime orders entries newest first.
func sortByTime(all []blob.Info) {
	slices.SortFunc(all, func(a, b blob.Info) int {
		if c := b.ModTime.Compare(a.ModTime); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// Find is Lookup of src's result under plan, for a caller that runs a
// miss through the Wrap-ped pipeline (which counts it); src is left at its
// start.
func (c *Cache) Find(ctx context.Context, src io.ReadSeeker, plan upscale.Plan) (*Entry, error) {
	key, err := c.Key(src, plan)
	if err != nil {
		return nil, err
	}
	return c.find(ctx, key, false)
}
