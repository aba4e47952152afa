package classroom

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// rssMB is this process's resident set, from /proc (0 where there is
// none).
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// heapMB is the live heap after a collection.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// BenchmarkTenTrainees measures the memory a trainee costs: ten SSH
// sessions, each with its TUI and its own mock world, first just
// connected, then after each ran the standard scenario. The clients run
// in the same process (an SSH client with a pty and a buffer is small
// beside a world, but the buffers keep every frame drawn, so the figures
// are an upper bound). Reported: the live heap added per trainee, and the
// resident set added per trainee (meaningful in a fresh process: run it
// with -count 1; a second round reuses the first one's pages).
func BenchmarkTenTrainees(b *testing.B) {
	const n = 10
	for range b.N {
		base, baseHeap := rssMB(), heapMB()
		srv, stop := benchClassroom(b)
		var screens []*screen
		var conns []*gossh.Client
		for i := range n {
			c, err := dial(srv, "trainee"+strconv.Itoa(i), withCode(testCode))
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			screens = append(screens, openBenchScreen(b, c))
		}
		for _, s := range screens {
			waitForB(b, s, "0/13 done")
		}
		connected := heapMB()
		for _, s := range screens {
			s.mark()
			s.keys.Write([]byte("r"))
		}
		for _, s := range screens {
			waitForB(b, s, "scenario standard ended as expected")
		}
		ran := heapMB()
		b.ReportMetric((connected-baseHeap)/n, "heap-MB/trainee-connected")
		b.ReportMetric((ran-baseHeap)/n, "heap-MB/trainee-after-a-run")
		b.ReportMetric((rssMB()-base)/n, "rss-MB/trainee")
		for _, c := range conns {
			c.Close()
		}
		stop()
	}
}

func benchClassroom(b *testing.B) (*Server, func()) {
	dir := b.TempDir()
	srv, err := New(b.Context(), Options{
		Listen: "127.0.0.1:0", HostKeyFile: dir + "/host_key", Handouts: dir, JoinCode: testCode,
		wrongCodeDelay: time.Millisecond,
	})
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve()
	return srv, func() { srv.Close() }
}

func openBenchScreen(b *testing.B, c *gossh.Client) *screen {
	sess, err := c.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	s := &screen{sess: sess, done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = s, s
	in, err := sess.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	s.keys = in
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		b.Fatal(err)
	}
	return s
}

func waitForB(b *testing.B, s *screen, want string) {
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.text(), want) {
		if time.Now().After(deadline) {
			b.Fatalf("the screen never showed %q", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
