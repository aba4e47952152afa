//go:build linux || darwin

package termguard

import (
	"syscall"
	"unsafe"
)

// isTerminal reports whether fd is a terminal.
func isTerminal(fd int) bool {
	var t syscall.Termios
	return ioctl(fd, ioctlGetTermios, unsafe.Pointer(&t)) == nil
}

// foreground reports whether this process is the terminal's foreground
// process group: a background one that reads the terminal is stopped.
func foreground(fd int) bool {
	var pgrp int32
	if ioctl(fd, syscall.TIOCGPGRP, unsafe.Pointer(&pgrp)) != nil {
		return false
	}
	return int(pgrp) == syscall.Getpgrp()
}

// noEcho turns off echo and line mode on fd, so the replies are neither
// shown nor held for a newline; restore turns them back on.
func noEcho(fd int) (restore func(), err error) {
	var old syscall.Termios
	if err := ioctl(fd, ioctlGetTermios, unsafe.Pointer(&old)); err != nil {
		return nil, err
	}
	t := old
	t.Lflag &^= syscall.ECHO | syscall.ICANON
	if err := ioctl(fd, ioctlSetTermios, unsafe.Pointer(&t)); err != nil {
		return nil, err
	}
	return func() { _ = ioctl(fd, ioctlSetTermios, unsafe.Pointer(&old)) }, nil
}
