package mock

import (
	"bufio"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/systembruker/workbench/client"
)

// The mocks' benchmarks (README, "Benchmarks"). The machine they run on is
// shared and noisy, so each one measures what it compares in the same run,
// interleaved, and reports the ratio.

// benchKid is the kid of the vendor key in the benchmarks' worlds.
const benchKid = "bench-1"

func benchJWKS() client.JWKS {
	return client.JWKS{Keys: []client.JWK{client.PublicJWK(&mpVendorKey().PublicKey, benchKid)}}
}

// benchGrant is a valid system user grant of ScaleSeed's client i for its
// standard system user (i even).
func benchGrant(tb testing.TB, env *Env, i int) string {
	now := env.Clock.Now()
	return mpSign(tb, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"kid": benchKid}, jwt.MapClaims{
		"iss": ScaleClientID(i), "aud": env.MaskinportenURL, "iat": now.Unix(), "exp": now.Add(120 * time.Second).Unix(),
		"jti": mpRandomID(), "scope": ScopeKravOgBetalinger,
		"authorization_details": []any{map[string]any{
			"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + ScaleOrgNo(i)},
		}},
	})
}

// BenchmarkTokenVsSigningLimit measures, in the same run and interleaved in
// twenty rounds, the machine's RSA-2048 signing limit (two goroutines
// signing a token of the size Maskinporten issues, with its key) and
// /token under parallel load: valid system user grants over HTTP, each
// verified, its system user looked up at the mock Altinn over HTTP, the
// token signed. The rounds are interleaved so that the machine's other
// work falls on both alike.
//
// The load comes from the same process, on the same two cores, so what the
// client costs counts against /token. It is measured with two clients:
// a lean one (benchTokensLean: HTTP/1.1 on kept-alive connections, the
// requests written before the timer starts, each answer read with
// http.ReadResponse), as a load generator such as wrk is, which reports
// grants/s, ratio (budget: ≥ 0.85) and cpu-ratio; and net/http's Client
// (on the 2-core machine about 15 µs more CPU a request than a raw
// client's, for the same server), reported as go-grants/s and go-ratio.
//
// The same rounds also measure the floor of the ratio (benchFloorServers):
// the least a token endpoint that must verify the grant, ask a second
// server over HTTP and sign can do with net/http on this machine, sent the
// same grants by the same lean client: floor-ratio and floor-cpu-ratio.
// What /token costs beyond the floor is its rules.
func BenchmarkTokenVsSigningLimit(b *testing.B) {
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(1000, benchJWKS())))
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	tokenURL := env.MaskinportenURL + "token"
	forms := make([]string, 2*b.N) // the first half for the lean client, the second for net/http's
	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(forms); i += runtime.GOMAXPROCS(0) {
				forms[i] = url.Values{"grant_type": {mpJWTBearer}, "assertion": {benchGrant(b, env, 2*(i%500))}}.Encode()
			}
		}()
	}
	wg.Wait()
	lean := benchLeanRequests(b, tokenURL, forms[:b.N])
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	floorURL, stopFloor := benchFloorServers(b, &mpVendorKey().PublicKey)
	defer stopFloor()
	floor := benchLeanRequests(b, floorURL, forms[:b.N]) // the floor keeps no jti: the same grants
	b.ResetTimer()
	var signTime, leanTime, goTime, floorTime, signCPU, leanCPU, floorCPU time.Duration
	const rounds = 20
	for r := range rounds {
		lo, hi := r*b.N/rounds, (r+1)*b.N/rounds
		cpu := processCPU()
		signTime += benchSign(hi - lo)
		mid := processCPU()
		leanTime += benchTokensLean(b, lean, lo, hi)
		signCPU, leanCPU = signCPU+mid-cpu, leanCPU+processCPU()-mid
		goTime += benchTokens(b, hc, tokenURL, forms[b.N+lo:b.N+hi])
		cpu = processCPU()
		floorTime += benchTokensLean(b, floor, lo, hi)
		floorCPU += processCPU() - cpu
	}
	b.StopTimer()
	signs, tokens, goTokens := float64(b.N)/signTime.Seconds(), float64(b.N)/leanTime.Seconds(), float64(b.N)/goTime.Seconds()
	b.ReportMetric(signs, "signs/s")
	b.ReportMetric(tokens, "grants/s")
	b.ReportMetric(tokens/signs, "ratio")
	b.ReportMetric(goTokens, "go-grants/s")
	b.ReportMetric(goTokens/signs, "go-ratio")
	b.ReportMetric(float64(b.N)/floorTime.Seconds()/signs, "floor-ratio")
	// The same ratio in CPU time, which other work on the machine disturbs
	// less: the CPU a signature takes over the CPU a /token takes.
	if leanCPU > 0 && floorCPU > 0 {
		b.ReportMetric(float64(signCPU)/float64(leanCPU), "cpu-ratio")
		b.ReportMetric(float64(signCPU)/float64(floorCPU), "floor-cpu-ratio")
	}
	b.ReportMetric(float64(signCPU.Microseconds())/float64(b.N), "cpu-us/sign")
	b.ReportMetric(float64(leanCPU.Microseconds())/float64(b.N), "cpu-us/token")
	b.ReportMetric(float64(floorCPU.Microseconds())/float64(b.N), "cpu-us/floor")
}

