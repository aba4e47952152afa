package classroom

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
	"github.com/systembruker/workbench/tui"
	gossh "golang.org/x/crypto/ssh"
)

// trainee is one trainee of the class: who they are, their world while
// it lives, their TUI kept between sessions, and what the roster shows.
// Every field is guarded by the Server's mu.
type trainee struct {
	who      identity
	dir      string // their handouts' folder, under Options.Handouts
	joined   time.Time
	left     time.Time // when their last session ended
	connects int
	remote   string

	// world is their mock world, nil before it starts and once it has
	// been cleaned up; it lives in ctx, which stopWorld ends.
	world     *wire.Session
	ctx       context.Context
	stopCtx   context.CancelFunc
	term      *terminal
	model     *tui.Model // the TUI as their last session left it
	stopModel context.CancelFunc
	pending   *tui.SwitchScenario // the trainer's, for when they return

	status   tui.Status
	finished []string // scenarios they ran to the end as expected
	solved   []string // exercises they solved
	handout  string   // the last handout written

	seat *seat       // their live session, nil while away
	idle *time.Timer // cleans the world up when they stay away
	gen  int         // counts sessions, so a stale idle timer does nothing
}

// attach seats a session: the trainee's world found again (a reconnect)
// or started, their earlier session ended when this is the same person
// again. The same name with the join code from another machine is
// someone else, and is refused rather than shown another's world.
func (s *Server) attach(sess ssh.Session, who identity) (*seat, *trainee, error) {
	remote := hostOf(sess.RemoteAddr())
	for try := 0; ; try++ {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			return nil, nil, errors.New("the class has ended")
		}
		t := s.trainees[who.id]
		if t == nil || t.seat == nil {
			st, err := s.seatLocked(sess, t, who, remote)
			s.mu.Unlock()
			if err != nil {
				return nil, nil, err
			}
			how := "came back to their world"
			if st.newWorld {
				how = "came back to a new world (theirs was cleaned up)"
			}
			if st.owner.connects == 1 {
				how = "joined with " + map[string]string{"key": "their key", "join code": "the join code"}[who.how]
			}
			s.logf(st.owner.who.name, "%s, from %s", how, remote)
			s.notify()
			return st, st.owner, nil
		}
		old := t.seat
		s.mu.Unlock()
		switch {
		case who.how == "join code" && old.remote != remote:
			return nil, nil, fmt.Errorf("someone is connected as %s already, from another machine: connect with a name of your own, e.g. %s",
				who.name, strings.Replace(s.JoinLine(hostOf(sess.LocalAddr())), "YOURNAME", who.name+"2", 1))
		case try > 0:
			return nil, nil, errors.New("your earlier session has not ended yet: try again in a minute")
		}
		s.logf(old.owner.who.name, "connected again from %s: the earlier session ends", remote)
		kick(old)
		select {
		case <-old.done:
		case <-time.After(10 * time.Second):
		}
	}
}

// seatLocked seats sess for t (nil: a new trainee), starting their world
// when they have none.
func (s *Server) seatLocked(sess ssh.Session, t *trainee, who identity, remote string) (*seat, error) {
	newWorld := t == nil || t.world == nil
	if newWorld {
		if n := s.worldsLocked(); n >= s.opts.MaxSessions {
			return nil, fmt.Errorf("the class is full (%d trainees): ask the trainer", n)
		}
		fresh := t == nil
		if fresh {
			t = &trainee{who: who, dir: s.dirFor(who.name), joined: time.Now(), term: newTerminal()}
		}
		if err := s.startWorld(t); err != nil {
			return nil, err
		}
		if fresh {
			s.trainees[who.id] = t
			s.order = append(s.order, t)
		}
	}
	if t.idle != nil {
		t.idle.Stop()
	}
	t.gen++
	t.connects++
	t.remote = remote
	st := &seat{owner: t, sess: sess, remote: remote, newWorld: newWorld, done: make(chan struct{})}
	t.seat = st
	s.seats[sess] = st
	return st, nil
}

// worldsLocked counts the worlds alive: the seats of the class.
func (s *Server) worldsLocked() int {
	n := 0
	for _, t := range s.order {
		if t.world != nil {
			n++
		}
	}
	return n
}

