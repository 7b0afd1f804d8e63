package timeline

import (
	"encoding/json"
	"io"
	"sort"
)

// chromeEvent is one complete ("X") event of the Chrome trace-event format;
// times in microseconds.
type chromeEvent struct {
	Name string  `json:"name"`
	Ph   string  `json:"ph"`
	TS   float64 `json:"ts"`
	Dur  float64 `json:"dur"`
	PID  int     `json:"pid"`
	TID  int     `json:"tid"`
	Cat  string  `json:"cat,omitempty"`
}

// WriteChrome writes spans as a Chrome trace-event JSON file: process 1 is
// the host with a row per stream, process 2 the device with one row per
// stream's submissions.
func WriteChrome(w io.Writer, spans []Span) error {
	tracks := map[string]int{}
	var names []string
	for _, s := range spans {
		if _, ok := tracks[s.Track]; !ok {
			tracks[s.Track] = 0
			names = append(names, s.Track)
		}
	}
	sort.Strings(names)
	for i, n := range names {
		tracks[n] = i + 1
	}
	type meta struct {
		Name string            `json:"name"`
		Ph   string            `json:"ph"`
		PID  int               `json:"pid"`
		TID  int               `json:"tid"`
		Args map[string]string `json:"args"`
	}
	var events []any
	for pid, p := range []string{"host", "device"} {
		events = append(events, meta{Name: "process_name", Ph: "M", PID: pid + 1, Args: map[string]string{"name": p}})
		for _, n := range names {
			events = append(events, meta{Name: "thread_name", Ph: "M", PID: pid + 1, TID: tracks[n], Args: map[string]string{"name": n}})
		}
	}
	for _, s := range spans {
		e := chromeEvent{Name: s.Name, Ph: "X", TS: float64(s.Start.Nanoseconds()) / 1e3, Dur: float64((s.End - s.Start).Nanoseconds()) / 1e3, PID: 1, TID: tracks[s.Track]}
		if s.Device {
			e.PID, e.Cat = 2, "device"
		}
		events = append(events, e)
	}
	return json.NewEncoder(w).Encode(map[string]any{"traceEvents": events, "displayTimeUnit": "ms"})
}
