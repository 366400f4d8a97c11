package feed

import (
	"errors"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dropship/integrations/suppliers"
)

// readAll drains a feed: records, row errors, and the error that ended it (nil at io.EOF).
func readAll(t testing.TB, rr suppliers.RecordReader) ([]suppliers.StockRecord, []*suppliers.RowError, error) {
	t.Helper()
	var recs []suppliers.StockRecord
	var rowErrs []*suppliers.RowError
	for i := 0; ; i++ {
		if i > 10_000_000 {
			t.Fatal("feed never ends")
		}
		rec, err := rr.Next()
		var re *suppliers.RowError
		switch {
		case err == io.EOF:
			return recs, rowErrs, nil
		case errors.As(err, &re):
			rowErrs = append(rowErrs, re)
		case err != nil:
			return recs, rowErrs, err
		default:
			recs = append(recs, rec)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// heapSampler records the highest live heap seen while it runs.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak atomic.Uint64
	base uint64
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := &heapSampler{stop: make(chan struct{}), base: ms.HeapAlloc}
	s.peak.Store(ms.HeapAlloc)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > s.peak.Load() {
					s.peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	return s
}

// Stop returns the peak heap in bytes above what was live at the start.
func (s *heapSampler) Stop() uint64 {
	close(s.stop)
	s.wg.Wait()
	if p := s.peak.Load(); p > s.base {
		return p - s.base
	}
	return 0
}

// csvGenerator writes a header and rows "SKU-n,qty,cost,title" until size
// bytes were produced; nothing is kept but the current row.
type csvGenerator struct {
	size    int64 // bytes to write at least
	maxRows int   // rows to write at most (0: no limit)
	written int64
	n       int
	pending []byte
	buf     []byte
	rows    int
}

func newCSVGenerator(size int64) *csvGenerator {
	return &csvGenerator{size: size, pending: []byte("sku,quantity,cost,title\n")}
}

func (g *csvGenerator) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if len(g.pending) == 0 {
			if g.written >= g.size || (g.maxRows > 0 && g.rows == g.maxRows) {
				break
			}
			g.n++
			g.rows++
			row := g.buf[:0]
			row = append(row, "SKU-"...)
			row = strconv.AppendInt(row, int64(g.n), 10)
			row = append(row, ',')
			row = strconv.AppendInt(row, int64(g.n%1000), 10)
			row = append(row, ",12.34,Generated product number "...)
			row = strconv.AppendInt(row, int64(g.n), 10)
			row = append(row, '\n')
			g.buf = row
			g.pending = row
		}
		k := copy(p, g.pending)
		p = p[k:]
		g.pending = g.pending[k:]
		g.written += int64(k)
		total += k
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

// endless yields the same byte forever, counting what was read.
type endless struct {
	b    byte
	read int64
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.b
	}
	e.read += int64(len(p))
	return len(p), nil
}
