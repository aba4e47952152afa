package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

// servedWorld is a serve running in-process.
type servedWorld struct {
	urls           map[string]string // the NAME URL lines
	stdout, stderr *syncBuffer
}

// startServe runs `workbench serve args...` in-process until the test
// ends, and waits for its three lines.
func startServe(t *testing.T, args ...string) *servedWorld {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &servedWorld{urls: map[string]string{}, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() { done <- serve(ctx, globals{}, args, w.stdout, w.stderr) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve ended with %d", code)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(w.stdout.String(), "\n") < 3 {
		select {
		case code := <-done:
			t.Fatalf("serve %v ended with %d:\n%s", args, code, w.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no URLs in 10 s:\n%s", w.stderr)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(w.stdout.String()), "\n") {
		name, u, _ := strings.Cut(l, " ")
		w.urls[name] = u
	}
	return w
}

func httpGet(t *testing.T, u, bearer string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// The acceptance of serve --addr and --demo: the layout, the health check,
// a token from the demo files and the API with it, and the request log
// with a refused grant's rule and code.
func TestServeAddrDemoTokenAndLog(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "demo")
	w := startServe(t, "--addr", "127.0.0.1:0", "--demo", dir)

	stdout := w.stdout.String()
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); len(lines) != 3 {
		t.Fatalf("stdout holds more than the three NAME URL lines:\n%s", stdout)
	}
	mp := w.urls["maskinporten"]
	root := strings.TrimSuffix(mp, "maskinporten/")
	if !strings.HasPrefix(mp, "http://127.0.0.1:") || w.urls["altinn"] != root+"altinn/" ||
		w.urls["skatteetaten"] != root+"skatteetaten/api/innkreving/kravogbetalinger/" {
		t.Fatalf("the lines:\n%s", stdout)
	}
	status, body := httpGet(t, mp+".well-known/oauth-authorization-server", "")
	var md client.Metadata
	if err := json.Unmarshal(body, &md); status != 200 || err != nil || md.Issuer != mp || md.TokenEndpoint != mp+"token" || md.JWKSURI != mp+"jwk" {
		t.Fatalf("well-known under the prefix: %d %s", status, body)
	}
	if status, body := httpGet(t, root+"mock/health", ""); status != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("GET /mock/health: %d %s", status, body)
	}

	// The demo files, as the README uses them: one line, a token.
	for _, f := range []string{demoKeyFile, demoSeedFile, demoConfigFile} {
		if !strings.Contains(w.stderr.String(), filepath.Join(dir, f)) {
			t.Errorf("stderr does not name %s:\n%s", f, w.stderr)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, demoKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the demo key: %v %v", err, st)
	}
	tok, errOut, code := cli(t, "--config", filepath.Join(dir, demoConfigFile), "token")
	tok = strings.TrimSpace(tok)
	if code != 0 || strings.Count(tok, ".") != 2 {
		t.Fatalf("workbench token with the demo config: %d %q %s", code, tok, errOut)
	}
	api := w.urls["skatteetaten"] + "v1/regnskapssystem/" + mock.DemoCustomerOrgNo + "/aapnekrav"
	if status, body := httpGet(t, api, tok); status != 200 || !strings.Contains(string(body), "aapentKravMedGjenstaaendeBeloep") {
		t.Fatalf("the API with the demo token: %d %s", status, body)
	}

	// A refused grant: production's aud, signed with the demo key.
	key, _, err := config.LoadKey(filepath.Join(dir, demoKeyFile), config.KeyOptions{KeyID: mock.DemoKeyID})
	if err != nil {
		t.Fatal(err)
	}
	g, err := client.Grant{ClientID: mock.DemoClientID, Audience: "https://maskinporten.no/", Scopes: []string{mock.ScopeKravOgBetalinger}}.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(mp+"token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {g}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("a grant for production: %d", res.StatusCode)
	}
	if _, _, code := cli(t, "--config", filepath.Join(dir, demoConfigFile), "token", "--org", mock.OrgTiger); code != 1 {
		t.Errorf("a token for an org without a system user: exit %d, want 1", code)
	}
	log := w.stderr.String()
	for _, want := range []string{
		"method=GET path=/maskinporten/.well-known/oauth-authorization-server status=200",
		"method=GET path=/mock/health status=200",
		"method=POST path=/maskinporten/token status=200",
		"method=GET path=/skatteetaten/api/innkreving/kravogbetalinger/v1/regnskapssystem/310904473/aapnekrav status=200",
		`method=POST path=/maskinporten/token status=400 error=invalid_grant code=MP-110 rule="Invalid JWT claim aud: aud is \"https://maskinporten.no/\"`,
		"status=400 error=invalid_altinn_customer_configuration code=MP-303 rule=\"Altinn found no system user",
		"duration=",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the request log lacks %q", want)
		}
	}
	assertNoKeyMaterial(t, "serve's output", stdout+log, key.Key)
	if strings.Contains(log, tok) || strings.Contains(log, g) {
		t.Error("the request log shows a token or a grant")
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", log)
	}
}

// A second serve --demo on the same DIR keeps the key, and the JSON log
// has one object per request.
func TestServeDemoKeepsItsKeyAndLogsJSON(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	first, err := prepareDemo(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := startServe(t, "--demo", dir, "--log-format", "json")
	if !strings.Contains(w.stderr.String(), "kept from an earlier run") {
		t.Errorf("the second run does not say it kept the key:\n%s", w.stderr)
	}
	key, _, err := config.LoadKey(filepath.Join(dir, demoKeyFile), config.KeyOptions{KeyID: mock.DemoKeyID})
	if err != nil || !key.Key.Equal(first.key.Key) {
		t.Fatalf("the key changed: %v", err)
	}
	var seed mock.Seed
	if b, err := os.ReadFile(filepath.Join(dir, demoSeedFile)); err != nil || json.Unmarshal(b, &seed) != nil || len(seed.Clients) != 1 {
		t.Fatalf("the seed file: %v", err)
	}
	// Without --addr each service has its own port, at its root.
	if mp := w.urls["maskinporten"]; strings.Contains(mp, "/maskinporten/") {
		t.Errorf("without --addr the maskinporten URL is %s", mp)
	}
	if tok, errOut, code := cli(t, "--config", filepath.Join(dir, demoConfigFile), "token"); code != 0 {
		t.Fatalf("token: %d %s %s", code, tok, errOut)
	}
	n := 0
	for _, l := range strings.Split(w.stderr.String(), "\n") {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a JSON record: %s", l)
		}
		for _, k := range []string{"method", "path", "status", "service", "duration"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("record without %s: %s", k, l)
			}
		}
		n++
	}
	if n < 3 { // well-known, jwk or token, and Altinn's lookup
		t.Errorf("%d JSON records:\n%s", n, w.stderr)
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	cleanEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"--public-url", "http://workbench:8080"}, "give --addr"},
		{[]string{"--addr", "8080"}, "HOST:PORT"},
		{[]string{"--addr", "127.0.0.1:0", "--public-url", "http://workbench:8080/wb/"}, "scheme and host only"},
		{[]string{"--addr", "127.0.0.1:0", "--public-url", "workbench"}, "give scheme and host"},
		{[]string{"--demo", "/dev/null/x"}, "--demo"},
	} {
		var out, errb bytes.Buffer
		code := serve(context.Background(), globals{}, c.args, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), c.want) || out.Len() != 0 {
			t.Errorf("serve %v: %d, stdout %q, stderr %q; want an error naming %q", c.args, code, out.String(), errb.String(), c.want)
		}
	}
	var errb bytes.Buffer
	if _, msg := (serveFlags{addr: "0.0.0.0:8080", logFormat: "text"}).options(&errb); msg != "" ||
		!strings.Contains(errb.String(), "warning: --addr 0.0.0.0:8080 listens beyond loopback") || !strings.Contains(errb.String(), "--public-url") {
		t.Errorf("no warning for a bind beyond loopback: %q %q", msg, errb.String())
	}
	errb.Reset()
	if _, msg := (serveFlags{addr: "localhost:8080", logFormat: "text"}).options(&errb); msg != "" || errb.Len() != 0 {
		t.Errorf("a warning for loopback: %q %q", msg, errb.String())
	}
}
