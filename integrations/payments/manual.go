package payments

import (
	"context"
	"fmt"
)

// Manual is the gateway for payments made outside any provider (bank
// transfer, invoice). Nothing is paid at checkout: Verify says pending and the
// order waits in pending_payment until a person marks it paid (in models).
type Manual struct{}

var _ Gateway = Manual{}

// Provider returns ProviderManual.
func (Manual) Provider() string { return ProviderManual }

// Verify accepts any well-formed amount as pending: there is nothing to check yet.
func (Manual) Verify(_ context.Context, reference string, want Money) (Payment, error) {
	if err := checkMoney(want); err != nil {
		return Payment{}, fmt.Errorf("payments: manual verify: %w", err)
	}
	return Payment{Provider: ProviderManual, Reference: reference, Status: StatusPending,
		ProviderStatus: "awaiting_payment", Amount: want}, nil
}

// Capture has nothing to take: an order only gets routed after a person
// marked the manual payment received, so the money is already ours.
func (Manual) Capture(_ context.Context, reference string, amount Money, _ string) (Payment, error) {
	if err := checkMoney(amount); err != nil {
		return Payment{}, fmt.Errorf("payments: manual capture: %w", err)
	}
	return Payment{Provider: ProviderManual, Reference: reference, Status: StatusCaptured,
		ProviderStatus: "received", Amount: amount}, nil
}

// Refund can't move money: a person pays it back, so the refund stays pending
// until they record it.
func (Manual) Refund(_ context.Context, reference string, amount Money, _ string) (Payment, error) {
	if err := checkMoney(amount); err != nil {
		return Payment{}, fmt.Errorf("payments: manual refund: %w", err)
	}
	return Payment{Provider: ProviderManual, Reference: reference, Status: StatusRefundPending,
		ProviderStatus: "refund_to_be_paid_by_hand", Amount: amount}, nil
}

// checkMoney refuses amounts no provider could take.
func checkMoney(m Money) error {
	if _, err := MinorUnits(m.Currency); err != nil {
		return err
	}
	if m.AmountCents <= 0 {
		return fmt.Errorf("amount %d must be positive", m.AmountCents)
	}
	return nil
}
