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

// runEndedMsg says a run is over. stoppedAt is the step a whole-scenario
// run stopped at (-1 when it ran to the end).
type runEndedMsg struct {
	run       int
	all       bool
	stoppedAt int
}

// clockMsg re-renders what shows the time ("expires in 1m52s").
type clockMsg struct{}

// copiedMsg reports a copy to the clipboard.
type copiedMsg struct {
	what string
	n    int
	err  error
}

// runRequest is a copy of everything a run needs.
type runRequest struct {
	id    int
	eng   *flow.Engine
	steps []int
	// all runs the whole scenario from a reset, with the user's edited
	// inputs put back, stopping at the first step that fails.
	all   bool
	edits map[flow.Param]string
}

// startRun returns the Cmd that runs the steps and the Cmd that delivers
// the first of its events.
func startRun(ctx context.Context, rq runRequest) tea.Cmd {
	steps := append([]int(nil), rq.steps...)
	edits := make(map[flow.Param]string, len(rq.edits))
	for k, v := range rq.edits {
		edits[k] = v
	}
	eng, id, all := rq.eng, rq.id, rq.all
	ch := make(chan runItem, 64)
	run := func() tea.Msg {
		defer close(ch)
		emit := func(ev flow.Event) {
			select {
			case ch <- runItem{ev: &ev}:
			case <-ctx.Done():
			}
		}
		if all {
			// Engine.RunAll resets the inputs too, which would lose the
			// user's edits; see the report for the engine change asked for.
			eng.Reset()
			for p, v := range edits {
				_ = eng.SetParam(p, v)
			}
		}
		end := &runEndedMsg{run: id, all: all, stoppedAt: -1}
		for _, i := range steps {
			if ctx.Err() != nil {
				end.stoppedAt = i
				break
			}
			r := eng.RunStep(ctx, i, emit)
			if all && (r.Outcome != flow.Done || r.Err != nil) {
				end.stoppedAt = i
				break
			}
		}
		select {
		case ch <- runItem{end: end}:
		case <-ctx.Done():
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

// copyCmd copies text with the clipboard function.
func copyCmd(clip func(string) error, what, text string) tea.Cmd {
	return func() tea.Msg {
		return copiedMsg{what: what, n: len(text), err: clip(text)}
	}
}
