package sandbox_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"dropship/integrations/suppliers/rest"
	"dropship/integrations/suppliers/sandbox"
	"dropship/integrations/suppliers/transport"
)

// BenchmarkRESTPoll reads a 20,000-SKU inventory over loopback, 500 items a page.
func BenchmarkRESTPoll(b *testing.B) {
	s, err := sandbox.New(sandbox.Config{Code: "acme", Seed: 1, SKUs: 20000, HTTPAddr: ":0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := restConfig(s.Info(), rest.PageCursor)
	cfg.Pagination.Limit = 500
	b.ResetTimer()
	for b.Loop() {
		r, err := rest.NewReader(context.Background(), cfg, rest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 20000 {
			b.Fatalf("read %d records", n)
		}
	}
	b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSFTPFetch downloads the 20,000-SKU stock.csv over loopback SFTP.
func BenchmarkSFTPFetch(b *testing.B) {
	s, err := sandbox.New(sandbox.Config{Code: "acme", Seed: 1, SKUs: 20000, SFTPAddr: ":0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	in := s.Info()
	f, err := transport.NewSFTP(transport.SFTPConfig{Host: in.SFTPAddr, User: in.User, Password: in.Password, Path: in.StockFile, HostKey: in.SFTPHostKey})
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	b.ResetTimer()
	for b.Loop() {
		got, err := f.Fetch(context.Background(), "", "")
		if err != nil {
			b.Fatal(err)
		}
		size, err = io.Copy(io.Discard, got.Body)
		got.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(size)
}
