package timeline

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// Two streams: the device runs 0–40 ms for stream a and 20–60 for b; from 60
// to 100 a encodes and b decodes (inside b's "request" span), so the device
// idles 40 of 100 ms.
func TestSummarize(t *testing.T) {
	spans := []Span{
		{Track: "a", Name: "queued", Start: 0, End: ms(10)},
		{Track: "a", Name: "encode", Start: ms(60), End: ms(100)},
		{Track: "b", Name: "request", Start: 0, End: ms(100)},
		{Track: "b", Name: "decode", Start: ms(60), End: ms(90)},
		{Track: "a", Name: "x", Device: true, Start: 0, End: ms(40)},
		{Track: "b", Name: "x", Device: true, Start: ms(20), End: ms(60)},
	}
	s := Summarize(spans)
	if s.Wall != ms(100) || s.Tracks != 2 {
		t.Fatalf("wall %v tracks %d, want 100ms 2", s.Wall, s.Tracks)
	}
	for n, want := range map[int]time.Duration{0: ms(40), 1: ms(40), 2: ms(20)} {
		if s.InFlight[n] != want {
			t.Errorf("%d in flight for %v, want %v", n, s.InFlight[n], want)
		}
	}
	want := map[string]time.Duration{"encode": ms(40), "decode": ms(30), "request": ms(10)}
	for name, d := range want {
		if s.Idle[name] != d {
			t.Errorf("idle in %q: %v, want %v", name, s.Idle[name], d)
		}
	}
	var b strings.Builder
	s.Print(&b)
	if !strings.Contains(b.String(), "0: 40% · 1: 40% · 2: 20%") || !strings.Contains(b.String(), "encode 1.00 · decode 0.75 · request 0.25") {
		t.Errorf("summary:\n%s", b.String())
	}
}

func TestRecordAndChrome(t *testing.T) {
	if end := Begin(context.Background(), "nothing"); end == nil || On(context.Background()) {
		t.Fatal("without a recorder: Begin returned nil or On is true")
	}
	r := New()
	ctx := WithTrack(With(context.Background(), r), "stream 1")
	if !On(ctx) {
		t.Fatal("On is false with a recorder")
	}
	end := Begin(ctx, "decode")
	BeginDevice(ctx, "segment")()
	end()
	spans := r.Spans()
	if len(spans) != 2 || spans[0].Name != "segment" || !spans[0].Device || spans[1].Track != "stream 1" || spans[1].End < spans[1].Start {
		t.Fatalf("spans %+v", spans)
	}
	var b strings.Builder
	if err := WriteChrome(&b, spans); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	var complete int
	for _, e := range doc.TraceEvents {
		if e["ph"] == "X" {
			complete++
			if e["name"] == "segment" && e["pid"] != float64(2) {
				t.Errorf("device span in process %v, want 2", e["pid"])
			}
		}
	}
	if complete != 2 {
		t.Errorf("%d complete events, want 2", complete)
	}
}
