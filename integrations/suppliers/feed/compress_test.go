package feed

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const smallCSV = "sku,qty\nA,1\nB,2\nC,3\n"

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipped(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// onlyReader hides every method but Read, like an HTTP body.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func skus(t testing.TB, r io.Reader, name string, m Mapping) (string, error) {
	t.Helper()
	rr, err := Open(r, name, m)
	if err != nil {
		return "", err
	}
	recs, rowErrs, err := readAll(t, rr)
	if len(rowErrs) > 0 {
		t.Errorf("row errors %v", rowErrs)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.SKU)
	}
	return strings.Join(out, ","), err
}

func TestCompressedFeeds(t *testing.T) {
	t.Parallel()
	gz := gzipped(t, smallCSV)
	zp := zipped(t, "README.txt.md", "not this", "stock/feed.csv", smallCSV)
	named := zipped(t, "a.csv", "sku,qty\nWRONG,1\n", "b.csv", smallCSV)
	dir := t.TempDir()
	zipFile := filepath.Join(dir, "feed.zip")
	if err := os.WriteFile(zipFile, zp, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		r           func() io.Reader
		file        string
		compression Compression
		entry       string
	}{
		{"plain", func() io.Reader { return strings.NewReader(smallCSV) }, "feed.csv", "", ""},
		{"gzip by magic bytes, name says nothing", func() io.Reader { return onlyReader{bytes.NewReader(gz)} }, "download", "", ""},
		{"gzip named .gz", func() io.Reader { return onlyReader{bytes.NewReader(gz)} }, "feed.csv.gz", CompressionAuto, ""},
		{"gzip declared", func() io.Reader { return onlyReader{bytes.NewReader(gz)} }, "feed", CompressionGzip, ""},
		{"plain bytes under a .gz name (decompressed in transit)", func() io.Reader { return strings.NewReader(smallCSV) }, "feed.csv.gz", "", ""},
		{"zip from a ReaderAt, first CSV entry", func() io.Reader { return bytes.NewReader(zp) }, "feed.zip", "", ""},
		{"zip from a stream, spooled", func() io.Reader { return onlyReader{bytes.NewReader(zp)} }, "x", "", ""},
		{"zip from an *os.File", func() io.Reader {
			f, err := os.Open(zipFile)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}, "feed.zip", CompressionZip, ""},
		{"zip, named entry", func() io.Reader { return bytes.NewReader(named) }, "feed.zip", "", "b.csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := csvMapping()
			m.Compression = tc.compression
			m.ZipEntry = tc.entry
			got, err := skus(t, tc.r(), tc.file, m)
			if err != nil {
				t.Fatal(err)
			}
			if got != "A,B,C" {
				t.Errorf("SKUs %q, want A,B,C", got)
			}
		})
	}
}

func TestBrokenCompressedFeeds(t *testing.T) {
	t.Parallel()
	big := smallCSV + strings.Repeat("D,4\n", 50000)
	gz := gzipped(t, big)
	badCRC := bytes.Clone(gzipped(t, smallCSV))
	badCRC[len(badCRC)-8] ^= 0xff
	zp := zipped(t, "feed.csv", smallCSV)
	badZipCRC := bytes.Clone(zp)
	// The CRC-32 of the only entry sits 16 bytes into its central directory record.
	badZipCRC[bytes.Index(badZipCRC, []byte("PK\x01\x02"))+16] ^= 0xff
	cases := []struct {
		name        string
		data        []byte
		file        string
		compression Compression
		entry       string
		message     string
	}{
		{"truncated gzip", gz[:len(gz)/2], "feed.csv.gz", "", "",
			"feed: compressed data unreadable: the gzip file is truncated (it ends before its end marker); the download was probably cut off"},
		{"gzip cut inside its header", gz[:5], "feed.csv.gz", "", "",
			"feed: compressed data unreadable: the gzip file is truncated (it ends before its end marker); the download was probably cut off"},
		{"empty .gz file", nil, "feed.csv.gz", "", "",
			"feed: compressed data unreadable: the file is empty, so the gzip data is missing"},
		{"gzip checksum wrong", badCRC, "feed.csv.gz", "", "",
			"feed: compressed data unreadable: the gzip file is corrupt (its checksum does not match its contents)"},
		{"gzip declared, plain text sent", []byte(smallCSV), "feed.csv", CompressionGzip, "",
			"feed: compressed data unreadable: the file is not gzip data (it does not start with the gzip signature); choose another compression"},
		{"truncated zip", zp[:len(zp)-30], "feed.zip", "", "",
			"feed: compressed data unreadable: the zip archive is corrupt or truncated (zip: not a valid zip file)"},
		{"zip entry checksum wrong", badZipCRC, "feed.zip", "", "",
			"feed: compressed data unreadable: the zip entry is corrupt (its checksum does not match its contents)"},
		{"zip without the named entry", zp, "feed.zip", "", "stock.csv",
			`feed: the zip archive has no file named "stock.csv" (it has "feed.csv")`},
		{"zip without a CSV", zipped(t, "a.xml", "<a/>", "b.xml", "<b/>"), "feed.zip", "", "",
			`feed: the zip archive has no CSV file (it has "a.xml", "b.xml"); name the file to read in the mapping`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := csvMapping()
			m.Compression = tc.compression
			m.ZipEntry = tc.entry
			_, err := skus(t, onlyReader{bytes.NewReader(tc.data)}, tc.file, m)
			if err == nil || err.Error() != tc.message {
				t.Fatalf("error\n got %v\nwant %s", err, tc.message)
			}
			if strings.HasPrefix(tc.message, "feed: compressed") && !errors.Is(err, ErrCompressed) {
				t.Errorf("%v is not ErrCompressed", err)
			}
		})
	}
}

// The spool file of a streamed zip is gone once the feed is read.
func TestZipSpoolIsRemoved(t *testing.T) {
	t.Parallel()
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "dropship-feed-*.zip"))
	m := csvMapping()
	got, err := skus(t, onlyReader{bytes.NewReader(zipped(t, "f.csv", smallCSV))}, "f.zip", m)
	if err != nil || got != "A,B,C" {
		t.Fatalf("%q %v", got, err)
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "dropship-feed-*.zip"))
	if len(after) > len(before) {
		t.Errorf("spool files left behind: %v", after)
	}
}
