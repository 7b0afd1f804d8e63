package cache

import (
	"context"
	"crypto/sha256"
	"hash"
	"io"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/upscale"
)

// Pipeline runs one image (upscale.Pipeline's one path); what Wrap
// decorates.
type Pipeline interface {
	Plan(src io.ReadSeeker, o upscale.Options) (upscale.Plan, error)
	Run(ctx context.Context, plan upscale.Plan, src io.Reader, dst io.Writer, mem upscale.Reserver, progress func(upscale.Progress)) (upscale.Result, error)
}

// Wrap returns p answering from the cache: Run looks its request up first
// (Result.Cache "hit": no memory reserved, no engine work) and stores what
// p produces (Result.Cache "miss"). A src that cannot seek goes to p
// uncached.
func (c *Cache) Wrap(p Pipeline) Pipeline { return &cached{c: c, p: p} }

type cached struct {
	c *Cache
	p Pipeline
}

func (w *cached) Plan(src io.ReadSeeker, o upscale.Options) (upscale.Plan, error) {
	return w.p.Plan(src, o)
}

func (w *cached) Run(ctx context.Context, plan upscale.Plan, src io.Reader, dst io.Writer, mem upscale.Reserver, progress func(upscale.Progress)) (upscale.Result, error) {
	rs, ok := src.(io.ReadSeeker)
	if !ok {
		return w.p.Run(ctx, plan, src, dst, mem, progress)
	}
	c := w.c
	key, err := c.Key(rs, plan)
	if err != nil {
		return upscale.Result{}, err
	}
	// the same request already running here: wait for it, then hit
	unlock, err := c.flight(ctx, key)
	if err != nil {
		return upscale.Result{}, err
	}
	storing := false
	defer func() {
		if !storing {
			unlock()
		}
	}()
	if e, err := c.Lookup(ctx, key); err == nil {
		defer e.Close()
		if _, err := e.WriteTo(dst); err != nil {
			return upscale.Result{}, err
		}
		return e.Result, nil
	}
	bw, err := c.store.Create(ctx, key.object())
	if err != nil {
		c.log.Warn("cache: cannot store", "key", key.String(), "err", err)
		c.metrics.stored(false)
		return w.p.Run(ctx, plan, rs, dst, mem, progress)
	}
	tee := &tee{dst: dst, w: bw, h: sha256.New()}
	res, err := w.p.Run(ctx, plan, rs, tee, mem, progress)
	if err != nil {
		bw.Abort()
		return res, err
	}
	// the caller has its result: the entry is finished (a remote upload
	// completed) in the background; identical requests wait for it
	storing = true
	c.pending.Add(1)
	go func() {
		defer c.pending.Done()
		defer unlock()
		c.commit(context.WithoutCancel(ctx), key, tee, res)
	}()
	res.Cache = "miss"
	return res, nil
}

// Flush waits for the entries being stored.
func (c *Cache) Flush() { c.pending.Wait() }

// commit finishes an entry teed from a run; a failure only loses the
// entry.
func (c *Cache) commit(ctx context.Context, key Key, t *tee, res upscale.Result) {
	ok := false
	defer func() {
		if !ok {
			t.w.Abort()
		}
		c.metrics.stored(ok)
	}()
	if t.err != nil {
		c.log.Warn("cache: cannot store", "key", key.String(), "err", t.err)
		return
	}
	if c.dir != nil && t.n > c.cfg.MaxBytes {
		return // would evict everything else and itself
	}
	tr, err := trailer(t.h, t.n, metaOf(res))
	if err == nil {
		_, err = t.w.Write(tr)
	}
	if err == nil {
		err = t.w.Commit()
	}
	if err != nil {
		c.log.Warn("cache: cannot store", "key", key.String(), "err", err)
		return
	}
	ok = true
	c.added(ctx, key.object(), t.n+int64(len(tr)))
}

// tee writes a run's output to its destination and to the entry being
// made; an entry write that fails stops the entry, never the run.
type tee struct {
	dst io.Writer
	w   blob.Writer
	h   hash.Hash
	n   int64 // payload bytes
	err error // the entry's first write error
}

func (t *tee) Write(p []byte) (int, error) {
	n, err := t.dst.Write(p)
	if t.err == nil && n > 0 {
		t.h.Write(p[:n])
		t.n += int64(n)
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.err = werr
		}
	}
	return n, err
}

// flight makes identical requests in this process run one at a time; the
// caller calls unlock when its result is stored (or failed).
func (c *Cache) flight(ctx context.Context, key Key) (unlock func(), err error) {
	for {
		c.mu.Lock()
		ch, busy := c.flights[key]
		if !busy {
			ch = make(chan struct{})
			c.flights[key] = ch
			c.mu.Unlock()
			return func() {
				c.mu.Lock()
				delete(c.flights, key)
				c.mu.Unlock()
				close(ch)
			}, nil
		}
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}
