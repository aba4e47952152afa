package main

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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
	for _, p := range []string{"", "client", "client/mock", "config", "flow", "transcript", "compare", "tui", "internal/cli", "internal/cli/wire", "workbenchtest"} {
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
		{"compare", "the comparison of two runs is data, computed from the runs alone; the views render it",
			[]string{"client/mock", "config", "tui", "transcript", "internal/cli", "internal/cli/wire", "github.com/charmbracelet/"}},
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
	// Only the command line's wiring starts the mocks, and workbenchtest,
	// which runs them for integrators' Go tests (the workbench's own tests
	// use them too).
	mockUsers := []string{"internal/cli", "internal/cli/wire", "workbenchtest"}
	for name, p := range pkgs {
		for _, imp := range p.imports {
			if rel, ok := local(imp); ok && rel == "client/mock" && !slices.Contains(mockUsers, name) {
				t.Errorf("%q imports client/mock: only the command line (internal/cli) and workbenchtest may, and tests", name)
			}
		}
	}
	// workbenchtest is for integrators' tests: it must not pull in the
	// command line, the TUI or the engine.
	for _, d := range pkgs["workbenchtest"].deps {
		if rel, ok := local(d); ok && (rel == "internal/cli" || rel == "tui" || rel == "flow" || rel == "config") {
			t.Errorf("workbenchtest depends on %s: it holds the mocks and the client, nothing above them", d)
		}
	}
	// main.go hands off to internal/cli and holds nothing else.
	for _, imp := range pkgs[""].imports {
		if imp != "os" && imp != module+"/internal/cli" {
			t.Errorf("the root package imports %s: main.go only calls internal/cli", imp)
		}
	}
}

// The size limits of docs/architecture.md: no non-test Go file over
// maxFileLines, no function (or function literal) over maxFuncLines, except
// a function whose body only returns a composite literal (a table of
// scenarios or a step); function literals inside such a table still count.
const (
	maxFileLines = 600
	maxFuncLines = 100
)

// sizeExempt are the directories the size limits do not cover yet.
var sizeExempt = []string{}

