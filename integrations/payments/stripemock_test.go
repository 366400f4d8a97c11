package payments

import (
	"bufio"
	"context"
	"errors"
	"go/build"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// stripeMockVersion is the stripe-mock release the request-shape tests run against.
const stripeMockVersion = "v0.203.0"

// TestMain stops the shared stripe-mock after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	stripeMock.stop()
	os.Exit(code)
}

// stripeMock is one stripe-mock process shared by the tests that need it,
// started on first use (it takes a few seconds to load Stripe's OpenAPI spec).
var stripeMock sharedStripeMock

type sharedStripeMock struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	err  error
}

// stripeMockURL returns the base URL of a running stripe-mock or fails the
// test: the shape tests must not be skipped where the binary is missing.
func stripeMockURL(t *testing.T) string {
	t.Helper()
	stripeMock.once.Do(stripeMock.start)
	if stripeMock.err != nil {
		t.Fatalf("stripe-mock: %v\ninstall it with: go install github.com/stripe/stripe-mock@%s", stripeMock.err, stripeMockVersion)
	}
	return stripeMock.url
}

func findStripeMock() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, gopath := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gopath, "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("binary not found in PATH or in " + strings.Join(dirs, ", "))
}

func (s *sharedStripeMock) start() {
	bin, err := findStripeMock()
	if err != nil {
		s.err = err
		return
	}
	// -http-port 0: plain HTTP on a port the kernel picks (free by construction);
	// asking for HTTP also switches its default HTTPS listener off.
	cmd := exec.Command(bin, "-http-port", "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.err = err
		return
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		s.err = err
		return
	}
	s.cmd = cmd
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if _, addr, ok := strings.Cut(line, "Listening for HTTP at address: "); ok {
				found <- addr[strings.LastIndex(addr, ":")+1:]
				break
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep draining so it never blocks on a full pipe
	}()
	select {
	case port := <-found:
		s.url = "http://127.0.0.1:" + port
	case <-time.After(60 * time.Second):
		s.err = errors.New("did not report its HTTP port within 60 s")
	}
}

func (s *sharedStripeMock) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// TestStripeRequestShapesAgainstStripeMock sends every request the gateway
// makes to stripe-mock, which validates them against Stripe's OpenAPI spec
// and answers with spec fixtures; the answers must parse into a Payment.
func TestStripeRequestShapesAgainstStripeMock(t *testing.T) {
	t.Parallel()
	s := newTestStripe(t, stripeMockURL(t), "sk_test_123", 0)
	ctx := context.Background()

	// The fixture intent is a 10.99 USD intent in requires_payment_method.
	p, err := s.Verify(ctx, "pi_123", Money{1099, "USD"})
	wantDeclined(t, err, CodeNotPaid)
	if p.Amount != (Money{1099, "USD"}) || p.ProviderStatus != "requires_payment_method" {
		t.Errorf("payment from stripe-mock = %+v", p)
	}
	if p.Fingerprint == "" || !strings.HasPrefix(p.TransactionID, "ch_") {
		t.Errorf("expanded latest_charge not parsed: fingerprint %q, charge %q", p.Fingerprint, p.TransactionID)
	}

	if pi, err := s.capture(ctx, "pi_123", 1099, "shape-capture"); err != nil || pi.ID == "" {
		t.Errorf("capture request refused by stripe-mock: %v", err)
	}
	if pi, err := s.cancel(ctx, "pi_123", "shape-cancel"); err != nil || pi.ID == "" {
		t.Errorf("cancel request refused by stripe-mock: %v", err)
	}
	if r, err := s.refund(ctx, "pi_123", 1099, "shape-refund"); err != nil || !strings.HasPrefix(r.ID, "re_") {
		t.Errorf("refund request refused by stripe-mock: %v", err)
	} else if _, err := fromStripeAmount(r.Amount, string(r.Currency)); err != nil {
		t.Errorf("refund answer: %v", err)
	}
}

// TestStripeMockRefusesBadShapes shows the shape test can fail: stripe-mock
// refuses a parameter the API doesn't have, and the gateway reports that as
// a programming error, neither a decline nor retryable.
func TestStripeMockRefusesBadShapes(t *testing.T) {
	t.Parallel()
	s := newTestStripe(t, stripeMockURL(t), "sk_test_123", 0)
	params := &stripe.RefundCreateParams{PaymentIntent: stripe.String("pi_123"), Amount: stripe.Int64(100)}
	params.AddExtra("amount_to_refund", "100")
	params.SetIdempotencyKey("shape-bad")
	_, err := s.client.V1Refunds.Create(context.Background(), params)
	if err == nil {
		t.Fatal("stripe-mock accepted an unknown parameter; it is not validating")
	}
	mapped := s.apiError("create refund", "pi_123", err)
	if IsDeclined(mapped) || IsTemporary(mapped) || !strings.Contains(mapped.Error(), "400") {
		t.Errorf("bad request mapped to %v", mapped)
	}
}
