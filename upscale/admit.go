package upscale

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/upscaled/upscaled/imaging"
)

// Reserver admits a run into a memory budget: Acquire waits until bytes
// are free, or fails; release gives them back. *budget.Budget is one.
type Reserver interface {
	Acquire(ctx context.Context, bytes int64) (release func(), err error)
}

// ReserverFunc is a function used as a Reserver.
type ReserverFunc func(ctx context.Context, bytes int64) (release func(), err error)

// Acquire calls f.
func (f ReserverFunc) Acquire(ctx context.Context, bytes int64) (func(), error) {
	return f(ctx, bytes)
}

// A Reserver's refusals (the budget package's): ErrReserveBusy, try again
// later; ErrReserveTooLarge, the reservation can never be granted.
var (
	ErrReserveBusy     = errors.New("memory budget busy")
	ErrReserveTooLarge = errors.New("reservation exceeds the memory budget")
)

// ReserveError is a Reserver's refusal (or the end of ctx while waiting):
// nothing was decoded. Its message is the Reserver's.
type ReserveError struct {
	// Bytes is the reservation asked for (Plan.HostBytes).
	Bytes int64
	Err   error
}

func (e *ReserveError) Error() string { return e.Err.Error() }
func (e *ReserveError) Unwrap() error { return e.Err }

// Plan admits an image before any pixel is decoded: it reads the header of
// src once, resolves the model, checks the limits and the options, and
// sizes the host memory the run needs (Plan.HostBytes). src is left where
// it was, for Run.
func (p *Pipeline) Plan(src io.ReadSeeker, o Options) (Plan, error) {
	at, err := src.Seek(0, io.SeekCurrent)
	if err != nil {
		return Plan{}, fmt.Errorf("reading the image: %w", err)
	}
	h, err := imaging.DecodeConfig(bufio.NewReader(src))
	if err != nil {
		return Plan{}, err
	}
	if _, err := src.Seek(at, io.SeekStart); err != nil {
		return Plan{}, fmt.Errorf("rewinding the image: %w", err)
	}
	return p.Prepare(h, o)
}

// Run reserves plan.HostBytes from mem (nil: no reservation), then decodes
// src, upscales it and encodes the result to dst (Process); the
// reservation is held until the result is written. A refusal is a
// *ReserveError. Result.Stages.Queue is the wait for memory, also when Run
// fails. progress may be nil.
func (p *Pipeline) Run(ctx context.Context, plan Plan, src io.Reader, dst io.Writer, mem Reserver, progress func(Progress)) (Result, error) {
	var queued time.Duration
	if mem != nil {
		t := time.Now()
		release, err := mem.Acquire(ctx, plan.HostBytes)
		queued = time.Since(t)
		if err != nil {
			return Result{Stages: Stages{Queue: queued}}, &ReserveError{Bytes: plan.HostBytes, Err: err}
		}
		defer release()
	}
	res, err := p.Process(ctx, bufio.NewReaderSize(src, 64<<10), plan, dst, progress)
	res.Stages.Queue = queued
	return res, err
}
