package timeline

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Summary is what a trace says about keeping the device fed.
type Summary struct {
	Wall time.Duration // first span's start to last span's end
	// InFlight[n] is the time with n device spans open (the last entry: n
	// or more).
	InFlight []time.Duration
	// Idle is, for the time no device span was open, the tracks' innermost
	// open host spans by name, each span's time summed over tracks: divided
	// by InFlight[0] it is how many tracks on average did that while the
	// device idled.
	Idle   map[string]time.Duration
	Tracks int
}

// maxInFlight is the last InFlight bucket.
const maxInFlight = 8

// Summarize sweeps the spans' boundaries.
func Summarize(spans []Span) Summary {
	s := Summary{InFlight: make([]time.Duration, maxInFlight+1), Idle: map[string]time.Duration{}}
	if len(spans) == 0 {
		return s
	}
	var cuts []time.Duration
	tracks := map[string]bool{}
	for _, sp := range spans {
		cuts = append(cuts, sp.Start, sp.End)
		if !sp.Device {
			tracks[sp.Track] = true
		}
	}
	s.Tracks = len(tracks)
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })
	s.Wall = cuts[len(cuts)-1] - cuts[0]
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		if b == a {
			continue
		}
		mid := a + (b-a)/2
		n := 0
		inner := map[string]*Span{}
		for k := range spans {
			sp := &spans[k]
			if sp.Start > mid || sp.End <= mid {
				continue
			}
			if sp.Device {
				n++
				continue
			}
			if cur := inner[sp.Track]; cur == nil || sp.Start > cur.Start || sp.Start == cur.Start && sp.End < cur.End {
				inner[sp.Track] = sp
			}
		}
		s.InFlight[min(n, maxInFlight)] += b - a
		if n > 0 {
			continue
		}
		for _, sp := range inner {
			s.Idle[sp.Name] += b - a
		}
	}
	return s
}

// Print writes the summary as two lines for the bench's table.
func (s Summary) Print(w io.Writer) {
	if s.Wall <= 0 {
		return
	}
	pct := func(d, of time.Duration) string { return fmt.Sprintf("%.0f%%", 100*d.Seconds()/of.Seconds()) }
	var parts []string
	for n, d := range s.InFlight {
		if d == 0 {
			continue
		}
		label := fmt.Sprint(n)
		if n == maxInFlight {
			label += "+"
		}
		parts = append(parts, label+": "+pct(d, s.Wall))
	}
	fmt.Fprintf(w, "device submissions in flight\t%s of the wall time (%s)\n", strings.Join(parts, " · "), s.Wall.Round(time.Millisecond))
	idle := s.InFlight[0]
	if idle <= 0 {
		return
	}
	names := make([]string, 0, len(s.Idle))
	for n := range s.Idle {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return s.Idle[names[i]] > s.Idle[names[j]] })
	parts = parts[:0]
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %.2f", n, s.Idle[n].Seconds()/idle.Seconds()))
	}
	fmt.Fprintf(w, "while the device idled\tgoroutines on average in: %s\n", strings.Join(parts, " · "))
}
