package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress shows how far `upscaled upscale` is on stderr. On a terminal it
// is one line redrawn in place (percentage, pages done/total, input MP/s,
// ETA); elsewhere (a log file, a pipe) it writes plain lines: one per
// finished page, and one every progressEvery while a long page runs.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	now   func() time.Time

	mu        sync.Mutex
	start     time.Time
	pages     int
	totalMP   float64
	done      int     // pages finished, failed ones included
	doneMP    float64 // their input megapixels
	cur       string  // page in work
	curMP     float64
	curFrac   float64 // of its tile passes
	lastDraw  time.Time
	lastPrint time.Time
	drawn     int // width of the line on screen (terminal); 0: none
}

// progressEvery spaces the plain lines within one page.
var progressEvery = 10 * time.Second

// redrawEvery spaces the terminal redraws.
const redrawEvery = 100 * time.Millisecond

func newProgress(w io.Writer, tty, quiet bool, pages int, totalMP float64) *progress {
	p := &progress{w: w, tty: tty, quiet: quiet, now: time.Now, pages: pages, totalMP: totalMP}
	p.start = p.now()
	return p
}

// startPage: name (totalMP of the input) begins.
func (p *progress) startPage(name string, mp float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur, p.curMP, p.curFrac = name, mp, 0
	p.lastPrint = p.now()
	p.draw(true)
}

// tiles is the pipeline's progress callback for the page in work.
func (p *progress) tiles(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total > 0 {
		p.curFrac = float64(done) / float64(total)
	}
	if p.quiet {
		return
	}
	if p.tty {
		p.draw(false)
		return
	}
	if now := p.now(); now.Sub(p.lastPrint) >= progressEvery {
		p.lastPrint = now
		fmt.Fprintf(p.w, "%s: %s at %.0f%%\n", p.status(), p.cur, 100*p.curFrac)
	}
}

// endPage: the page in work finished (ok) or failed.
func (p *progress) endPage(ok bool, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.doneMP += p.curMP
	name := p.cur
	p.cur, p.curMP, p.curFrac = "", 0, 0
	if p.quiet {
		return
	}
	if p.tty {
		p.draw(true)
		return
	}
	what := "done in " + took.Round(time.Millisecond).String()
	if !ok {
		what = "failed"
	}
	fmt.Fprintf(p.w, "%s: %s %s\n", p.status(), name, what)
}

// above writes fn's output (to stderr or to the same terminal) above the
// progress line: the line is cleared first and redrawn after.
func (p *progress) above(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fn()
	p.draw(true)
}

// finish leaves the terminal line complete; nothing more is drawn.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn > 0 {
		fmt.Fprintln(p.w)
		p.drawn = 0
	}
	p.quiet = true
}

// clear removes the terminal line (lock held).
func (p *progress) clear() {
	if p.tty && p.drawn > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.drawn))
		p.drawn = 0
	}
}

// draw redraws the terminal line, at most every redrawEvery unless forced
// (lock held).
func (p *progress) draw(force bool) {
	if p.quiet || !p.tty {
		return
	}
	now := p.now()
	if !force && now.Sub(p.lastDraw) < redrawEvery {
		return
	}
	p.lastDraw = now
	line := p.status()
	if p.cur != "" {
		line += "  " + p.cur
	}
	pad := ""
	if n := len([]rune(line)); n < p.drawn {
		pad = strings.Repeat(" ", p.drawn-n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.drawn = len([]rune(line))
}

// status is "[ 42%] 3/10 pages, 1.23 MP/s, ETA 12s" (lock held).
func (p *progress) status() string {
	doneMP := p.doneMP + p.curMP*p.curFrac
	frac := 0.0
	switch {
	case p.totalMP > 0:
		frac = doneMP / p.totalMP
	case p.pages > 0:
		frac = float64(p.done) / float64(p.pages)
	}
	s := fmt.Sprintf("[%3.0f%%] %d/%d pages", 100*min(frac, 1), p.done, p.pages)
	elapsed := p.now().Sub(p.start).Seconds()
	if elapsed <= 0 || doneMP <= 0 {
		return s
	}
	rate := doneMP / elapsed
	s += fmt.Sprintf(", %.3g MP/s", rate)
	if left := p.totalMP - doneMP; left > 0 && p.done < p.pages {
		s += ", ETA " + (time.Duration(left / rate * float64(time.Second))).Round(time.Second).String()
	}
	return s
}
