package tui

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// The confirm URL as a QR code, for the person who approves to open on a
// phone. go-qrcode does the encoding (Reed-Solomon, masking); the
// drawing is ours: two modules a cell, one above the other, with the
// half-block characters, so the modules come out square in a terminal's
// cells, which are twice as high as they are wide.

// qrBitmap encodes text as a QR code with low error correction (the
// smallest code: a screen is not a crumpled label) and returns its
// modules, true for dark, without a quiet zone: qrLines adds it.
func qrBitmap(text string) (bits [][]bool, err error) {
	defer func() {
		// The library panics on what it considers its own bugs; a QR code
		// is not worth a crash.
		if p := recover(); p != nil {
			bits, err = nil, fmt.Errorf("QR code: %v", p)
		}
	}()
	q, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// qrRows is how many terminal rows a code of n modules takes with a quiet
// zone of quiet modules on every side.
func qrRows(n, quiet int) int { return (n + 2*quiet + 1) / 2 }

// qrQuiet picks the widest quiet zone, from the 4 modules the standard
// asks for down to 1 (which phones still read), with which a code of n
// modules fits rows×cols; ok is false when even 1 does not fit.
func qrQuiet(n, rows, cols int) (quiet int, ok bool) { return qrQuietMax(n, rows, cols, 4) }

// qrQuietMax is qrQuiet with a quiet zone of at most most modules.
func qrQuietMax(n, rows, cols, most int) (quiet int, ok bool) {
	for q := most; q >= 1; q-- {
		if qrRows(n, q) <= rows && n+2*q <= cols {
			return q, true
		}
	}
	return 1, false
}

// qrLines draws the modules with a quiet zone. inkLight says what the
// terminal's foreground shows: on a dark background the characters are
// the light modules and the quiet zone, so the code reads dark on light
// as scanners expect; on a light background they are the dark modules.
func qrLines(bits [][]bool, quiet int, inkLight bool) []string {
	n := len(bits)
	size := n + 2*quiet
	// ink reports whether module (x, y) of the padded code is drawn.
	ink := func(x, y int) bool {
		dark := false
		if x >= quiet && x < quiet+n && y >= quiet && y < quiet+n {
			dark = bits[y-quiet][x-quiet]
		}
		if y >= size { // the lower half of the last row of an odd size
			return false
		}
		return dark != inkLight
	}
	lines := make([]string, 0, qrRows(n, quiet))
	var b strings.Builder
	for y := 0; y < size; y += 2 {
		b.Reset()
		for x := 0; x < size; x++ {
			switch top, bottom := ink(x, y), ink(x, y+1); {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}
