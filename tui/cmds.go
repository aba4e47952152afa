package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/flow"
)

// Messages and the commands that make them. Every step runs inside a Cmd
// that copied its inputs; it streams the engine's events through a
// channel that waitForRun reads one at a time (bubbletea's realtime
// example), and every message carries the run id, so that the events of a
// run the user has moved on from (another scenario, a reset) are dropped.

// runItem is what a run sends on its channel: an engine event, or, last,
// the end of the run.
type runItem struct {
	ev  *flow.Event
	end *runEndedMsg
}

// runEventMsg is one engine event of run id, with the channel the next
// comes from.
type runEventMsg struct {
	run int
	ev  flow.Event
	ch  <-chan runItem
}

// runEndedMsg says a run is over. err is set when the run could not start
// (the mock world could not be reset).
type runEndedMsg struct {
	run int
	all bool
	err error
}

// clockMsg re-renders what shows the time ("expires in 1m52s").
type clockMsg struct{}

// copiedMsg reports a copy to the clipboard.
type copiedMsg struct {
	what string
	n    int
	err  error
}

// openedMsg reports opening a URL in the browser.
type openedMsg struct{ err error }

// runRequest is a copy of everything a run needs.
type runRequest struct {
	id  int
	eng *flow.Engine
	// all runs the whole scenario with Engine.RunAll, which resets the
	// engine and the mock world first (keeping the edited inputs) and
	// ends with a ScenarioEnded event.
	all bool
	// step is the step a single-step run runs; reset puts the mock world
	// back to its seed first, as when the scenario starts from scratch.
	step  int
	reset bool
	// way, when set, is a way on to take (Engine.TakeWay) instead of
	// running step.
	way *flow.WayOn
}

// startRun returns the Cmd that runs the steps and the Cmd that delivers
// the first of its events.
func startRun(ctx context.Context, rq runRequest) tea.Cmd {
	eng, id, all, step, reset, way := rq.eng, rq.id, rq.all, rq.step, rq.reset, rq.way
	ch := make(chan runItem, 64)
	run := func() tea.Msg {
		defer close(ch)
		emit := func(ev flow.Event) {
			select {
			case ch <- runItem{ev: &ev}:
			case <-ctx.Done():
			}
		}
		end := &runEndedMsg{run: id, all: all}
		switch {
		case all:
			eng.RunAll(ctx, emit)
		case way != nil:
			_, _, end.err = eng.TakeWay(ctx, *way, emit)
		default:
			if reset {
				end.err = eng.ResetWorld(ctx)
			}
			if end.err == nil {
				eng.RunStep(ctx, step, emit)
			}
		}
		// The end goes out even when the run was cancelled, as long as
		// there is room: the root then knows no run is going on (a stale
		// run's end it drops by its id). Only a reader that stopped
		// reading, and a context that ended, leave it unsent.
		select {
		case ch <- runItem{end: end}:
		default:
			select {
			case ch <- runItem{end: end}:
			case <-ctx.Done():
			}
		}
		return nil
	}
	return tea.Batch(run, waitForRun(ch, id))
}

// waitForRun delivers the next item of run id's channel.
func waitForRun(ch <-chan runItem, id int) tea.Cmd {
	return func() tea.Msg {
		it, ok := <-ch
		switch {
		case !ok:
			return nil
		case it.end != nil:
			return *it.end
		}
		return runEventMsg{run: id, ev: *it.ev, ch: ch}
	}
}

// tickClock asks for a clockMsg in a second.
func tickClock() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}

// openCmd opens a URL with the opener (the browser).
func openCmd(open func(string) error, url string) tea.Cmd {
	return func() tea.Msg { return openedMsg{err: open(url)} }
}

// copyCmd copies text with the clipboard function.
func copyCmd(clip func(string) error, what, text string) tea.Cmd {
	return func() tea.Msg {
		return copiedMsg{what: what, n: len(text), err: clip(text)}
	}
}
