package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/upscale"
)

// pageRun is one bench page's latency, plan and result.
type pageRun struct {
	latency time.Duration
	plan    upscale.Plan
	res     upscale.Result
}

// benchTally sums what the bench's pages planned and spent.
type benchTally struct {
	modelFLOPs, tileFLOPs float64
	stages                upscale.Stages
	tiles                 int
}

func (t *benchTally) add(r pageRun) {
	t.modelFLOPs += r.plan.ModelFLOPs
	t.tileFLOPs += r.plan.TileFLOPs
	t.stages.Decode += r.res.Stages.Decode
	t.stages.Engine += r.res.Stages.Engine
	t.stages.Encode += r.res.Stages.Encode
	t.tiles += r.res.Tiles
}

// benchCounters are the engine's work counters and the process's CPU time.
type benchCounters struct {
	work  []engines.Work
	names []string
	cpu   time.Duration
}

func readBenchCounters(e engines.Engine) benchCounters {
	var c benchCounters
	c.work, c.names, _ = engines.DeviceWork(e)
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return c
}

func (c benchCounters) since(before benchCounters) benchCounters {
	out := benchCounters{names: c.names, cpu: c.cpu - before.cpu}
	for i, w := range c.work {
		if i < len(before.work) {
			w = w.Sub(before.work[i])
		}
		out.work = append(out.work, w)
	}
	return out
}

// printWork writes the executed-versus-model arithmetic, each device's busy
// share of the wall time and busy time per page (the device time a page
// costs: submissions in flight, whatever their kernels' timestamps add up
// to) and the host's time per page.
func printWork(w io.Writer, t benchTally, spent benchCounters, wall time.Duration, pages int) {
	var flops float64
	for _, dw := range spent.work {
		flops += dw.ConvFLOPs
	}
	if flops > 0 && t.modelFLOPs > 0 {
		fmt.Fprintf(w, "conv arithmetic\t%.2f TFLOP executed = %.3f× the model's for these images (tiles' overlap %.3f×, %d tiles)\n",
			flops/1e12, flops/t.modelFLOPs, t.tileFLOPs/t.modelFLOPs, t.tiles)
		fmt.Fprintf(w, "conv rate\t%.1f TFLOPS over the wall time\n", flops/wall.Seconds()/1e12)
	}
	for i, dw := range spent.work {
		fmt.Fprintf(w, "device busy\t%.1f%% of the wall time (%s), %s a page\n", 100*dw.Busy.Seconds()/wall.Seconds(), spent.names[i],
			(dw.Busy / time.Duration(max(pages, 1))).Round(time.Millisecond))
	}
	n := float64(pages)
	fmt.Fprintf(w, "host CPU per page\t%.3f core-s (whole process)\n", spent.cpu.Seconds()/n)
	fmt.Fprintf(w, "stages per page\tdecode %s, engine %s, encode %s (wall on the request)\n",
		(t.stages.Decode / time.Duration(pages)).Round(time.Millisecond),
		(t.stages.Engine / time.Duration(pages)).Round(time.Millisecond),
		(t.stages.Encode / time.Duration(pages)).Round(time.Millisecond))
}

// startCPUProfile starts a Go CPU profile into path ("": none); stop ends
// it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
