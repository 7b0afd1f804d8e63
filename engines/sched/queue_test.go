package sched

import (
	"fmt"
	"slices"
	"testing"
)

// queueOp queues times (0 = 1) items of request push (if any) costing
// cost (0 = 1) each, removes the remove-th pushed item (1-based, if any),
// then takes pops items.
type queueOp struct {
	push   string
	times  int
	cost   float64
	remove int
	pops   int
}

// panelStream queues a page of cost 10, then n panels of cost 1, each pushed
// after the previous one was taken; separate makes each panel a request of
// its own.
func panelStream(n int, separate bool) []queueOp {
	ops := []queueOp{{push: "page", cost: 10}}
	for i := range n {
		ops = append(ops, queueOp{push: panelKey(i, separate), pops: 1})
	}
	return ops
}

// streamOrder is the n items panelStream's pops take when the page goes
// after the first `before` panels.
func streamOrder(n, before int, separate bool) []string {
	var keys []string
	for i := range n {
		if i == before {
			keys = append(keys, "page")
		}
		keys = append(keys, panelKey(i, separate))
	}
	return keys[:n]
}

func panelKey(i int, separate bool) string {
	if separate {
		return fmt.Sprintf("panel%d", i)
	}
	return "panel"
}

func TestQueuesFairShare(t *testing.T) {
	tests := []struct {
		name string
		ops  []queueOp
		want []string // keys in the order items came out
	}{
		{"one request is FIFO", []queueOp{{push: "a"}, {push: "a"}, {push: "a", pops: 3}}, []string{"a", "a", "a"}},
		{"two requests alternate", []queueOp{{push: "a"}, {push: "a"}, {push: "a"}, {push: "b"}, {push: "b", pops: 5}}, []string{"a", "b", "a", "b", "a"}},
		{"a late request joins the rotation", []queueOp{{push: "a"}, {push: "a"}, {push: "a", pops: 1}, {push: "b", pops: 3}}, []string{"a", "a", "b", "a"}},
		{"three requests rotate", []queueOp{{push: "a"}, {push: "a"}, {push: "b"}, {push: "c"}, {push: "c", pops: 5}}, []string{"a", "b", "c", "a", "c"}},
		{"removing a request's last item drops it from the ring", []queueOp{{push: "a"}, {push: "b"}, {push: "c", remove: 2, pops: 2}}, []string{"a", "c"}},
		{"removing from the middle of a FIFO keeps the rest", []queueOp{{push: "a"}, {push: "a"}, {push: "a", remove: 2, pops: 2}}, []string{"a", "a"}},
		{"pop on empty returns nothing", []queueOp{{pops: 2}}, nil},
		{"a small request goes before a big one's tiles", []queueOp{{push: "big", cost: 100}, {push: "big", cost: 100}, {push: "big", cost: 100}, {push: "s"}, {push: "s"}, {push: "s", pops: 6}}, []string{"s", "s", "s", "big", "big", "big"}},
		{"panels arriving behind whole pages go first", []queueOp{{push: "p1", cost: 1400}, {push: "p2", cost: 1400}, {push: "p3", cost: 1400, pops: 1}, {push: "x", cost: 60}, {push: "y", cost: 60, pops: 4}},
			[]string{"p1", "x", "y", "p2", "p3"}},
		// one request sending panels one after another shares the device
		// with the page by pixels: the page (cost 10) goes after 9 panels
		{"a page shares with a stream of panels by pixels", panelStream(12, false), streamOrder(12, 9, false)},
		// a new request per panel: with the page and one panel waiting, each
		// panel moves the virtual time on by half its cost, so the page goes
		// after 18 panels, not never
		{"a page among many panel requests is not starved", panelStream(20, true), streamOrder(20, 18, true)},
		{"an idle request gets no credit for its idle time", []queueOp{{push: "b", pops: 1}, {push: "a", times: 10, pops: 10}, {push: "b", times: 3}, {push: "a", pops: 4}},
			[]string{"b", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "b", "a", "b", "b"}},
		{"a removed last item is not paid for", []queueOp{{push: "a"}, {push: "a", cost: 50, remove: 2}, {push: "a"}, {push: "b"}, {push: "b", pops: 4}}, []string{"a", "b", "a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newQueues()
			var pushed []*item
			var got []string
			removed := 0
			for _, o := range tt.ops {
				for range max(o.times, 1) {
					if o.push == "" {
						break
					}
					it := &item{key: o.push, cost: max(o.cost, 1)}
					pushed = append(pushed, it)
					q.push(it)
				}
				if o.remove > 0 {
					if !q.remove(pushed[o.remove-1]) {
						t.Fatalf("remove item %d: not found", o.remove)
					}
					if q.remove(pushed[o.remove-1]) {
						t.Fatalf("remove item %d twice: found again", o.remove)
					}
					removed++
				}
				for range o.pops {
					if it := q.pop(); it != nil {
						got = append(got, it.key.(string))
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order %v, want %v", got, tt.want)
			}
			if left := len(pushed) - len(got) - removed; q.n != left {
				t.Errorf("%d items counted as queued, want %d", q.n, left)
			}
		})
	}
}
