package mock

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
// ten rounds, the machine's RSA-2048 signing limit (two goroutines signing
// a token of the size Maskinporten issues, with its key) and /token under
// parallel load: valid system user grants over HTTP, each verified, its
// system user looked up at the mock Altinn over HTTP, the token signed. It
// reports both rates and their ratio (budget: ≥ 0.85). The rounds are
// interleaved so that the machine's other work falls on both alike.
func BenchmarkTokenVsSigningLimit(b *testing.B) {
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(1000, benchJWKS())))
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	grants := make([]string, b.N)
	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += runtime.GOMAXPROCS(0) {
				grants[i] = url.Values{"grant_type": {mpJWTBearer}, "assertion": {benchGrant(b, env, 2*(i%500))}}.Encode()
			}
		}()
	}
	wg.Wait()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b.ResetTimer()
	var signTime, tokenTime, signCPU, tokenCPU time.Duration
	const rounds = 20
	for r := range rounds {
		lo, hi := r*b.N/rounds, (r+1)*b.N/rounds
		cpu := processCPU()
		signTime += benchSign(hi - lo)
		mid := processCPU()
		tokenTime += benchTokens(b, hc, env.MaskinportenURL+"token", grants[lo:hi])
		signCPU, tokenCPU = signCPU+mid-cpu, tokenCPU+processCPU()-mid
	}
	b.StopTimer()
	signs, tokens := float64(b.N)/signTime.Seconds(), float64(b.N)/tokenTime.Seconds()
	b.ReportMetric(signs, "signs/s")
	b.ReportMetric(tokens, "grants/s")
	b.ReportMetric(tokens/signs, "ratio")
	// The same ratio in CPU time, which other work on the machine disturbs
	// less: the CPU a signature takes over the CPU a /token takes.
	if tokenCPU > 0 {
		b.ReportMetric(float64(signCPU)/float64(tokenCPU), "cpu-ratio")
	}
}

// benchSign signs n token-sized JWTs with Maskinporten's key on two
// goroutines and says how long it took.
func benchSign(n int) time.Duration {
	key := mustKey("maskinporten")
	input := strings.Repeat("e", 900) // header.claims of an issued system user token, base64url
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if _, err := jwt.SigningMethodRS256.Sign(input, key); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// benchTokens posts the forms (grant_type and assertion, encoded) to
// /token from four goroutines per CPU and says how long it took; every
// answer must be 200.
func benchTokens(b *testing.B, hc *http.Client, tokenURL string, forms []string) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(forms)) {
					return
				}
				resp, err := hc.Post(tokenURL, "application/x-www-form-urlencoded", strings.NewReader(forms[i]))
				if err != nil {
					b.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("grant %d: %d %s", i, resp.StatusCode, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
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
// 10,000 and 100,000 system users, clients, systems and delegations;
// ns/item is the time per system user (budget: within 2x across the sizes).
func BenchmarkSeed(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			seed := ServiceOwnerSeed().Merge(ScaleSeed(n, benchJWKS()))
			b.ResetTimer()
			for b.Loop() {
				env, err := Start(context.Background(), seed)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				env.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
		})
	}
}

// BenchmarkReset is POST /mock/reset in the same worlds, over HTTP, and
// then the copy of Altinn's state that the first write after a reset makes
// (altinnState.own); ns/item is the time of both per system user.
func BenchmarkReset(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(n, benchJWKS())))
			if err != nil {
				b.Fatal(err)
			}
			defer env.Close()
			b.ResetTimer()
			for b.Loop() {
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
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
		})
	}
}
