package jobs

import "sync"

// EventKind names a job event; the API uses it as the SSE event name.
type EventKind string

const (
	// EventState: the job's state changed (Job is set).
	EventState EventKind = "state"
	// EventItem: an item's state changed (Item is set).
	EventItem EventKind = "item"
	// EventProgress: a tile of a running item finished (Item and Progress set).
	EventProgress EventKind = "progress"
)

// Event is one change of a job, in the order it happened.
type Event struct {
	Kind EventKind
	Job  Job
	Item Item
	// Progress is the job's progress after the change.
	Progress Progress
}

// subBuffer is the events a subscriber may lag behind before progress
// events are dropped for it (and, for other events, it is closed).
const subBuffer = 64

// hub fans a job's events out to its subscribers without ever blocking the
// workers: progress events are dropped for a slow subscriber; a subscriber
// too slow for a state or item event is closed (it reconnects and gets a
// fresh snapshot). After a final state event, the job's subscribers close.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan Event]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan Event]struct{}{}} }

func (h *hub) subscribe(id string) chan Event {
	ch := make(chan Event, subBuffer)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[id] == nil {
		h.subs[id] = map[chan Event]struct{}{}
	}
	h.subs[id][ch] = struct{}{}
	return ch
}

// unsubscribe removes ch (closing it) unless publish already did.
func (h *hub) unsubscribe(id string, ch chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[id][ch]; ok {
		delete(h.subs[id], ch)
		close(ch)
		if len(h.subs[id]) == 0 {
			delete(h.subs, id)
		}
	}
}

func (h *hub) publish(id string, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	final := ev.Kind == EventState && ev.Job.State.Final()
	for ch := range h.subs[id] {
		select {
		case ch <- ev:
			if !final {
				continue
			}
		default:
			if ev.Kind == EventProgress {
				continue
			}
		}
		delete(h.subs[id], ch)
		close(ch)
	}
	if len(h.subs[id]) == 0 {
		delete(h.subs, id)
	}
}

// has reports whether the job has subscribers.
func (h *hub) has(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[id]) > 0
}
