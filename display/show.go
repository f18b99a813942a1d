package display

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"
)

// Show displays v now, in its richest form (see Render): in a notebook as
// display_data, elsewhere as its text/plain form on standard output.
//
//	display.Show(display.HTML("<b>bold</b>"))
//	display.Show(img) // an image.Image
func Show(v any) { publish(Render(v), "", false) }

// Clear clears the output of the running cell. With wait, the output is
// cleared when the next output arrives, which avoids flicker when a cell
// redraws itself. Without a kernel, Clear does nothing.
func Clear(wait bool) {
	if p := currentPublisher(); p != nil {
		p.Clear(wait)
	}
}

// publish sends b to the publisher, or prints its text without one.
func publish(b Bundle, id string, update bool) {
	if p := currentPublisher(); p != nil {
		p.Publish(b, id, update)
		return
	}
	fmt.Fprintln(os.Stdout, b.textOf())
}

// MinUpdateInterval is the shortest time between two updates sent through
// one Handle: faster updates are coalesced, so at most four go out per
// second and the last one always does.
const MinUpdateInterval = 250 * time.Millisecond

// A Handle names one display so that it can be updated in place: a chart
// redrawn as training goes, a progress table, a status line. Its methods
// are safe for concurrent use.
//
// Updates are rate-limited to one per MinUpdateInterval. Update itself
// only records the value, so it costs a training loop next to nothing:
// the value is rendered and sent on another goroutine once the interval
// since the last update has passed, replaced meanwhile by any later value.
// The frontend is never flooded and always ends up showing the last value.
// Pass values that are not modified after Update, or that are safe for
// concurrent use (a Bundle, a *LossChart).
type Handle struct {
	id string

	mu         sync.Mutex
	shown      bool        // a display_data went out
	last       time.Time   // when the last display or update went out
	seq        uint64      // counts Show and Update calls
	pending    any         // the latest value not yet sent
	hasPending bool        // pending is set (it may be nil)
	timer      *time.Timer // sends pending when the interval has passed
	sending    int         // sends under way

	sendMu   sync.Mutex // orders sends, which render outside mu
	sentSeq  uint64     // seq of the last value sent
	lastText string     // text printed last, without a publisher
}

// New returns a handle for a new display. Nothing is shown until the
// first Show or Update.
//
//	h := display.New()
//	for step := range steps {
//		...
//		h.Update(chart) // shows the chart, then redraws it in place
//	}
//	h.Close() // make sure the final state is shown
func New() *Handle {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return &Handle{id: hex.EncodeToString(b[:])}
}

// ID returns the display id (transient.display_id in Jupyter).
func (h *Handle) ID() string { return h.id }

// Show displays v as a new output carrying the handle's id, right away,
// replacing any update not yet sent. Later updates change every output
// shown with this handle, including those of earlier cells.
func (h *Handle) Show(v any) {
	h.mu.Lock()
	h.stopTimerLocked()
	h.seq++
	seq := h.seq
	h.pending, h.hasPending = nil, false
	h.shown = true
	h.sending++
	h.mu.Unlock()
	h.send(v, seq, false)
}

// Update replaces what the handle shows with v. The first Update of a
// handle never shown displays v at once (as Show does); later ones send
// update_display_data, at most one per MinUpdateInterval, from another
// goroutine.
func (h *Handle) Update(v any) {
	h.mu.Lock()
	if !h.shown {
		h.mu.Unlock()
		h.Show(v)
		return
	}
	h.seq++
	h.pending, h.hasPending = v, true
	h.scheduleLocked()
	h.mu.Unlock()
	busy.add(h)
}

// scheduleLocked arms the timer that sends the pending value, unless it is
// armed already or a send is under way (which schedules when it ends).
func (h *Handle) scheduleLocked() {
	if h.timer != nil || h.sending > 0 || !h.hasPending {
		return
	}
	h.timer = time.AfterFunc(max(0, MinUpdateInterval-time.Since(h.last)), h.Flush)
}

// Flush sends the update held back by rate limiting, if any, now, and
// returns when it is sent.
func (h *Handle) Flush() {
	h.mu.Lock()
	h.stopTimerLocked()
	if !h.hasPending {
		h.mu.Unlock()
		// A send under way may hold the last value: wait for it.
		h.sendMu.Lock()
		h.sendMu.Unlock()
		return
	}
	v, seq := h.pending, h.seq
	h.pending, h.hasPending = nil, false
	h.sending++
	h.mu.Unlock()
	h.send(v, seq, true)
}

// Close sends any held-back update and stops the handle's timer. Call it
// (or Flush) when done updating, so the final state is shown even if the
// program ends right after. The handle stays usable.
func (h *Handle) Close() { h.Flush() }

func (h *Handle) stopTimerLocked() {
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
}

// send renders v and publishes it, unless a later value went out already;
// then it schedules the next pending value, if any. The caller counted the
// send in h.sending.
func (h *Handle) send(v any, seq uint64, update bool) {
	func() {
		h.sendMu.Lock()
		defer h.sendMu.Unlock()
		if seq <= h.sentSeq {
			return // a later value went out already
		}
		h.sentSeq = seq
		b := Render(v)
		if p := currentPublisher(); p != nil {
			p.Publish(b, h.id, update)
		} else if text := b.textOf(); !update || text != h.lastText {
			// In a terminal, a redrawn chart would print the same
			// line again and again: print only what changed.
			h.lastText = text
			fmt.Fprintln(os.Stdout, text)
		}
	}()

	// The interval runs from when the display went out, so that slow
	// rendering still leaves the frontend time between updates.
	h.mu.Lock()
	h.last = time.Now()
	h.sending--
	h.scheduleLocked()
	idle := !h.hasPending && h.sending == 0
	h.mu.Unlock()
	if idle {
		busy.remove(h)
	}
}

// FlushAll sends the updates that rate limiting holds back in every
// handle, and waits for those being sent. The kernel calls it when a cell
// ends, so that a live chart's final state is part of the cell's output
// (and of a notebook saved by nbclient or godl run) rather than arriving
// after the cell has finished.
func FlushAll() {
	for _, h := range busy.list() {
		h.Flush()
	}
}

// busy is the set of handles with an update held back or being sent.
var busy handleSet

type handleSet struct {
	mu sync.Mutex
	m  map[*Handle]struct{}
}

func (s *handleSet) add(h *Handle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[*Handle]struct{}{}
	}
	s.m[h] = struct{}{}
}

func (s *handleSet) remove(h *Handle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, h)
}

func (s *handleSet) list() []*Handle {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := make([]*Handle, 0, len(s.m))
	for h := range s.m {
		l = append(l, h)
	}
	return l
}
