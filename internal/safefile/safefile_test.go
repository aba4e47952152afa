package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// entries are the names in dir: a left-over temporary file shows here.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestWriteNewFileWithItsMode(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		perm fs.FileMode
	}{{"private", 0o600}, {"script", 0o700}, {"owner-read-only", 0o400}} {
		p := filepath.Join(dir, tt.name)
		if err := Write(p, []byte("hello\n"), Options{Perm: tt.perm}); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != "hello\n" {
			t.Errorf("%s: content %q", tt.name, b)
		}
		if m := mode(t, p); m != tt.perm {
			t.Errorf("%s: mode %04o, want %04o", tt.name, m, tt.perm)
		}
	}
	if got := entries(t, dir); len(got) != 3 {
		t.Errorf("left in the directory: %v", got)
	}
}

func TestWriteRefusesAnExistingFileWithoutOverwrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(p, []byte("new"), Options{Perm: 0o600})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" || mode(t, p) != 0o644 {
		t.Errorf("the old file changed: %q %04o", b, mode(t, p))
	}
	if got := entries(t, filepath.Dir(p)); len(got) != 1 {
		t.Errorf("left in the directory: %v", got)
	}
}

func TestOverwriteReplacesContentAndMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.md")
	if err := os.WriteFile(p, []byte("an old, longer transcript\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new\n"), Options{Perm: 0o600, Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new\n" {
		t.Errorf("content %q", b)
	}
	if m := mode(t, p); m != 0o600 {
		t.Errorf("mode %04o: a private overwrite must not keep the old file's wider mode", m)
	}
}

// An interrupted write (the writer fails half-way, as on a full disk)
// leaves the old file whole and no temporary file behind.
func TestInterruptedWriteLeavesTheOldFileWhole(t *testing.T) {
	for _, overwrite := range []bool{true, false} {
		dir := t.TempDir()
		p := filepath.Join(dir, "transcript.md")
		old := "the whole old transcript\n"
		if overwrite {
			if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		disk := errors.New("no space left on device")
		err := WriteWith(p, Options{Perm: 0o644, Overwrite: overwrite}, func(w io.Writer) error {
			if _, err := io.WriteString(w, "the first half of the new"); err != nil {
				return err
			}
			return disk
		})
		if !errors.Is(err, disk) {
			t.Fatalf("overwrite %v: got %v, want the writer's error", overwrite, err)
		}
		b, rerr := os.ReadFile(p)
		switch {
		case overwrite && string(b) != old:
			t.Errorf("the old file is now %q", b)
		case !overwrite && !errors.Is(rerr, fs.ErrNotExist):
			t.Errorf("a half-written new file exists: %q", b)
		}
		if got := entries(t, dir); len(got) != map[bool]int{true: 1, false: 0}[overwrite] {
			t.Errorf("left in the directory: %v", got)
		}
	}
}

// Two writers of the same new file without overwrite: one wins, the other
// is told the file exists, and the file is the winner's whole.
func TestNoOverwriteIsAtomic(t *testing.T) {
	p := filepath.Join(t.TempDir(), "vendor-key.pem")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Write(p, []byte{byte('a' + i)}, Options{Perm: 0o600})
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("writers %d and %d both wrote", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, ErrExists):
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if b, _ := os.ReadFile(p); won < 0 || string(b) != string(rune('a'+won)) {
		t.Errorf("winner %d, file %q", won, b)
	}
	if got := entries(t, filepath.Dir(p)); len(got) != 1 {
		t.Errorf("left in the directory: %v", got)
	}
}

func TestWriteIntoAMissingDirectory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "such", "dir", "f")
	if err := Write(p, []byte("x"), Options{Perm: 0o600}); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v", err)
	}
}
