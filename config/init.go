package config

import (
	_ "embed"
	"errors"
	"fmt"

	"github.com/systembruker/workbench/internal/safefile"
)

// starter is the commented tt02 config `workbench config init` writes.
//
//go:embed starter.toml
var starter []byte

// Starter is the commented starter config for tt02: every field with what
// to put there, the ones to fill in marked FILL IN.
func Starter() []byte { return append([]byte(nil), starter...) }

// ErrExists is returned (wrapped) by WriteStarter and NewKey for a file
// that is there already.
var ErrExists = safefile.ErrExists

// WriteStarter writes the starter config to path with mode 0600. An
// existing file is left alone unless force is set; then it is replaced
// whole.
func WriteStarter(path string, force bool) error {
	err := safefile.Write(path, starter, safefile.Options{Perm: 0o600, Overwrite: force})
	if errors.Is(err, ErrExists) {
		return fmt.Errorf("%s %w; pass --force to overwrite it", path, ErrExists)
	}
	return err
}
