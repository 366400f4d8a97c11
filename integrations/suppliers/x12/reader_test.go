package x12

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func segmentIDs(t *testing.T, r io.Reader) (string, error) {
	t.Helper()
	xr := NewReader(r)
	var ids []string
	for {
		s, err := xr.Next()
		if err == io.EOF {
			return strings.Join(ids, " "), nil
		}
		if err != nil {
			return strings.Join(ids, " "), err
		}
		ids = append(ids, s.ID)
	}
}

func TestTokenizerLearnsDelimiters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data []byte
		want Delimiters
	}{
		{"846 fixture", fixture(t, "x12/846.edi"), Delimiters{Element: '*', SubElement: '>', Segment: '~'}},
		{"856 fixture, version 00406 has a repetition separator", fixture(t, "x12/856.edi"), Delimiters{Element: '*', SubElement: '>', Segment: '~', Repetition: '-'}},
		{"pipes, carets and newlines", []byte("ISA|00|          |00|          |ZZ|A              |ZZ|B              |240115|1430|^|00501|000000007|0|T|:\nGS|IB|A|B|20240115|1430|7|X|005010\nST|846|0001\nBIA|00|MM|R|20240115\nSE|3|0001\nGE|1|7\nIEA|1|000000007\n"),
			Delimiters{Element: '|', SubElement: ':', Segment: '\n', Repetition: '^'}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := NewTokenizer(bytes.NewReader(tc.data))
			s, err := tok.Next()
			if err != nil || s.ID != "ISA" || len(s.Elements) != 16 {
				t.Fatalf("first segment %+v, %v", s, err)
			}
			if tok.Delimiters() != tc.want {
				t.Errorf("delimiters %+v, want %+v", tok.Delimiters(), tc.want)
			}
			if _, err := segmentIDs(t, bytes.NewReader(tc.data)); err != nil {
				t.Errorf("envelope: %v", err)
			}
		})
	}
}

