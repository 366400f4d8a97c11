package feed

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zipMagic  = []byte("PK\x03\x04")
	zipEmpty  = []byte("PK\x05\x06")
)

// unpacked is the feed's plain bytes and what to release after reading them.
type unpacked struct {
	r       io.Reader
	closers []func() error
}

func (u *unpacked) close() error {
	var errs []error
	for i := len(u.closers) - 1; i >= 0; i-- {
		errs = append(errs, u.closers[i]())
	}
	u.closers = nil
	return errors.Join(errs...)
}

// unpack undoes the feed's compression. Magic bytes decide; the file name
// decides only for a file too short to carry them (an empty "feed.csv.gz" is a
// truncated gzip file, not an empty feed). A ".gz" name on plain bytes is read
// as plain: HTTP clients often decompress such files on the way.
func unpack(r io.Reader, name string, m Mapping) (*unpacked, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	kind := m.Compression
	if kind == "" || kind == CompressionAuto {
		kind = detectCompression(head, name)
	}
	switch kind {
	case CompressionGzip:
		return openGzip(br, head, name)
	case CompressionZip:
		return openZip(r, br, head, name, m)
	}
	return &unpacked{r: br}, nil
}

func detectCompression(head []byte, name string) Compression {
	lower := strings.ToLower(name)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return CompressionGzip
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmpty):
		return CompressionZip
	case len(head) < 4 && (strings.HasSuffix(lower, ".gz") || strings.HasSuffix(lower, ".gzip")):
		return CompressionGzip
	case len(head) < 4 && strings.HasSuffix(lower, ".zip"):
		return CompressionZip
	}
	return CompressionNone
}

func openGzip(br *bufio.Reader, head []byte, name string) (*unpacked, error) {
	if len(head) == 0 {
		return nil, fmt.Errorf("feed: %w: the file is empty, so the gzip data is missing", ErrCompressed)
	}
	if len(head) >= 2 && !bytes.HasPrefix(head, gzipMagic) {
		return nil, fmt.Errorf("feed: %w: the file is not gzip data (it does not start with the gzip signature); choose another compression", ErrCompressed)
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", describeGzipError(err))
	}
	return &unpacked{r: &explainingReader{r: zr, explain: describeGzipError}, closers: []func() error{zr.Close}}, nil
}

func describeGzipError(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%w: the gzip file is truncated (it ends before its end marker); the download was probably cut off", ErrCompressed)
	case errors.Is(err, gzip.ErrChecksum):
		return fmt.Errorf("%w: the gzip file is corrupt (its checksum does not match its contents)", ErrCompressed)
	case errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt):
		return fmt.Errorf("%w: the gzip file is corrupt (%v)", ErrCompressed, err)
	}
	return err
}

func describeZipError(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the zip entry is truncated; the download was probably cut off", ErrCompressed)
	case errors.Is(err, zip.ErrChecksum):
		return fmt.Errorf("%w: the zip entry is corrupt (its checksum does not match its contents)", ErrCompressed)
	case errors.Is(err, zip.ErrFormat), errors.As(err, &corrupt):
		return fmt.Errorf("%w: the zip archive is corrupt (%v)", ErrCompressed, err)
	}
	return err
}

// explainingReader turns a decompressor's errors into sentences; io.EOF passes.
type explainingReader struct {
	r       io.Reader
	explain func(error) error
}

func (e *explainingReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		err = e.explain(err)
	}
	return n, err
}

// openZip reads one entry of a zip archive. A zip's directory is at its end, so
// it needs random access: an r that is an io.ReaderAt with a known size (an
// *os.File, *bytes.Reader, *strings.Reader, *io.SectionReader) is read in
// place; any other r is first spooled to an unlinked temporary file in
// os.TempDir, which is closed (and so freed) when the feed reader is closed.
func openZip(r io.Reader, br *bufio.Reader, head []byte, name string, m Mapping) (*unpacked, error) {
	if len(head) == 0 {
		return nil, fmt.Errorf("feed: %w: the file is empty, so the zip archive is missing", ErrCompressed)
	}
	u := &unpacked{}
	ra, size, ok := readerAt(r)
	if !ok {
		tmp, err := os.CreateTemp("", "dropship-feed-*.zip")
		if err != nil {
			return nil, fmt.Errorf("feed: spool zip: %w", err)
		}
		tmpName := tmp.Name()
		_ = os.Remove(tmpName) // unlinked now; the space returns when tmp is closed
		u.closers = append(u.closers, func() error {
			_ = os.Remove(tmpName)
			return tmp.Close()
		})
		size, err = io.Copy(tmp, br)
		if err != nil {
			_ = u.close()
			return nil, fmt.Errorf("feed: spool zip: %w", err)
		}
		ra = tmp
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		_ = u.close()
		return nil, fmt.Errorf("feed: %w: the zip archive is corrupt or truncated (%v)", ErrCompressed, err)
	}
	f, err := pickZipEntry(zr, m)
	if err != nil {
		_ = u.close()
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		_ = u.close()
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, fmt.Errorf("feed: %w: zip entry %q is packed with a method we can't read (use deflate)", ErrCompressed, f.Name)
		}
		return nil, fmt.Errorf("feed: %w", describeZipError(err))
	}
	u.closers = append(u.closers, rc.Close)
	u.r = &explainingReader{r: rc, explain: describeZipError}
	return u, nil
}

// readerAt finds random access to r without reading it.
func readerAt(r io.Reader) (io.ReaderAt, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return nil, 0, false
	}
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return ra, v.Size(), true
	case interface{ Stat() (os.FileInfo, error) }:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return nil, 0, false
		}
		return ra, fi.Size(), true
	}
	return nil, 0, false
}

// pickZipEntry takes the named entry, else the first file whose extension fits
// the format, else the only file.
func pickZipEntry(zr *zip.Reader, m Mapping) (*zip.File, error) {
	var files []*zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), ".") {
			continue
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("feed: %w: the zip archive holds no files", ErrCompressed)
	}
	if want := strings.TrimSpace(m.ZipEntry); want != "" {
		for _, f := range files {
			if f.Name == want || path.Base(f.Name) == want {
				return f, nil
			}
		}
		return nil, fmt.Errorf("feed: the zip archive has no file named %q (it has %s)", want, listNames(files))
	}
	exts := []string{".csv", ".txt", ".tsv", ".tab"}
	if m.Format == FormatXML {
		exts = []string{".xml"}
	}
	for _, f := range files {
		ext := strings.ToLower(path.Ext(f.Name))
		for _, e := range exts {
			if ext == e {
				return f, nil
			}
		}
	}
	if len(files) == 1 {
		return files[0], nil
	}
	return nil, fmt.Errorf("feed: the zip archive has no %s file (it has %s); name the file to read in the mapping", strings.ToUpper(string(m.Format)), listNames(files))
}

func listNames(files []*zip.File) string {
	var names []string
	for i, f := range files {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(files)-5))
			break
		}
		names = append(names, fmt.Sprintf("%q", f.Name))
	}
	return strings.Join(names, ", ")
}
