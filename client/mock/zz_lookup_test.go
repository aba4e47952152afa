package mock

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

func BenchmarkZZLookup(b *testing.B) {
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
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, terr := mp.lookupSystemUser(context.Background(), cl, req); terr != nil {
					b.Error(terr)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us")
}
