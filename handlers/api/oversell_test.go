package api

import (
	"fmt"
	"sync"
	"testing"
)

// TestHotSKUOverHTTP: 64 clients race through the API for one variant with
// 500 sellable: exactly 500 orders are accepted, every other answer is 409,
// and the pool ends at 0.
func TestHotSKUOverHTTP(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, Config{RatePerSecond: 1e6, Burst: 1e6})
	s.catalog(map[string]int64{"TEE-S": 500})
	const clients, each = 64, 10
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := s.call("POST", "", "/api/v1/orders", orderBody("TEE-S", 1, "manual", ""), "Idempotency-Key", fmt.Sprintf("hot-%d-%d", c, i))
				mu.Lock()
				counts[r.Status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counts[201] != 500 || counts[409] != clients*each-500 || len(counts) != 2 {
		t.Errorf("answers %v, want 500 x 201 and %d x 409", counts, clients*each-500)
	}
	if got := s.available("TEE-S"); got != 0 {
		t.Errorf("pool ends at %d, want 0", got)
	}
}
