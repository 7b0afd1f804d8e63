package vulkan

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sync"
	"text/tabwriter"
)

// Profiling: an engine opened with Config.Profile records command buffers
// with a GPU timestamp after every dispatch and adds each finished
// segment's dispatch times up, process-wide, per kernel and per layer
// (WriteProfile). A dispatch's time runs from the previous timestamp to its
// own, so passes running at once inflate it: the profiling context has one
// queue (cCtxCreate; with 8, a Real-CUGAN page's dispatch times added up to
// 1.5–1.7× the device's busy time at --streams 1, the next band's segments
// running between the last one's timestamps), and one pass at a time is
// the clean split (`upscaled bench --streams 1`).

type profStat struct {
	calls int
	ns    float64
	flops float64
}

var prof struct {
	mu      sync.Mutex
	kernels map[string]*profStat // by shader
	layers  map[string]*profStat // by model, layer and shader
}

func profAdd(m map[string]*profStat, key string, ns, flops float64) map[string]*profStat {
	if m == nil {
		m = map[string]*profStat{}
	}
	st := m[key]
	if st == nil {
		st = &profStat{}
		m[key] = st
	}
	st.calls++
	st.ns += ns
	st.flops += flops
	return m
}

// profileSegments adds the dispatch times of the pass's finished segments
// [from, to) (one command buffer each).
func (ps *pass) profileSegments(from, to int) {
	period := ps.st.dev.TimestampPeriod
	if !ps.st.cfg.Profile || period <= 0 {
		return
	}
	l := ps.dp.l
	for k := from; k < to; k++ {
		first := 0
		if k > 0 {
			first = l.segs[k-1].end
		}
		n := l.segs[k].end - first
		ticks, err := ps.st.ctx.cmdTimestamps(ps.inst.cmds[k], n+1)
		if err != nil {
			return
		}
		prof.mu.Lock()
		for j := range n {
			if ticks[j+1] < ticks[j] {
				continue // the counter wrapped
			}
			s := l.steps[first+j]
			ns := float64(ticks[j+1]-ticks[j]) * period
			layer := "(pixels in/out)"
			if s.layer >= 0 {
				lay := ps.p.net.Layers[s.layer]
				layer = lay.Type + " " + lay.Name
			}
			prof.kernels = profAdd(prof.kernels, s.shader, ns, s.flops)
			prof.layers = profAdd(prof.layers, fmt.Sprintf("%s\t%s\t%s", ps.p.info.ID, layer, s.shader), ns, s.flops)
		}
		prof.mu.Unlock()
	}
}

// WriteProfile prints the GPU time per kernel and the top layers since the
// process started (nothing unless an engine was opened with Config.Profile).
func WriteProfile(w io.Writer, topLayers int) error {
	prof.mu.Lock()
	defer prof.mu.Unlock()
	var total float64
	for _, st := range prof.kernels {
		total += st.ns
	}
	if total == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KERNEL\tDISPATCHES\tGPU ms\tSHARE\tGFLOPS")
	for _, k := range sortedKeys(prof.kernels) {
		st := prof.kernels[k]
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f%%\t%s\n", k, st.calls, st.ns/1e6, 100*st.ns/total, gflops(st))
	}
	fmt.Fprintf(tw, "total\t\t%.1f\t\t\n\n", total/1e6)
	fmt.Fprintln(tw, "MODEL\tLAYER\tKERNEL\tDISPATCHES\tGPU ms\tSHARE\tGFLOPS")
	for i, k := range sortedKeys(prof.layers) {
		if i == topLayers {
			break
		}
		st := prof.layers[k]
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f%%\t%s\n", k, st.calls, st.ns/1e6, 100*st.ns/total, gflops(st))
	}
	return tw.Flush()
}

func sortedKeys(m map[string]*profStat) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(m[b].ns, m[a].ns) })
	return keys
}

// gflops is the convolution arithmetic rate ("" for other kernels).
func gflops(st *profStat) string {
	if st.flops == 0 || st.ns == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f", st.flops/st.ns)
}

// ResetProfile forgets what the profile has recorded (a bench's warm-up).
func ResetProfile() {
	prof.mu.Lock()
	defer prof.mu.Unlock()
	prof.kernels, prof.layers = nil, nil
}