// dirFor is a handout folder for name that no other trainee has.
func (s *Server) dirFor(name string) string {
	dir := name
	for i := 2; slices.ContainsFunc(s.order, func(t *trainee) bool { return strings.EqualFold(t.dir, dir) }); i++ {
		dir = fmt.Sprintf("%s-%d", name, i)
	}
	return dir
}

// startWorld starts the trainee's own mock services, and their handout
// folder.
func (s *Server) startWorld(t *trainee) error {
	if err := os.MkdirAll(filepath.Join(s.opts.Handouts, t.dir), 0o755); err != nil {
		return fmt.Errorf("the trainer's handout folder: %w", err)
	}
	ctx, stop := context.WithCancel(s.ctx)
	w, err := wire.Start(ctx, s.opts.Config)
	if err != nil {
		stop()
		return fmt.Errorf("start your world: %w", err)
	}
	t.world, t.ctx, t.stopCtx = w, ctx, stop
	return nil
}

// stopWorld ends the trainee's world and the TUI that ran on it.
func (t *trainee) stopWorld() {
	t.dropModel()
	if t.world != nil {
		t.world.Close()
		t.stopCtx()
		t.world = nil
	}
	if t.idle != nil {
		t.idle.Stop()
	}
}

// dropModel forgets the kept TUI (and cancels what it still runs): the
// next session starts a fresh one on the same scenario.
func (t *trainee) dropModel() {
	if t.stopModel != nil {
		t.stopModel()
	}
	t.model, t.stopModel = nil, nil
}

// kick ends a session: its connection closes, its program quits.
func kick(st *seat) {
	if c, ok := st.sess.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn); ok {
		c.Close()
	}
	if st.p != nil {
		st.p.Quit()
	}
}

// modelFor is the TUI for the trainee's new session: the one their last
// session left, or a fresh one on their last scenario (the room's, for a
// newcomer); and the trainer's scenario switch that waited for them.
func (s *Server) modelFor(t *trainee) (tui.Model, *tui.SwitchScenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := t.pending
	t.pending = nil
	if t.model != nil {
		return *t.model, pending
	}
	ctx, stop := context.WithCancel(t.ctx)
	scenario := t.status.Scenario
	if scenario == "" {
		scenario = s.room
	}
	m := tui.New(ctx, t.world.Services, t.world.Settings,
		tui.WithRenderer(t.term.r), tui.WithOutput(t.term), tui.WithEnv(t.term.lookup),
		tui.WithClipboard(t.term.copy), tui.WithOpener(noBrowser),
		tui.WithExportDir(filepath.Join(s.opts.Handouts, t.dir)),
		tui.WithScenario(scenario), tui.WithScenarios(flow.Catalog(t.world.Settings, s.opts.Scenarios)),
		tui.WithObserver(func(st tui.Status) { s.observed(t, st) }))
	t.model, t.stopModel = &m, stop
	return m, pending
}

// keep stores the trainee's TUI after each Update, so a session that
// drops leaves it for the next (copied into the one kept, not allocated).
func (s *Server) keep(t *trainee, m seatModel) {
	s.mu.Lock()
	if t.model != nil {
		*t.model = m.m
	}
	s.mu.Unlock()
}

// detach handles a session's end: the trainee is away, their world waits
// the idle time for them, and their handout is written. A TUI left in
// the middle of a run is not kept (the run's results went to the ended
// session): they come back to a fresh one on the same scenario.
func (s *Server) detach(st *seat, t *trainee) {
	s.mu.Lock()
	delete(s.seats, st.sess)
	var m *tui.Model
	if t.model != nil {
		kept := *t.model
		m = &kept
		if kept.Status().Running {
			t.dropModel()
		}
	}
	t.seat, t.left = nil, time.Now()
	gen := t.gen
	msg := "left; their world waits " + durationText(s.opts.Idle)
	if s.closing {
		msg = "session ended with the class"
	} else {
		t.idle = time.AfterFunc(s.opts.Idle, func() { s.expire(t, gen) })
	}
	dir, name := filepath.Join(s.opts.Handouts, t.dir), t.who.name
	s.mu.Unlock()
	t.term.detach()
	if m != nil {
		switch file, err := writeHandout(dir, *m); {
		case err != nil:
			msg += "; the handout failed: " + err.Error()
		case file != "":
			s.mu.Lock()
			t.handout = file
			s.mu.Unlock()
			msg += "; handout " + file
		}
	}
	s.logf(name, "%s", msg)
	close(st.done)
	s.notify()
}

