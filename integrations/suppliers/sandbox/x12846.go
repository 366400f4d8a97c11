package sandbox

// This file is the sandbox's own tiny X12 846 writer, kept apart on purpose:
// it goes once integrations/suppliers/x12 has an encoder to call instead.

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// x12Envelope is what an 846 interchange says about itself.
type x12Envelope struct {
	Sender   string
	Receiver string
	Control  int64 // interchange and group control number
	At       time.Time
}

// write846 renders an X12 004010 846 inventory advice: one LIN (supplier SKU
// as SK, barcode as UP) and one QTY*33 (available for sale) per item, with
// the segment counts and control numbers a strict reader checks.
func write846(env x12Envelope, items []Item) []byte {
	at := env.At.UTC()
	var segs []string
	seg := func(elems ...string) { segs = append(segs, strings.Join(elems, "*")) }
	seg("ST", "846", "0001")
	seg("BIA", "00", "MM", fmt.Sprintf("INV%09d", env.Control), at.Format("20060102"))
	for i, it := range items {
		seg("LIN", fmt.Sprint(i+1), "SK", it.SKU, "UP", it.Barcode)
		seg("QTY", "33", fmt.Sprint(it.Quantity), "EA")
	}
	seg("CTT", fmt.Sprint(len(items)))
	seg("SE", fmt.Sprint(len(segs)+1), "0001")

	var b bytes.Buffer
	fmt.Fprintf(&b, "ISA*00*%-10s*00*%-10s*ZZ*%-15s*ZZ*%-15s*%s*%s*U*00401*%09d*0*T*>~\n",
		"", "", x12ID(env.Sender), x12ID(env.Receiver), at.Format("060102"), at.Format("1504"), env.Control)
	fmt.Fprintf(&b, "GS*IB*%s*%s*%s*%s*%d*X*004010~\n",
		x12ID(env.Sender), x12ID(env.Receiver), at.Format("20060102"), at.Format("1504"), env.Control)
	for _, s := range segs {
		b.WriteString(s)
		b.WriteString("~\n")
	}
	fmt.Fprintf(&b, "GE*1*%d~\n", env.Control)
	fmt.Fprintf(&b, "IEA*1*%09d~\n", env.Control)
	return b.Bytes()
}

// x12ID makes an interchange id: upper case, at most 15 characters, no separators.
func x12ID(s string) string {
	s = strings.ToUpper(strings.NewReplacer("*", "", "~", "", ">", "").Replace(s))
	if len(s) > 15 {
		s = s[:15]
	}
	return s
}