func TestFileAndFunctionSizes(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" || slices.Contains(sizeExempt, path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if n := fset.Position(f.End()).Line; n > maxFileLines {
			t.Errorf("%s has %d lines, over %d: split it by concern", path, n, maxFileLines)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			name, body := "", (*ast.BlockStmt)(nil)
			switch fn := n.(type) {
			case *ast.FuncDecl:
				name, body = fn.Name.Name, fn.Body
				if onlyReturnsALiteral(body) {
					return true
				}
			case *ast.FuncLit:
				name, body = "a function literal", fn.Body
			default:
				return true
			}
			if body == nil {
				return true
			}
			start, end := fset.Position(n.Pos()), fset.Position(n.End())
			if lines := end.Line - start.Line + 1; lines > maxFuncLines {
				t.Errorf("%s:%d: %s has %d lines, over %d", path, start.Line, name, lines, maxFuncLines)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// onlyReturnsALiteral reports whether a function body is one return of a
// composite literal.
func onlyReturnsALiteral(body *ast.BlockStmt) bool {
	if body == nil || len(body.List) != 1 {
		return false
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return false
	}
	_, ok = ret.Results[0].(*ast.CompositeLit)
	return ok
}

// noService are the files of client/ that call no service themselves (no
// call{} literal), so they need no mock file of the same name.
var noService = map[string]string{
	"altinn.go":   "the types the Altinn areas share",
	"claims.go":   "what the claims of grants and tokens mean",
	"errors.go":   "the typed errors",
	"exchange.go": "the recorded exchange",
	"explain.go":  "the explanations of error codes",
	"http.go":     "the HTTP client and Base, which every area uses",
	"jwk.go":      "keys as JWK",
	"jwt.go":      "grants and token verification",
	"poll.go":     "polling a request, through Requests.Get and GetAgent",
	"token.go":    "the system user token, through Maskinporten.Token",
	"trace.go":    "the mocks' trace header",
}

// TestClientAndMockFilesNamedAlike: every file of client/ that calls a
// service has a file of the same name in client/mock/, and every path it
// sends is a route written whole in that file, so that grepping a path
// from the client finds its handler.
func TestClientAndMockFilesNamedAlike(t *testing.T) {
	fset := token.NewFileSet()
	parse := func(dir string) map[string]*ast.File {
		files := map[string]*ast.File{}
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range names {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(p)] = f
		}
		return files
	}
	clients, mocks := parse("client"), parse(filepath.Join("client", "mock"))
	checked := 0
	if len(clients) == 0 || len(mocks) == 0 {
		t.Fatal("no files in client/ or client/mock/")
	}
	for name := range noService {
		if _, ok := clients[name]; !ok {
			t.Errorf("noService names client/%s, which does not exist", name)
		}
	}
	for name, f := range clients {
		calls := serviceCalls(f)
		if _, listed := noService[name]; listed {
			if len(calls) > 0 {
				t.Errorf("client/%s calls a service (%s) but is on the noService list", name, calls[0].path)
			}
			continue
		}
		if len(calls) == 0 {
			t.Errorf("client/%s calls no service: add it to noService, with what it holds", name)
			continue
		}
		mf, ok := mocks[name]
		if !ok {
			t.Errorf("client/%s calls a service but client/mock/%s does not exist: the mock that answers it goes in a file of the same name", name, name)
			continue
		}
		routes := mockRoutes(mf)
		for _, c := range calls {
			if c.path == "" {
				continue // a URL from elsewhere: the metadata's token endpoint, a confirmUrl
			}
			checked++
			if !slices.ContainsFunc(routes, func(r string) bool { return routeMatches(r, c.method, c.path) }) {
				t.Errorf("%s: %s %s has no route written whole in client/mock/%s", fset.Position(c.pos), c.method, c.path, name)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d paths of client/ checked against the mocks' routes; the test no longer reads the calls", checked)
	}
}

// serviceCall is one call{} literal of a client: its method and its path
// with "{}" for each part that is not a string literal ("" when the path
// is a URL from elsewhere).
type serviceCall struct {
	method, path string
	pos          token.Pos
}

func serviceCalls(f *ast.File) []serviceCall {
	var out []serviceCall
	ast.Inspect(f, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if id, ok := cl.Type.(*ast.Ident); !ok || id.Name != "call" {
			return true
		}
		c := serviceCall{pos: cl.Pos()}
		for _, e := range cl.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			switch kv.Key.(*ast.Ident).Name {
			case "method":
				if sel, ok := kv.Value.(*ast.SelectorExpr); ok {
					c.method = strings.ToUpper(strings.TrimPrefix(sel.Sel.Name, "Method"))
				}
			case "path":
				c.path = pathPattern(kv.Value)
			}
		}
		out = append(out, c)
		return true
	})
	return out
}

// pathPattern flattens "a/" + x + "/b" into "a/{}/b"; "" when the path does
// not start with a string literal.
func pathPattern(e ast.Expr) string {
	var parts []ast.Expr
	var flatten func(ast.Expr)
	flatten = func(e ast.Expr) {
		if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		parts = append(parts, e)
	}
	flatten(e)
	if lit, ok := parts[0].(*ast.BasicLit); !ok || lit.Kind != token.STRING {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		if lit, ok := p.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			b.WriteString(s)
		} else {
			b.WriteString("{}")
		}
	}
	return b.String()
}

// mockRoutes are a mock file's routes: the patterns it registers
// (HandleFunc, Handle) and the paths it compares r.URL.Path with.
func mockRoutes(f *ast.File) []string {
	var out []string
	str := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			out = append(out, s)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "HandleFunc" || sel.Sel.Name == "Handle") && len(x.Args) > 0 {
				str(x.Args[0])
			}
		case *ast.BinaryExpr:
			if sel, ok := x.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Path" && (x.Op == token.EQL || x.Op == token.NEQ) {
				str(x.Y)
			}
		}
		return true
	})
	return out
}

// routeMatches reports whether the mux pattern ("GET /a/{id}", or "/a" for
// any method) serves method and path ("a/{}", as pathPattern makes it).
func routeMatches(pattern, method, path string) bool {
	m, p, hasMethod := strings.Cut(pattern, " ")
	if !hasMethod {
		m, p = "", pattern
	}
	if m != "" && m != method {
		return false
	}
	want, have := strings.Split(strings.TrimPrefix(p, "/"), "/"), strings.Split(path, "/")
	for i, seg := range want {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") {
			return true
		}
		if i >= len(have) || (seg != have[i] && !(strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"))) {
			return false
		}
	}
	return len(want) == len(have)
}
