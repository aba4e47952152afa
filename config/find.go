package config

import (
	"os"
	"path/filepath"
)

// Finding the configuration: every command looks in the same places, in
// this order, and says which file it uses.

// FileName is the configuration's file name in the places Find looks.
const FileName = "workbench.toml"

// Where a configuration file came from.
const (
	FromFlag      = "--config"
	FromEnv       = "$WORKBENCH_CONFIG"
	FromDir       = "the current directory"
	FromConfigDir = "your config directory"
)

// FindOptions are what Find looks at: the flag, the environment, the
// working directory and the user's config directory. The command line
// hands in its own; a test hands in temporary ones, so that it never reads
// a developer's configuration.
type FindOptions struct {
	// Flag is --config's value.
	Flag string
	// Getenv reads WORKBENCH_CONFIG; nil means os.Getenv.
	Getenv func(string) string
	// Dir is the working directory; empty means ".".
	Dir string
	// UserConfigDir is os.UserConfigDir or a stand-in; nil means none.
	UserConfigDir func() (string, error)
}

// Found is the configuration file Find chose.
type Found struct {
	// Path is the file; empty when there is none (the defaults: the
	// embedded mocks).
	Path string
	// From says why: FromFlag, FromEnv, FromDir or FromConfigDir.
	From string
	// Looked lists the places looked in, for the message when there is
	// no file.
	Looked []string
}

// Find chooses the configuration file: --config, else $WORKBENCH_CONFIG,
// else ./workbench.toml, else workbench/workbench.toml in the user's config
// directory (os.UserConfigDir: $XDG_CONFIG_HOME or ~/.config on Linux,
// ~/Library/Application Support on macOS, %AppData% on Windows). A file
// named by the flag or the variable is used even if it does not exist, so
// that loading it says so; the two directories count only when the file is
// there.
func Find(o FindOptions) Found {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if o.Flag != "" {
		return Found{Path: o.Flag, From: FromFlag}
	}
	if p := getenv("WORKBENCH_CONFIG"); p != "" {
		return Found{Path: p, From: FromEnv}
	}
	var f Found
	dir := o.Dir
	if dir == "" {
		dir = "."
	}
	here := filepath.Join(dir, FileName)
	if o.Dir == "" {
		here = FileName
	}
	f.Looked = append(f.Looked, "./"+FileName)
	if isFile(here) {
		return Found{Path: here, From: FromDir}
	}
	if o.UserConfigDir != nil {
		if d, err := o.UserConfigDir(); err == nil && d != "" {
			p := filepath.Join(d, "workbench", FileName)
			f.Looked = append(f.Looked, p)
			if isFile(p) {
				return Found{Path: p, From: FromConfigDir}
			}
		}
	}
	return f
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