// benchFloorServers serves the floor of the /token ratio: the least a
// token endpoint can do whose every grant is verified, looked up at a
// second server over HTTP with a bearer token, and answered with a signed
// token, on net/http as the mocks are. Its /token reads the form, verifies
// the grant's RS256 signature with pub, GETs the lookup (a query of the
// same length, a bearer of the size of Maskinporten's own token, on
// kept-alive connections), decodes the answer (a system user of the size
// Altinn's is) into mpSystemUser, signs a token-sized input with
// Maskinporten's key, and answers a token-sized JSON. None of the rules
// (claims, times, jti, scopes, the system user, Altinn's check of the
// bearer) is made: a lookup is answered when the bearer is the one sent.
func benchFloorServers(b *testing.B, pub *rsa.PublicKey) (string, func()) {
	bearer := "Bearer " + strings.Repeat("t", 1300)
	user := []byte(`{"id":"7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f","integrationTitle":"SmartCloud","systemId":"991825827_smartcloud","productName":"991825827_smartcloud","reporteeOrgNo":"310000001","created":"2026-12-01T10:00:00.123456789Z","isDeleted":false,"supplierName":"SmartCloud AS","supplierOrgno":"991825827","externalRef":"310000001","userType":"standard"}` + "\n")
	lookup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != bearer || r.URL.Query().Get("clientId") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(user)
	}))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 512, 256
	hc := &http.Client{Transport: tr}
	key := mustKey("maskinporten")
	lookupURL := lookup.URL + "/authentication/api/v1/systemuser/byExternalId?clientId=" + ScaleClientID(0) +
		"&systemProviderOrgNo=991825827&systemUserOwnerOrgNo=310000001"
	input := strings.Repeat("e", 900) // as benchSign's
	token := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int) { w.WriteHeader(status) }
		if err := r.ParseForm(); err != nil {
			fail(http.StatusBadRequest)
			return
		}
		grant := r.PostForm.Get("assertion")
		dot := strings.LastIndexByte(grant, '.')
		sig, err := base64.RawURLEncoding.DecodeString(grant[dot+1:])
		sum := sha256.Sum256([]byte(grant[:max(dot, 0)]))
		if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			fail(http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, lookupURL, nil)
		if err != nil {
			fail(http.StatusInternalServerError)
			return
		}
		req.Header["Authorization"] = []string{bearer}
		resp, err := hc.Do(req)
		if err != nil {
			fail(http.StatusBadGateway)
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		var su mpSystemUser
		if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &su) != nil || su.ID == "" {
			fail(http.StatusBadGateway)
			return
		}
		s, err := jwt.SigningMethodRS256.Sign(input, key)
		if err != nil {
			fail(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(`{"access_token":"` + input + "." + base64.RawURLEncoding.EncodeToString(s) + `","token_type":"Bearer","expires_in":119,"scope":"` + ScopeKravOgBetalinger + `"}` + "\n"))
	}))
	return token.URL + "/token", func() { token.Close(); lookup.Close(); tr.CloseIdleConnections() }
}