// expire cleans up the world of a trainee who stayed away the idle time.
func (s *Server) expire(t *trainee, gen int) {
	s.mu.Lock()
	if t.gen != gen || t.seat != nil || t.world == nil {
		s.mu.Unlock()
		return
	}
	t.stopWorld()
	name := t.who.name
	s.mu.Unlock()
	s.logf(name, "away %s: their world is cleaned up", durationText(s.opts.Idle))
	s.notify()
}

// observed takes a trainee's Status from their TUI (in its Update: quick,
// and never back into the program).
func (s *Server) observed(t *trainee, st tui.Status) {
	s.mu.Lock()
	prev := t.status
	t.status = st
	finished := st.Finished && st.AsExpected && !slices.Contains(t.finished, st.Scenario)
	if finished {
		t.finished = append(t.finished, st.Scenario)
	}
	solved := st.Exercise && st.Solved && !slices.Contains(t.solved, st.Scenario)
	if solved {
		t.solved = append(t.solved, st.Scenario)
	}
	name := t.who.name
	s.mu.Unlock()
	if e := st.LastError; e != prev.LastError && e.Step != 0 {
		s.logf(name, "%s step %d (%s): %s", st.Scenario, e.Step, e.StepID, errorText(e))
	}
	if finished {
		s.logf(name, "%s ended as expected", st.Scenario)
	}
	if solved {
		s.logf(name, "solved the exercise %s", st.Scenario)
	}
	s.notify()
}

// errorText is an error for the roster and the log: its codes, or its
// message when it has none; "(expected)" when the scenario wants it.
func errorText(e tui.SeenError) string {
	text := e.Code
	if text == "" {
		text = e.Message
	}
	if e.Expected {
		text += " (expected)"
	}
	return text
}

// SendRoom moves every trainee to the scenario: those connected now, the
// others when they come back, and newcomers start on it.
func (s *Server) SendRoom(scenario string) (int, error) {
	if !slices.Contains(s.names, scenario) {
		return 0, fmt.Errorf("no scenario %q", scenario)
	}
	msg := tui.SwitchScenario{Name: scenario, By: "the trainer"}
	var live []*tea.Program
	s.mu.Lock()
	s.room = scenario
	for _, t := range s.order {
		if t.seat != nil && t.seat.p != nil {
			live = append(live, t.seat.p)
		} else {
			t.pending = &msg
		}
	}
	n := len(s.order)
	s.mu.Unlock()
	for _, p := range live {
		go p.Send(msg)
	}
	s.logf("", "the room goes to scenario %s (%d trainees, %d connected)", scenario, n, len(live))
	return len(live), nil
}

// Reset puts a trainee's world back to its seed and their TUI back to
// the start of their scenario.
func (s *Server) Reset(id string) error {
	s.mu.Lock()
	t := s.trainees[id]
	if t == nil || t.world == nil {
		s.mu.Unlock()
		return fmt.Errorf("%s has no world to reset", strings.TrimPrefix(id, "name:"))
	}
	w, name, scenario := t.world, t.who.name, t.status.Scenario
	var p *tea.Program
	if t.seat != nil {
		p = t.seat.p
	} else {
		t.dropModel()
	}
	s.mu.Unlock()
	if err := w.Mock.Reset(); err != nil {
		return fmt.Errorf("reset %s's world: %w", name, err)
	}
	if p != nil {
		go p.Send(tui.SwitchScenario{Name: scenario, By: "the trainer, resetting your world,"})
	}
	s.logf(name, "world reset by the trainer")
	return nil
}

// durationText is d as a person writes it: 30m, 1h30m, 45s.
func durationText(d time.Duration) string {
	if d < time.Minute {
		return d.String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
