package sched

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
)

// BenchmarkPass runs a small network's passes from 4 concurrent requests
// on the Go executor, directly and through the scheduler (one device, two
// in flight): the difference is the scheduler's overhead.
func BenchmarkPass(b *testing.B) {
	const side, streams = 32, 4
	m := convModel(b)
	ctx := context.Background()
	for _, via := range []string{"direct", "sched"} {
		b.Run(via, func(b *testing.B) {
			var eng engines.Engine = cpu.New()
			if via == "sched" {
				s, err := New(DefaultConfig(), eng)
				if err != nil {
					b.Fatal(err)
				}
				eng = s
			}
			defer eng.Close()
			prog, err := eng.Load(ctx, m)
			if err != nil {
				b.Fatal(err)
			}
			defer prog.Close()
			in := noise(side, side, 1)
			b.ResetTimer()
			var wg sync.WaitGroup
			per := (b.N + streams - 1) / streams
			for s := range streams {
				wg.Go(func() {
					rctx := engines.WithRequest(ctx, fmt.Sprint(s))
					for range per {
						if _, err := engines.Run(rctx, prog, in); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(per*streams*side*side)/b.Elapsed().Seconds(), "pixels/s")
		})
	}
}
