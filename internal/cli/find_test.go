package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandFindsTheConfig: --config, then $WORKBENCH_CONFIG, then
// ./workbench.toml, then the user's config directory; the command says on
// stderr which file it uses. Without one: the embedded mocks, with no
// line for the TUI or scenarios and one for run.
func TestEveryCommandFindsTheConfig(t *testing.T) {
	dir, userDir := t.TempDir(), t.TempDir()
	vars := map[string]string{}
	env := Env{Getenv: func(k string) string { return vars[k] }, Dir: dir,
		UserConfigDir: func() (string, error) { return userDir, nil }}
	wb := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := MainEnv(args, strings.NewReader(""), &out, &errb, env)
		return out.String(), errb.String(), code
	}
	named := func(path, name string) string {
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte("env = \"mock\"\n[customer]\nname = \""+name+"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	if out, errb, code := wb("scenarios"); code != 0 || errb != "" || !strings.Contains(out, "TILFELDIG SUBTIL APE approves") {
		t.Errorf("no file, scenarios: %d %q %q", code, out, errb)
	}
	if _, errb, code := wb("run", "--scenario", "not-approved"); code != 0 || strings.Count(errb, "\n") != 1 ||
		!strings.Contains(errb, "no config file") || !strings.Contains(errb, filepath.Join(userDir, "workbench", "workbench.toml")) {
		t.Errorf("no file, run: %d %q", code, errb)
	}
	user := named(filepath.Join(userDir, "workbench", "workbench.toml"), "FROM-USER-DIR")
	here := named(filepath.Join(dir, "workbench.toml"), "FROM-DIR")
	fromEnv := named(filepath.Join(t.TempDir(), "env.toml"), "FROM-ENV")
	flagged := named(filepath.Join(t.TempDir(), "flag.toml"), "FROM-FLAG")
	for _, tt := range []struct {
		setup func()
		args  []string
		name  string
		line  string
	}{
		{func() {}, nil, "FROM-DIR", "config " + here + " (the current directory)"},
		{func() { os.Remove(here) }, nil, "FROM-USER-DIR", "config " + user + " (your config directory)"},
		{func() { vars["WORKBENCH_CONFIG"] = fromEnv }, nil, "FROM-ENV", "config " + fromEnv + " ($WORKBENCH_CONFIG)"},
		{func() {}, []string{"--config", flagged}, "FROM-FLAG", "config " + flagged + " (--config)"},
	} {
		tt.setup()
		out, errb, code := wb(append(tt.args, "scenarios")...)
		if code != 0 || !strings.Contains(out, tt.name) || strings.TrimSpace(errb) != "workbench: "+tt.line {
			t.Errorf("want %s: %d %q %q", tt.name, code, out, errb)
		}
	}

	// config init writes where config check (and every command) then looks.
	delete(vars, "WORKBENCH_CONFIG")
	os.Remove(user)
	if out, _, code := wb("config", "init"); code != 0 || !strings.Contains(out, filepath.Join(dir, "workbench.toml")) {
		t.Fatalf("config init: %d %s", code, out)
	}
	if out, _, code := wb("config", "check"); code != 1 || !strings.Contains(out, "Checking "+filepath.Join(dir, "workbench.toml")+" (the current directory; env tt02)") {
		t.Errorf("config check after init: %d %s", code, out)
	}
	if _, errb, code := wb("run"); code != 2 || !strings.Contains(errb, "config "+filepath.Join(dir, "workbench.toml")) || !strings.Contains(errb, "config check") {
		t.Errorf("run after init: %d %s", code, errb)
	}
}

// TestMockEnvWithSomeURLs: env = "mock" with some URLs set uses those mocks
// and starts none, so it needs all three.
func TestMockEnvWithSomeURLs(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "w.toml")
	os.WriteFile(cfg, []byte("env = \"mock\"\n[altinn]\nurl = \"http://127.0.0.1:1/\"\n"), 0o600)
	_, errb, code := cli(t, "--config", cfg, "run")
	if code != 2 || !strings.Contains(errb, "set maskinporten.url, altinn.url and skatteetaten.url") {
		t.Errorf("%d %s", code, errb)
	}
}
