package cli

import "github.com/systembruker/workbench/internal/termguard"

// Bubble Tea, which this package imports through tui, is initialised by
// now, and so is its query of the terminal: TERM goes back to what it was
// if the guard made a silent terminal dumb for it (see internal/termguard).
func init() { termguard.Restore() }
