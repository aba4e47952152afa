//go:build !linux && !darwin

package termguard

// Elsewhere (Windows) termenv does not ask the terminal with OSC 11, so
// there is nothing to guard: Dark reports that nothing was asked.