func TestTokenizerToleratesLineBreaksAndUnpaddedISA(t *testing.T) {
	t.Parallel()
	doc := "\ufeffISA*00**00**ZZ*A*ZZ*B*240115*1430*U*00401*5*0*P*>~\r\n\r\n" +
		"GS*IB*A*B*20240115*1430*5*X*004010~\r\nST*846*0001~ \r\nBIA*00*MM*R*20240115~\nSE*3*0001~GE*1*5~\r\nIEA*1*000000005~\r\n\r\n"
	ids, err := segmentIDs(t, strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if ids != "ISA GS ST BIA SE GE IEA" {
		t.Errorf("segments %q", ids)
	}
	tok := NewTokenizer(strings.NewReader(doc))
	isa, _ := tok.Next()
	if isa.Elem(6) != "A" || isa.Elem(13) != "5" || isa.Elem(16) != ">" {
		t.Errorf("ISA elements %q", isa.Elements)
	}
	gs, _ := tok.Next()
	if gs.Pos != 2 || gs.Elem(6) != "5" || gs.Elem(9) != "" {
		t.Errorf("GS %+v", gs)
	}
}

func TestSegmentComponentsAndRepeats(t *testing.T) {
	t.Parallel()
	doc := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240115*1430*^*00501*000000001*0*P*:~" +
		"GS*IB*A*B*20240115*1430*1*X*005010~ST*846*0001~REF*ZZ*a:b:c*x^y~SE*3*0001~GE*1*1~IEA*1*000000001~"
	xr := NewReader(strings.NewReader(doc))
	for {
		s, err := xr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == "REF" {
			if got := s.Components(2); strings.Join(got, ",") != "a,b,c" {
				t.Errorf("components %q", got)
			}
			if got := s.Repeats(3); strings.Join(got, ",") != "x,y" {
				t.Errorf("repeats %q", got)
			}
			return
		}
	}
}

// Envelope mistakes are caught both ways and named by segment and position.
func TestReaderEnvelopeErrors(t *testing.T) {
	t.Parallel()
	good := string(fixture(t, "x12/846.edi"))
	cases := []struct {
		name, from, to, want string
	}{
		{"SE01 miscounts", "SE*8*0001", "SE*9*0001",
			"x12: segment 10 (SE): SE01 says 9 segments, but transaction set 0001 (ST at segment 3) has 8"},
		{"SE02 differs from ST02", "SE*8*0001", "SE*8*0002",
			`x12: segment 10 (SE): SE02 "0002" does not match ST02 "0001" (segment 3)`},
		{"GE01 miscounts", "GE*1*101", "GE*2*101",
			"x12: segment 11 (GE): GE01 says 2 transaction sets, but group 101 (GS at segment 2) has 1"},
		{"GE02 differs from GS06", "GE*1*101", "GE*1*102",
			`x12: segment 11 (GE): GE02 "102" does not match GS06 "101" (segment 2)`},
		{"IEA01 miscounts", "IEA*1*000000101", "IEA*0*000000101",
			"x12: segment 12 (IEA): IEA01 says 0 functional groups, but interchange 000000101 (ISA at segment 1) has 1"},
		{"IEA02 differs from ISA13", "IEA*1*000000101", "IEA*1*000000100",
			`x12: segment 12 (IEA): IEA02 "000000100" does not match ISA13 "000000101" (segment 1)`},
		{"SE01 not a number", "SE*8*0001", "SE*eight*0001",
			`x12: segment 10 (SE): SE01 "eight" is not a segment count`},
		{"truncated after SE", "GE*1*101~\nIEA*1*000000101~\n", "",
			"x12: segment 2 (GS): the file ends inside group 101: no GE; it is probably truncated"},
		{"truncated inside the set", "CTT*2~\nSE*8*0001~\nGE*1*101~\nIEA*1*000000101~\n", "",
			"x12: segment 3 (ST): the file ends inside transaction set 0001: no SE; it is probably truncated"},
		{"truncated inside a segment", "IEA*1*000000101~\n", "IEA*1*0000001",
			`x12: segment 12: the file ends inside a segment ("IEA*1*0000001") without its terminator '~'; it is probably truncated`},
		{"segment outside the set", "GE*1*101~", "REF*ZZ*X~\nGE*1*101~",
			"x12: segment 11 (REF): segment outside a transaction set (between ST and SE)"},
		{"GE before SE", "SE*8*0001~\n", "",
			"x12: segment 10 (GE): GE before the SE of transaction set 0001 (segment 3)"},
		{"ST without GS", "GS*IB*SUPPLIERID*RETAILERID*20240115*1430*101*X*004010~\n", "",
			"x12: segment 2 (ST): ST outside a functional group (no GS before it)"},
		{"nested ST", "BIA*00*MM*INV20240115*20240115~", "ST*846*0002~",
			"x12: segment 4 (ST): a new transaction set starts, but set 0001 (segment 3) has no SE"},
		{"terminator a letter", ">~\n", ">A\n",
			`x12: segment 1 (ISA): 'A' after ISA16 can't be the segment terminator`},
		{"sub-element separator equals the element separator", "*>~\n", "**~\n",
			`x12: segment 1 (ISA): ISA16 '*' can't be the sub-element separator`},
		{"garbage segment id", "BIA*", "bia*",
			`x12: segment 4: "bia" is not a segment id (byte 176); is the segment terminator right?`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := strings.Replace(good, tc.from, tc.to, 1)
			if doc == good {
				t.Fatalf("%q not in the fixture", tc.from)
			}
			_, err := segmentIDs(t, strings.NewReader(doc))
			var xe *Error
			if !errors.As(err, &xe) || err.Error() != tc.want {
				t.Errorf("error\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestReaderRefusesNonX12(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                "x12: the file is empty: it has no ISA segment",
		"\n\n":                            "x12: the file is empty: it has no ISA segment",
		"sku,qty\nA,1\n":                  `x12: segment 1: the file does not start with an ISA segment (it starts with "sku,")`,
		"ISA*00*":                         "x12: segment 1 (ISA): the file ends inside the ISA segment",
		"ISA*" + strings.Repeat("x", 300): "x12: segment 1 (ISA): the ISA segment is longer than 200 bytes; it must have 16 elements",
	}
	for in, want := range cases {
		_, err := segmentIDs(t, strings.NewReader(in))
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
}

func TestTokenizerBoundsSegmentLength(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(string(fixture(t, "x12/846.edi")), "BIA*00*", "BIA*"+strings.Repeat("9", MaxSegment+1)+"*", 1)
	_, err := segmentIDs(t, strings.NewReader(doc))
	want := "x12: segment 4: the segment starting at byte 176 is longer than 64 KiB; is the segment terminator '~' right?"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

// Two interchanges in one file, each with its own delimiters.
func TestReaderSeveralInterchanges(t *testing.T) {
	t.Parallel()
	a := fixture(t, "x12/846.edi")
	b := strings.NewReplacer("*", "|", "~", "!").Replace(string(fixture(t, "x12/846.edi")))
	ids, err := segmentIDs(t, io.MultiReader(bytes.NewReader(a), strings.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(ids, "ISA"); n != 2 || strings.Count(ids, "LIN") != 4 {
		t.Errorf("segments %q", ids)
	}
}
