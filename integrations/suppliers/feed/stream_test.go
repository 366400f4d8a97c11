package feed

import (
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"dropship/integrations/suppliers"
)

// A 200 MB feed is parsed as a stream: every row comes out and the heap stays
// far below the feed's size.
func TestLargeFeedStreams(t *testing.T) {
	t.Parallel()
	const size = 200 << 20
	gen := newCSVGenerator(size)
	m := csvMapping()
	m.Fields.Quantity = "quantity"
	m.Fields.Cost = "cost"
	m.Fields.Title = "title"
	m.Currency = "USD"
	sampler := startHeapSampler()
	rr, err := Open(gen, "big.csv", m)
	if err != nil {
		t.Fatal(err)
	}
	var n, last int
	for {
		rec, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if rec.Line != n+1 || rec.Quantity != int64(n%1000) || *rec.CostCents != 1234 {
			t.Fatalf("row %d: %s", n, dump([]suppliers.StockRecord{rec}))
		}
		last = rec.Line
	}
	peak := sampler.Stop()
	if n != gen.rows || last != gen.rows+1 {
		t.Errorf("read %d rows (last line %d), generated %d", n, last, gen.rows)
	}
	if gen.written < size {
		t.Errorf("generated only %d bytes", gen.written)
	}
	t.Logf("%d rows, %d MB, peak heap %.1f MiB", n, gen.written>>20, float64(peak)/(1<<20))
	if peak > 32<<20 {
		t.Errorf("peak heap %d MiB for a %d MiB feed: the feed is being held in memory", peak>>20, size>>20)
	}
}

// The same through gzip from a pipe: a stream in, a stream out.
func TestLargeGzipFeedFromPipe(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	gen := newCSVGenerator(40 << 20)
	go func() {
		zw := gzip.NewWriter(pw)
		_, err := io.Copy(zw, gen)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	m := csvMapping()
	m.Fields.Quantity = "quantity"
	sampler := startHeapSampler()
	rr, err := Open(pr, "big.csv.gz", m)
	if err != nil {
		t.Fatal(err)
	}
	recs := 0
	for {
		_, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs++
	}
	peak := sampler.Stop()
	if recs != gen.rows {
		t.Errorf("read %d rows, generated %d", recs, gen.rows)
	}
	if peak > 32<<20 {
		t.Errorf("peak heap %d MiB", peak>>20)
	}
}

// A line that never ends is refused after 1 MiB, not read to the end of memory.
func TestEndlessLineIsRefused(t *testing.T) {
	t.Parallel()
	for _, format := range []Format{FormatCSV, FormatXML} {
		t.Run(string(format), func(t *testing.T) {
			t.Parallel()
			src := &endless{b: 'x'}
			var r io.Reader = io.MultiReader(strings.NewReader("sku,qty\nA,1\nB,"), src)
			m := csvMapping()
			want := "feed: line too long: line 3 is longer than 1 MiB; the file is probably not a CSV feed"
			if format == FormatXML {
				r = io.MultiReader(strings.NewReader("<inventory>\n<item sku=\"A\">\n<title>"), src)
				m = xmlMapping()
				want = "feed: line too long: line 3: the XML has a text or tag longer than 1 MiB"
			}
			rr, err := Open(r, "f", m)
			if err == nil {
				_, _, err = readAll(t, rr)
			}
			if !errors.Is(err, ErrLineTooLong) || err.Error() != want {
				t.Fatalf("error\n got %v\nwant %s", err, want)
			}
			if src.read > 4<<20 {
				t.Errorf("read %d MiB of an endless line before refusing it", src.read>>20)
			}
		})
	}
}
