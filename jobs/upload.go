package jobs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/upscaled/upscaled/upscale"
)

// Upload is a job being received: items are streamed to disk one by one,
// limits checked as they stream, and nothing is visible until Commit.
// Abort (safe after Commit) removes what was received.
//
// An upload with an idempotency key the owner already used is a replay:
// its items are only hashed, never stored, and Commit returns the earlier
// job when the request is the same, ErrIdemMismatch when it is not.
type Upload struct {
	m      *Manager
	owner  string
	idem   string
	id     string
	bytes  int64
	items  []Item
	hashes [][]byte // SHA-256 of each item's bytes
	prev   *Job     // the job the idempotency key names (a replay)
	done   bool
}

// finish ends the upload (committed or aborted) and frees its slot.
func (u *Upload) finish() {
	if !u.done {
		u.done = true
		<-u.m.uploads
	}
}

// maxIdemKey bounds an Idempotency-Key.
const maxIdemKey = 255

// Begin starts a job upload for owner. It fails with ErrLowDisk when free
// space is below Config.MinFreeDisk (a replay of an existing job excepted).
func (m *Manager) Begin(ctx context.Context, owner, idemKey string) (*Upload, error) {
	if len(idemKey) > maxIdemKey {
		return nil, fmt.Errorf("%w: Idempotency-Key is %d bytes, at most %d are allowed", ErrBadRequest, len(idemKey), maxIdemKey)
	}
	for i := 0; i < len(idemKey); i++ {
		if idemKey[i] < 0x20 || idemKey[i] > 0x7e {
			return nil, fmt.Errorf("%w: Idempotency-Key must be printable ASCII", ErrBadRequest)
		}
	}
	select {
	case m.uploads <- struct{}{}:
	default:
		return nil, fmt.Errorf("%w: %d are being received (UPSCALED_JOB_MAX_UPLOADS)", ErrTooManyUploads, m.cfg.MaxUploads)
	}
	if idemKey != "" {
		j, err := m.store.jobByIdem(ctx, owner, idemKey)
		if err == nil {
			return &Upload{m: m, owner: owner, idem: idemKey, prev: &j}, nil
		}
		if !errors.Is(err, ErrNotFound) {
			<-m.uploads
			return nil, err
		}
	}
	if err := checkDisk(m.deps.FreeSpace, m.cfg.DataDir, m.cfg.MinFreeDisk); err != nil {
		<-m.uploads
		return nil, err
	}
	id, err := newID()
	if err != nil {
		<-m.uploads
		return nil, err
	}
	m.mu.Lock()
	m.drafts[id] = true
	m.mu.Unlock()
	u := &Upload{m: m, owner: owner, idem: idemKey, id: id}
	if !m.files.local() {
		return u, nil
	}
	if err := os.MkdirAll(m.files.inDir(id), 0o750); err != nil {
		u.Abort()
		return nil, fmt.Errorf("jobs: upload: %w", diskErr(err))
	}
	if err := os.MkdirAll(m.files.outDir(id), 0o750); err != nil {
		u.Abort()
		return nil, fmt.Errorf("jobs: upload: %w", diskErr(err))
	}
	return u, nil
}

// ID is the id the job will have.
func (u *Upload) ID() string { return u.id }

