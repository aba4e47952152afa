//go:build unix

package cli

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
)

// The process benchmarks (README, "Benchmarks"): the workbench built as a
// binary, run as a user runs it. The machine is shared and noisy, so what
// is compared runs in the same benchmark, alternately.

// buildBinary builds the main package at pkg (a path the go tool takes)
// into dir and returns the binary's path.
func buildBinary(b testing.TB, dir, name, pkg string) string {
	b.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// startServeProcess starts `workbench serve --seed seed` and waits for its first
// line on stdout; it returns the process, the time to that line and the
// lines serve prints (read whole once the first has come).
func startServeProcess(b *testing.B, bin, seed string) (*exec.Cmd, time.Duration, map[string]string) {
	b.Helper()
	cmd := exec.Command(bin, "serve", "--seed", seed)
	var stderr strings.Builder // serve's request log, shown only when it fails
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	urls := map[string]string{}
	var first time.Duration
	for len(urls) < 3 && sc.Scan() {
		if first == 0 {
			first = time.Since(start)
		}
		name, url, _ := strings.Cut(sc.Text(), " ")
		urls[name] = url
	}
	if len(urls) < 3 {
		cmd.Process.Kill()
		cmd.Wait()
		b.Fatalf("serve printed %v; stderr: %s", urls, stderr.String())
	}
	return cmd, first, urls
}

// stopServeProcess ends serve with SIGTERM and returns its peak resident memory
// so far: VmHWM of /proc (Linux), else the rusage's maxrss, which on Linux
// can be the parent's (a child made by vfork shares its memory until it
// execs).
func stopServeProcess(b *testing.B, cmd *exec.Cmd) int64 {
	b.Helper()
	peak := int64(-1)
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(st), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				var kb int64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
					peak = kb * 1024
				}
			}
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("serve: %v", err)
	}
	if peak >= 0 {
		return peak
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// benchKey writes a fresh RSA key as PKCS#8 PEM and returns its public set.
func benchKey(b *testing.B, path, kid string) client.JWKS {
	b.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		b.Fatal(err)
	}
	return client.JWKS{Keys: []client.JWK{client.PublicJWK(&k.PublicKey, kid)}}
}

func writeSeed(b testing.TB, path string, s mock.Seed) {
	b.Helper()
	j, err := json.Marshal(s)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, j, 0o600); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkServeStart starts `workbench serve --seed` with mock.ScaleSeed
// worlds of 1,000, 10,000 and 100,000 system users (and as many clients,
// systems and delegations) and measures the time to its first line on
// stdout and its peak resident memory (budget at 100,000: 5 s, 500 MB).
// Each round also starts serve with an empty seed (the built-in world
// alone): ns/item is the whole start's time over n, marginal-ns/item the
// time beyond the empty world's over n (what a system user adds).
func BenchmarkServeStart(b *testing.B) {
	dir := b.TempDir()
	bin := buildBinary(b, dir, "workbench", "../..")
	jwks := benchKey(b, filepath.Join(dir, "key.pem"), "bench-1")
	empty := filepath.Join(dir, "seed-0.json")
	writeSeed(b, empty, mock.ScaleSeed(0, jwks))
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			seed := filepath.Join(dir, fmt.Sprintf("seed-%d.json", n))
			writeSeed(b, seed, mock.ScaleSeed(n, jwks))
			var total, base time.Duration
			var peak int64
			b.ResetTimer()
			for b.Loop() {
				cmd, first, _ := startServeProcess(b, bin, seed)
				total += first
				peak = max(peak, stopServeProcess(b, cmd))
				b.StopTimer()
				cmd, first, _ = startServeProcess(b, bin, empty)
				base += first
				stopServeProcess(b, cmd)
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s-to-first-line")
			b.ReportMetric(float64(total.Nanoseconds())/float64(b.N)/float64(n), "ns/item")
			b.ReportMetric(float64((total-base).Nanoseconds())/float64(b.N)/float64(n), "marginal-ns/item")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		})
	}
}

// BenchmarkTokenProcess runs `workbench token` as a process and a plain Go
// jwt-bearer client (testdata/plainclient: read the key, sign the grant,
// post it) against the same `workbench serve`, alternately, b.N times each,
// and reports their medians and the ratio of the medians (budget: 1.2).
// The token command's cache (WORKBENCH_CACHE_DIR) is a temporary
// directory, warmed by one run first, as it is for a user's second run.
func BenchmarkTokenProcess(b *testing.B) {
	dir := b.TempDir()
	bin := buildBinary(b, dir, "workbench", "../..")
	plain := buildBinary(b, dir, "plainclient", "./testdata/plainclient")
	keyFile := filepath.Join(dir, "key.pem")
	jwks := benchKey(b, keyFile, "bench-1")
	seed := filepath.Join(dir, "seed.json")
	writeSeed(b, seed, mock.ScaleSeed(2, jwks))
	serve, _, urls := startServeProcess(b, bin, seed)
	defer stopServeProcess(b, serve)

	cfg := filepath.Join(dir, "workbench.toml")
	toml := fmt.Sprintf("env = \"mock\"\n[maskinporten]\nurl = %q\n[vendor]\nclient_id = %q\nkey_file = %q\nkey_id = \"bench-1\"\n[customer]\norg_no = %q\n",
		urls["maskinporten"], mock.ScaleClientID(0), keyFile, mock.ScaleOrgNo(0))
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "WORKBENCH_CACHE_DIR="+filepath.Join(dir, "cache"), "WORKBENCH_CONFIG=")
	wb := func() *exec.Cmd {
		c := exec.Command(bin, "--config", cfg, "token")
		c.Env = env
		return c
	}
	pc := func() *exec.Cmd {
		return exec.Command(plain, urls["maskinporten"]+"token", mock.ScaleClientID(0), "bench-1", keyFile, mock.ScaleOrgNo(0), mock.ScopeKravOgBetalinger)
	}
	run := func(c *exec.Cmd) time.Duration {
		var errb strings.Builder
		c.Stderr = &errb
		start := time.Now()
		out, err := c.Output()
		d := time.Since(start)
		if err != nil || strings.Count(string(out), ".") != 2 {
			b.Fatalf("%s: %v %q %s", c.Path, err, out, errb.String())
		}
		return d
	}
	run(wb()) // fills the cache, as a first run does
	run(pc())
	var tw, tp []time.Duration
	b.ResetTimer()
	for b.Loop() {
		tw = append(tw, run(wb()))
		tp = append(tp, run(pc()))
	}
	b.StopTimer()
	mw, mp := median(tw), median(tp)
	b.ReportMetric(mw.Seconds()*1e3, "token-ms")
	b.ReportMetric(mp.Seconds()*1e3, "plain-ms")
	b.ReportMetric(float64(mw)/float64(mp), "ratio")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
