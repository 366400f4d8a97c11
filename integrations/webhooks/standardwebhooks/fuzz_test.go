package standardwebhooks

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary headers and bodies: never a panic, and nothing
// verifies unless the header carries the real signature of that body.
func FuzzVerify(f *testing.F) {
	secret := Secret("fuzzing secret, 24 bytes!")
	now := time.Unix(1614265330, 0)
	f.Add("msg_1", "1614265330", secret.Sign("msg_1", now, []byte(`{"a":1}`)), []byte(`{"a":1}`))
	f.Add("msg_1", "1614265330", "v1,AAAA v1a,BBBB", []byte(`{}`))
	f.Add("", "-1", "v1,", []byte(nil))
	f.Add("msg_2", "99999999999999999999", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte("x"))
	ver := &Verifier{secrets: []Secret{secret}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, id, ts, sigs string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sigs)
		msg, err := ver.Verify(h, body)
		if err != nil {
			return
		}
		if !strings.Contains(sigs, secret.Sign(msg.ID, msg.Timestamp, body)[3:]) {
			t.Fatalf("verified without the real signature: id %q ts %q sigs %q", id, ts, sigs)
		}
	})
}