// benchSign signs n token-sized JWTs with Maskinporten's key on two
// goroutines and says how long it took.
func benchSign(n int) time.Duration {
	key := mustKey("maskinporten")
	input := strings.Repeat("e", 900) // header.claims of an issued system user token, base64url
	return benchParallel(2, 0, n, func(next func() (int, bool)) {
		for _, ok := next(); ok; _, ok = next() {
			if _, err := jwt.SigningMethodRS256.Sign(input, key); err != nil {
				panic(err)
			}
		}
	})
}

// benchParallel runs work on n goroutines and says how long it took until
// they all returned; next hands out the items lo to hi-1, each once, and
// says false when none is left.
func benchParallel(n, lo, hi int, work func(next func() (int, bool))) time.Duration {
	var counter atomic.Int64
	counter.Store(int64(lo))
	next := func() (int, bool) {
		i := counter.Add(1) - 1
		return int(i), i < int64(hi)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(next)
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// benchAnswered reads and closes the answer to grant i and says whether it
// is 200; any other is the benchmark's error.
func benchAnswered(b *testing.B, i int, resp *http.Response) bool {
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("grant %d: %d %s", i, resp.StatusCode, body)
		return false
	}
	return true
}

// benchTokens posts the forms (grant_type and assertion, encoded) to
// /token from four goroutines per CPU and says how long it took; every
// answer must be 200.
func benchTokens(b *testing.B, hc *http.Client, tokenURL string, forms []string) time.Duration {
	return benchParallel(4*runtime.GOMAXPROCS(0), 0, len(forms), func(next func() (int, bool)) {
		for i, ok := next(); ok; i, ok = next() {
			resp, err := hc.Post(tokenURL, "application/x-www-form-urlencoded", strings.NewReader(forms[i]))
			if err != nil {
				b.Error(err)
				return
			}
			if !benchAnswered(b, i, resp) {
				return
			}
		}
	})
}

// benchLean is the lean load generator's requests: each a whole HTTP/1.1
// POST of one form to /token, and where to send them.
type benchLean struct {
	addr     string
	requests [][]byte
}

func benchLeanRequests(b *testing.B, tokenURL string, forms []string) benchLean {
	u, err := url.Parse(tokenURL)
	if err != nil {
		b.Fatal(err)
	}
	l := benchLean{addr: u.Host, requests: make([][]byte, len(forms))}
	for i, f := range forms {
		l.requests[i] = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
			u.Path, u.Host, len(f), f)
	}
	return l
}

// benchTokensLean sends requests lo to hi from four goroutines per CPU,
// each on a connection of its own kept alive, and says how long it took;
// every answer must be 200.
func benchTokensLean(b *testing.B, l benchLean, lo, hi int) time.Duration {
	return benchParallel(4*runtime.GOMAXPROCS(0), lo, hi, func(next func() (int, bool)) {
		var conn net.Conn
		var br *bufio.Reader
		defer func() {
			if conn != nil {
				conn.Close()
			}
		}()
		for i, ok := next(); ok; i, ok = next() {
			if conn == nil {
				var err error
				if conn, err = net.Dial("tcp", l.addr); err != nil {
					b.Error(err)
					return
				}
				br = bufio.NewReader(conn)
			}
			if _, err := conn.Write(l.requests[i]); err != nil {
				b.Error(err)
				return
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				b.Error(err)
				return
			}
			if !benchAnswered(b, i, resp) {
				return
			}
		}
	})
}

