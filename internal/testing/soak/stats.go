package soak

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// documented lists the status codes the API documents, per request kind.
var documented = map[int]bool{200: true, 202: true, 204: true, 400: true, 404: true, 405: true, 408: true, 409: true, 410: true, 413: true, 415: true, 422: true, 503: true, 507: true}

// Stats are counters shared by all clients.
type Stats struct {
	mu        sync.Mutex
	byKind    map[string]map[int]int
	errors    map[string]int
	latencies []time.Duration
	healthMax time.Duration

	verified, corrupt, lost, aborted, jobs atomic.Int64
	undocumented                           atomic.Int64
}

func newStats() *Stats {
	return &Stats{byKind: map[string]map[int]int{}, errors: map[string]int{}}
}

func (s *Stats) status(kind string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byKind[kind] == nil {
		s.byKind[kind] = map[int]int{}
	}
	s.byKind[kind][code]++
	if !documented[code] {
		s.undocumented.Add(1)
	}
}

func (s *Stats) fail(kind string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors[kind+": "+trim(err.Error(), 90)]++
}

func (s *Stats) latency(d time.Duration) {
	s.mu.Lock()
	s.latencies = append(s.latencies, d)
	s.mu.Unlock()
}

func (s *Stats) health(d time.Duration) {
	s.mu.Lock()
	s.healthMax = max(s.healthMax, d)
	s.mu.Unlock()
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Report is the outcome of a soak run.
type Report struct {
	Duration                  time.Duration
	Requests                  int
	Jobs                      int64
	Verified, Corrupt, Lost   int64
	Aborted                   int64
	Undocumented              int64
	ClientErrors              int
	PeakRSS, Budget, Overhead int64
	Goroutines0, Goroutines1  int
	// MetricsBytes0 and MetricsBytes1 are GET /metrics sizes before and
	// after the clients ran.
	MetricsBytes0, MetricsBytes1 int
	OpenFiles0, OpenFiles1       Descriptors
	P50, P99, HealthMax          time.Duration
	StatusByKind                 map[string]map[int]int
	Errors                       map[string]int
}

// Failures lists what broke the soak's promises (empty = passed).
func (r Report) Failures() []string {
	var f []string
	if r.Corrupt > 0 {
		f = append(f, fmt.Sprintf("%d corrupted results", r.Corrupt))
	}
	if r.Lost > 0 {
		f = append(f, fmt.Sprintf("%d lost results", r.Lost))
	}
	if r.Undocumented > 0 {
		f = append(f, fmt.Sprintf("%d undocumented status codes", r.Undocumented))
	}
	if r.ClientErrors > 0 {
		f = append(f, fmt.Sprintf("%d unexpected client-visible errors", r.ClientErrors))
	}
	if r.PeakRSS > r.Budget+r.Overhead {
		f = append(f, fmt.Sprintf("peak RSS %d MiB above budget %d MiB + overhead %d MiB", r.PeakRSS>>20, r.Budget>>20, r.Overhead>>20))
	}
	if r.Goroutines1 > r.Goroutines0+5 {
		f = append(f, fmt.Sprintf("goroutines %d after, %d before", r.Goroutines1, r.Goroutines0))
	}
	f = append(f, r.OpenFiles1.leaks(r.OpenFiles0)...)
	if r.MetricsBytes1 > maxMetricsBytes {
		f = append(f, fmt.Sprintf("/metrics is %d KiB after the run (%d KiB before), over %d KiB", r.MetricsBytes1>>10, r.MetricsBytes0>>10, maxMetricsBytes>>10))
	}
	if r.Verified == 0 {
		f = append(f, "no result was verified")
	}
	return f
}

func (s *Stats) report() Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Report{StatusByKind: s.byKind, Errors: s.errors, HealthMax: s.healthMax,
		Verified: s.verified.Load(), Corrupt: s.corrupt.Load(), Lost: s.lost.Load(),
		Aborted: s.aborted.Load(), Jobs: s.jobs.Load(), Undocumented: s.undocumented.Load()}
	for _, m := range s.byKind {
		for _, n := range m {
			r.Requests += n
		}
	}
	for _, n := range s.errors {
		r.ClientErrors += n
	}
	if len(s.latencies) > 0 {
		l := append([]time.Duration(nil), s.latencies...)
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		r.P50 = l[len(l)/2]
		r.P99 = l[len(l)*99/100]
	}
	return r
}

// Print writes the summary table.
func (r Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "duration\t%s\n", r.Duration.Round(time.Second))
	fmt.Fprintf(tw, "requests\t%d\n", r.Requests)
	fmt.Fprintf(tw, "jobs submitted\t%d\n", r.Jobs)
	fmt.Fprintf(tw, "results verified against direct run\t%d\n", r.Verified)
	fmt.Fprintf(tw, "corrupted / lost results\t%d / %d\n", r.Corrupt, r.Lost)
	fmt.Fprintf(tw, "client aborts (upload/download)\t%d\n", r.Aborted)
	fmt.Fprintf(tw, "undocumented status codes\t%d\n", r.Undocumented)
	fmt.Fprintf(tw, "sync latency p50 / p99\t%s / %s\n", r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond))
	fmt.Fprintf(tw, "slowest /healthz\t%s\n", r.HealthMax.Round(time.Millisecond))
	fmt.Fprintf(tw, "peak RSS / budget + overhead\t%d MiB / %d + %d MiB\n", r.PeakRSS>>20, r.Budget>>20, r.Overhead>>20)
	fmt.Fprintf(tw, "goroutines before / after\t%d / %d\n", r.Goroutines0, r.Goroutines1)
	fmt.Fprintf(tw, "/metrics before / after\t%d / %d KiB\n", r.MetricsBytes0>>10, r.MetricsBytes1>>10)
	fmt.Fprintf(tw, "open files before\t%s\n", r.OpenFiles0)
	fmt.Fprintf(tw, "open files after\t%s\n", r.OpenFiles1)
	tw.Flush()
	kinds := make([]string, 0, len(r.StatusByKind))
	for k := range r.StatusByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintln(w, "\nstatus codes by request kind:")
	for _, k := range kinds {
		codes := make([]int, 0)
		for c := range r.StatusByKind[k] {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		fmt.Fprintf(w, "  %-15s", k)
		for _, c := range codes {
			fmt.Fprintf(w, " %d×%d", c, r.StatusByKind[k][c])
		}
		fmt.Fprintln(w)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "\nerrors:")
		for e, n := range r.Errors {
			fmt.Fprintf(w, "  %4d  %s\n", n, e)
		}
	}
}