// Add streams one item to disk. rawName is the file name as sent. It fails
// with ErrTooManyItems or ErrTooLarge as soon as a limit is passed, and
// with ErrDiskFull when the disk fills; the upload must then be aborted.
func (u *Upload) Add(ctx context.Context, rawName []byte, r io.Reader) error {
	cfg := u.m.cfg
	n := len(u.items)
	if n >= cfg.MaxItems {
		return fmt.Errorf("%w: a job holds at most %d images (UPSCALED_JOB_MAX_ITEMS)", ErrTooManyItems, cfg.MaxItems)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h := sha256.New()
	var dst io.Writer = h
	var f inputWriter
	if u.prev == nil {
		if err := checkDisk(u.m.deps.FreeSpace, cfg.DataDir, cfg.MinFreeDisk); err != nil {
			return err
		}
		var err error
		f, err = u.m.files.createInput(ctx, u.id, n)
		if err != nil {
			return fmt.Errorf("jobs: store item %d: %w", n, diskErr(err))
		}
		dst = io.MultiWriter(f, h)
	}
	left := cfg.MaxBytes - u.bytes
	written, err := io.Copy(dst, io.LimitReader(ctxReader{ctx, r}, left+1))
	if err == nil && written > left {
		err = fmt.Errorf("%w: a job's images may total at most %d bytes (UPSCALED_JOB_MAX_BYTES)", ErrTooLarge, cfg.MaxBytes)
	}
	if f != nil {
		if err == nil {
			err = f.commit()
		} else {
			f.abort()
		}
	}
	if errors.Is(err, ErrTooLarge) {
		return err // already says which limit, for the user
	}
	if err != nil {
		return fmt.Errorf("jobs: store item %d: %w", n, diskErr(err))
	}
	u.bytes += written
	u.hashes = append(u.hashes, h.Sum(nil))
	if len(rawName) > MaxRawNameBytes {
		rawName = rawName[:MaxRawNameBytes]
	}
	u.items = append(u.items, Item{
		Index:   n,
		Name:    SanitizeName(rawName, fmt.Sprintf("image-%d", n+1)),
		RawName: append([]byte{}, rawName...), // never nil: raw_name is NOT NULL
		State:   Queued,
		InBytes: written,
	})
	return nil
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Commit checks each item's header against opts (format, pixel limits,
// model: Pipeline.Plan), records the job (items that fail the check are
// recorded failed with the reason) and queues it. replayed is true when a
// concurrent submission with the same idempotency key won: its job is
// returned and this upload discarded.
func (u *Upload) Commit(ctx context.Context, opts upscale.Options) (j Job, replayed bool, err error) {
	if u.done {
		return Job{}, false, errors.New("jobs: upload already committed or aborted")
	}
	if len(u.items) == 0 {
		return Job{}, false, fmt.Errorf("%w: send one or more files in the form field \"images\"", ErrNoItems)
	}
	m := u.m
	digest := u.digest(opts)
	if u.prev != nil {
		u.finish()
		return m.replay(*u.prev, digest)
	}
	now := m.deps.Now().UTC()
	j = Job{ID: u.id, Owner: u.owner, IdempotencyKey: u.idem, Digest: digest, Options: opts, Created: now, State: Queued, Items: u.items}
	var pending []int
	plans := map[int]upscale.Plan{}
	for i := range j.Items {
		plan, err := m.check(&j.Items[i], j.ID, opts)
		if err != nil {
			if publicReason(err) != err.Error() {
				m.log.Error("job item refused at submit", "job_id", j.ID, "item", i, "err", err)
			}
			j.Items[i].State, j.Items[i].Error, j.Items[i].Finished = Failed, publicReason(err), now
			continue
		}
		pending = append(pending, i)
		plans[i] = plan
	}
	if len(pending) == 0 {
		j.State, j.Finished, j.Expires = Failed, now, now.Add(m.cfg.TTL)
	}
	for _, d := range []string{m.files.inDir(j.ID), m.files.jobDir(j.ID), m.files.jobsDir()} {
		if !m.files.local() {
			break // each object was complete at its Commit
		}
		if err := syncDir(d); err != nil {
			return Job{}, false, fmt.Errorf("jobs: commit: %w", err)
		}
	}
	m.admit.RLock()
	defer m.admit.RUnlock()
	var enqueue func(*sql.Tx) error
	if m.fleet != nil && len(pending) > 0 {
		enqueue = m.fleet.enqueue(ctx, j.ID, pending)
	}
	switch err := m.store.insertJobTx(ctx, j, enqueue); {
	case errors.Is(err, errDuplicate):
		u.Abort()
		prev, err := m.store.jobByIdem(ctx, u.owner, u.idem)
		if err != nil {
			return Job{}, false, err
		}
		return m.replay(prev, digest)
	case err != nil:
		return Job{}, false, fmt.Errorf("jobs: commit: %w", err)
	}
	u.finish()
	m.mu.Lock()
	delete(m.drafts, u.id)
	m.mu.Unlock()
	if len(pending) > 0 && m.fleet == nil {
		m.activate(j, pending, plans)
	}
	m.log.Info("job submitted", "job_id", j.ID, "items", len(j.Items), "failed_at_submit", len(j.Items)-len(pending), "bytes", u.bytes)
	m.live(&j)
	return j, false, nil
}

// digest identifies the request: the resolved options, then each item's
// name as sent and the SHA-256 of its bytes, each length-prefixed.
func (u *Upload) digest(opts upscale.Options) string {
	h := sha256.New()
	o, _ := json.Marshal(opts)
	binary.Write(h, binary.BigEndian, uint64(len(o)))
	h.Write(o)
	for i, it := range u.items {
		binary.Write(h, binary.BigEndian, uint64(len(it.RawName)))
		h.Write(it.RawName)
		h.Write(u.hashes[i])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// replay answers a reused idempotency key: the earlier job when digest is
// its request's (or it predates digests), else ErrIdemMismatch.
func (m *Manager) replay(prev Job, digest string) (Job, bool, error) {
	if prev.Digest != "" && prev.Digest != digest {
		return Job{}, false, fmt.Errorf("%w: Idempotency-Key %q was used for job %s with other files or options; use a new key for a new job", ErrIdemMismatch, prev.IdempotencyKey, prev.ID)
	}
	m.live(&prev)
	return prev, true, nil
}

// check plans an item (its header read once; the worker runs the plan);
// it fills the input and planned output fields.
func (m *Manager) check(it *Item, id string, opts upscale.Options) (upscale.Plan, error) {
	f, err := m.files.openInput(context.Background(), id, it.Index)
	if err != nil {
		return upscale.Plan{}, err
	}
	defer f.Close()
	plan, err := m.deps.Pipeline.Plan(f, opts)
	if err != nil {
		return upscale.Plan{}, err
	}
	// as shown upright, as the synchronous X-Upscaled-Input-Size
	w, hh := plan.Input.OrientedSize()
	it.InFormat, it.InWidth, it.InHeight = plan.Input.Format, w, hh
	it.OutFormat, it.OutWidth, it.OutHeight = plan.Format, plan.OutWidth, plan.OutHeight
	return plan, nil
}

// Abort removes the upload's files unless it was committed.
func (u *Upload) Abort() {
	if u.done {
		return
	}
	u.finish()
	if u.prev != nil {
		return // a replay stored nothing
	}
	u.m.removeFiles(u.id)
	u.m.mu.Lock()
	delete(u.m.drafts, u.id)
	u.m.mu.Unlock()
}
