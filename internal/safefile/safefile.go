// Package safefile writes a file whole or not at all. The data goes to a
// new file beside the target (same directory, so the same file system),
// is synced to disk and then renamed onto the target: a failing write, a
// full disk or a crash leaves the old file as it was, never half of the
// new one. Every file the workbench writes (transcripts, the starter
// config, keys) goes through it.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// ErrExists is returned (wrapped) for a target that is there already when
// overwriting was not asked for.
var ErrExists = errors.New("exists already")

// Options say how to write.
type Options struct {
	// Perm is the new file's mode. A private mode (no group or other
	// bits, e.g. 0600) is set exactly; a wider one is narrowed by the
	// umask, as os.WriteFile does.
	Perm fs.FileMode
	// Overwrite replaces an existing file; without it an existing file is
	// left alone and the error wraps ErrExists.
	Overwrite bool
}

// Write writes data to path (see the package comment).
func Write(path string, data []byte, o Options) error {
	return WriteWith(path, o, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith writes what fill writes to path. When fill fails, nothing is
// renamed: the target keeps its old content and the temporary file is
// removed.
func WriteWith(path string, o Options, fill func(io.Writer) error) (err error) {
	if !o.Overwrite {
		if _, err := os.Lstat(path); err == nil {
			return &fs.PathError{Op: "write", Path: path, Err: ErrExists}
		}
	}
	f, err := createTemp(path, o.Perm)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if o.Perm&0o077 == 0 {
		// Exactly the private mode, whatever the umask.
		if err := f.Chmod(o.Perm); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := fill(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := place(tmp, path, o.Overwrite); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// createTemp makes a new, empty file beside path with the mode perm (less
// the umask). os.CreateTemp would always make it 0600.
func createTemp(path string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 1000 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("write %s: no free temporary name in %s", path, dir)
}

// place moves the finished temporary file onto path. Without overwrite it
// links instead of renaming, which fails if path has appeared since the
// check (rename would replace it); where hard links are not to be had, it
// falls back to the check and a rename.
func place(tmp, path string, overwrite bool) error {
	if overwrite {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		os.Remove(tmp)
		return nil
	case errors.Is(err, fs.ErrExist):
		return &fs.PathError{Op: "write", Path: path, Err: ErrExists}
	}
	if _, err := os.Lstat(path); err == nil {
		return &fs.PathError{Op: "write", Path: path, Err: ErrExists}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// syncDir makes the rename itself durable. Not every system can sync a
// directory; the file is whole either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