// BenchmarkSystemUserLookup is Maskinporten's lookup of a system user at
// the mock Altinn alone, without the rest of /token: ScaleSeed's first
// client and owner in a world of 1,000, from eight goroutines, each lookup
// a real HTTP GET of byExternalId with Maskinporten's own token, answered
// by Altinn's handler. cpu-us is the process's CPU time a lookup, both
// sides of the exchange: the part of /token's CPU that
// BenchmarkTokenVsSigningLimit measures only within the whole.
func BenchmarkSystemUserLookup(b *testing.B) {
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(1000, benchJWKS())))
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	mp := env.world.mp
	cl := mp.client(ScaleClientID(0))
	req := mpSystemUserRequest{ownerOrgNo: ScaleOrgNo(0), ownerID: "0192:" + ScaleOrgNo(0)}
	if _, terr := mp.lookupSystemUser(context.Background(), cl, req); terr != nil {
		b.Fatal(terr)
	}
	b.ResetTimer()
	c0 := processCPU()
	benchParallel(8, 0, b.N, func(next func() (int, bool)) {
		for _, ok := next(); ok; _, ok = next() {
			if _, terr := mp.lookupSystemUser(context.Background(), cl, req); terr != nil {
				b.Error(terr)
				return
			}
		}
	})
	b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us")
}

// BenchmarkToken is one /token at a time, for its cost in allocations (the
// whole process: the client's post, Maskinporten, its lookup at Altinn).
func BenchmarkToken(b *testing.B) {
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(2, benchJWKS())))
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	grants := make([]string, b.N)
	for i := range grants {
		grants[i] = benchGrant(b, env, 0)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		resp, err := hc.PostForm(env.MaskinportenURL+"token", url.Values{"grant_type": {mpJWTBearer}, "assertion": {grants[i]}})
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// benchSizes are the world sizes of the seeding and reset benchmarks.
var benchSizes = []int{1000, 10000, 100000}

// BenchmarkSeed starts the mocks (Start) with ScaleSeed worlds of 1,000,
// 10,000 and 100,000 system users, clients, systems and delegations, read
// from their JSON as serve --seed reads a file (ParseSeed, before the
// timer); ns/item is the time per system user (budget: within 2x across
// the sizes). Each round also starts the built-in world alone
// (ScaleSeed(0)): marginal-ns/item is the time beyond it over n.
func BenchmarkSeed(b *testing.B) {
	empty := ServiceOwnerSeed().Merge(ScaleSeed(0, benchJWKS()))
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			j, err := json.Marshal(ScaleSeed(n, benchJWKS()))
			if err != nil {
				b.Fatal(err)
			}
			file, err := ParseSeed("scale.json", j)
			if err != nil {
				b.Fatal(err)
			}
			j = nil
			seed := ServiceOwnerSeed().Merge(file)
			var base time.Duration
			b.ResetTimer()
			for b.Loop() {
				env, err := Start(context.Background(), seed)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				env.Close()
				start := time.Now()
				env, err = Start(context.Background(), empty)
				base += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				env.Close()
				b.StartTimer()
			}
			benchPerItem(b, n, base)
		})
	}
}

// benchPerItem reports ns/item, the benchmark's time per op over n, and
// marginal-ns/item, the same beyond base (the empty world's total time).
func benchPerItem(b *testing.B, n int, base time.Duration) {
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(per/float64(n), "ns/item")
	b.ReportMetric((per-float64(base.Nanoseconds())/float64(b.N))/float64(n), "marginal-ns/item")
}

// BenchmarkReset is POST /mock/reset in the same worlds, over HTTP, and
// then the copy of Altinn's state that the first write after a reset makes
// (altinnState.own); ns/item is the time of both per system user, and
// marginal-ns/item the time beyond the same in the built-in world alone,
// reset in each round too.
func BenchmarkReset(b *testing.B) {
	reset := func(b *testing.B, env *Env) {
		resp, err := http.Post(env.AltinnURL+"mock/reset", "application/json", nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("reset: %d", resp.StatusCode)
		}
		env.mu.RLock()
		al := env.world.al
		env.mu.RUnlock()
		al.mu.Lock()
		al.own()
		al.mu.Unlock()
	}
	empty, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(0, benchJWKS())))
	if err != nil {
		b.Fatal(err)
	}
	defer empty.Close()
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(n, benchJWKS())))
			if err != nil {
				b.Fatal(err)
			}
			defer env.Close()
			var base time.Duration
			b.ResetTimer()
			for b.Loop() {
				reset(b, env)
				b.StopTimer()
				start := time.Now()
				reset(b, empty)
				base += time.Since(start)
				b.StartTimer()
			}
			benchPerItem(b, n, base)
		})
	}
}
