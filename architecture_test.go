package main

import (
	"go/build"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The module's packages import in one direction: config → client (real
// or mock base URLs) → flow → views (tui, transcript, the command line's
// printer). docs/architecture.md draws the picture; this test keeps it.

const module = "github.com/systembruker/workbench"

// pkgInfo is a package's direct imports and all it depends on.
type pkgInfo struct{ imports, deps []string }

// packages asks the go command for the module's packages, without their
// tests: a test may import what its package may not.
func packages(t *testing.T) map[string]pkgInfo {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(build.Default.GOROOT, "bin", "go")
	}
	out, err := exec.Command(goCmd, "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkgInfo{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(l, "|")
		if len(f) != 3 {
			t.Fatalf("go list line %q", l)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")
		pkgs[name] = pkgInfo{imports: strings.Split(f[1], ","), deps: strings.Split(f[2], ",")}
	}
	for _, p := range []string{"", "client", "client/mock", "config", "flow", "transcript", "tui", "internal/cli", "internal/cli/wire"} {
		if _, ok := pkgs[p]; !ok {
			t.Fatalf("go list names no package %q; the rules below would check nothing", p)
		}
	}
	return pkgs
}

// local is an import path inside the module, relative to it ("" for the
// root); ok false for the standard library and other modules.
func local(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

func TestImportDirection(t *testing.T) {
	pkgs := packages(t)
	// What each package must not depend on, directly or through another.
	forbidden := []struct {
		pkg, why string
		not      []string // module packages, or a prefix of other modules' paths ending in /
	}{
		{"client", "the clients are the bottom: one per real service, knowing nothing above them",
			[]string{"client/mock", "config", "flow", "transcript", "tui", "internal/cli", "internal/cli/wire"}},
		{"config", "config knows files and fields, never the engine or the mocks",
			[]string{"client/mock", "flow", "transcript", "tui", "internal/cli", "internal/cli/wire"}},
		{"flow", "the engine renders nothing and reaches the mocks only over HTTP",
			[]string{"client/mock", "config", "transcript", "tui", "internal/cli", "internal/cli/wire", "github.com/charmbracelet/"}},
		{"transcript", "a view of a finished run reads the run's data and nothing else",
			[]string{"client/mock", "config", "tui", "internal/cli", "internal/cli/wire", "github.com/charmbracelet/"}},
		{"tui", "the TUI is a view of the engine: it gets its services and settings from the command line",
			[]string{"client/mock", "config", "internal/cli", "internal/cli/wire"}},
	}
	for _, rule := range forbidden {
		for _, d := range pkgs[rule.pkg].deps {
			rel, isLocal := local(d)
			for _, n := range rule.not {
				if (isLocal && rel == n) || (strings.HasSuffix(n, "/") && strings.HasPrefix(d, n)) {
					t.Errorf("%s depends on %s: %s", rule.pkg, d, rule.why)
				}
			}
		}
	}
	// Only the command line's wiring starts the mocks (and integrators'
	// and the workbench's own tests use them).
	for name, p := range pkgs {
		for _, imp := range p.imports {
			if rel, ok := local(imp); ok && rel == "client/mock" && name != "internal/cli" && name != "internal/cli/wire" {
				t.Errorf("%q imports client/mock: only the command line (internal/cli) and tests may", name)
			}
		}
	}
	// main.go hands off to internal/cli and holds nothing else.
	for _, imp := range pkgs[""].imports {
		if imp != "os" && imp != module+"/internal/cli" {
			t.Errorf("the root package imports %s: main.go only calls internal/cli", imp)
		}
	}
}
