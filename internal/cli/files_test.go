package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files the workbench writes: keys and the config are never replaced
// without --force and are mode 0600 whatever was there; transcripts are
// replaced whole, with the mode their content calls for.

func fileMode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestKeysNewNeedsForceToReplaceAKey(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "vendor-key.pem")
	if err := os.WriteFile(out, []byte("my registered key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := cli(t, "keys", "new", "--out", out)
	if code != 1 || !strings.Contains(stderr, "exists already") || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d, stderr %q: want a refusal naming --force", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "my registered key\n" || fileMode(t, out) != 0o644 {
		t.Fatalf("the refused key file changed: %q %04o", b, fileMode(t, out))
	}
	_, _, key, _ := keysNew(t, filepath.Join(dir, "other.pem"))
	stdout, stderr, code := cli(t, "keys", "new", "--out", out, "--force")
	if code != 0 || stdout == "" {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if m := fileMode(t, out); m != 0o600 {
		t.Errorf("the replaced key file is mode %04o, want 0600", m)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("the replaced file is not the new key")
	}
	assertNoKeyMaterial(t, "keys new --force", stdout+stderr, key)
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("left in the directory: %v", es)
	}
}

func TestConfigInitNeedsForceToReplaceAConfig(t *testing.T) {
	cleanEnv(t)
	p := filepath.Join(t.TempDir(), "workbench.toml")
	if err := os.WriteFile(p, []byte("env = \"mock\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "config", "init", p); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if b, _ := os.ReadFile(p); string(b) != "env = \"mock\"\n" {
		t.Fatalf("the refused config changed: %q", b)
	}
	if _, stderr, code := cli(t, "config", "init", p, "--force"); code != 0 {
		t.Fatalf("--force: %d %s", code, stderr)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "FILL IN") || fileMode(t, p) != 0o600 {
		t.Errorf("forced: mode %04o, starter %v", fileMode(t, p), strings.Contains(string(b), "FILL IN"))
	}
}

func TestTranscriptReplacesAnOldOneWhole(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "run.md")
	if err := os.WriteFile(p, []byte(strings.Repeat("an old, longer transcript\n", 5000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "run", "--transcript", p, "--full-tokens"); code != 0 {
		t.Fatalf("run: %d %s", code, stderr)
	}
	b, _ := os.ReadFile(p)
	if strings.Contains(string(b), "an old, longer transcript") || !strings.HasPrefix(string(b), "# ") {
		t.Errorf("the old transcript is not replaced whole: %q…", string(b[:min(len(b), 80)]))
	}
	if m := fileMode(t, p); m != 0o600 {
		t.Errorf("a transcript with full tokens over a 0644 file is mode %04o, want 0600", m)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("left in the directory: %v", es)
	}
}
