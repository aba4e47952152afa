package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// starter is the commented tt02 config `workbench config init` writes.
//
//go:embed starter.toml
var starter []byte

// Starter is the commented starter config for tt02: every field with what
// to put there, the ones to fill in marked FILL IN.
func Starter() []byte { return append([]byte(nil), starter...) }

// ErrExists is returned by WriteStarter for a file that is there already.
var ErrExists = errors.New("exists already")

// WriteStarter writes the starter config to path with mode 0600. An
// existing file is left alone unless force is set.
func WriteStarter(path string, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s %w; pass --force to overwrite it", path, ErrExists)
	}
	if err != nil {
		return err
	}
	if force {
		// An existing file keeps its mode on truncation.
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Write(starter); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
