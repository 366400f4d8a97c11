package webhooks

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"dropship/integrations/webhooks/standardwebhooks"
	"dropship/models"
)

// maxSupplierBody bounds a supplier webhook's body.
const maxSupplierBody = 4 << 20

// stockUpdated is the body of a supplier's stock webhook:
// {"type":"stock.updated","data":{"items":[{"sku","quantity","observed_at"}]}}.
type stockUpdated struct {
	Type string `json:"type"`
	Data struct {
		Items []struct {
			SKU        string    `json:"sku"`
			Quantity   *int64    `json:"quantity"`
			ObservedAt time.Time `json:"observed_at"`
		} `json:"items"`
	} `json:"data"`
}

// supplierStock takes a supplier's signed stock.updated webhook: verified
// with the supplier's signing secret (5-minute tolerance), deduplicated by
// webhook-id, applied per SKU in one transaction. A bad signature or a stale
// timestamp is a 401 and changes nothing.
func (r *Receivers) supplierStock(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sup, err := models.GetSupplierByCode(ctx, r.DB, c.Params("code"))
	if errors.Is(err, models.ErrNotFound) {
		return fail(c, fiber.StatusNotFound, "unknown-supplier", "no supplier has this code")
	}
	if err != nil {
		return err
	}
	if sup.Status == models.SupplierDeactivated {
		return fail(c, fiber.StatusGone, "supplier-deactivated", "this supplier is deactivated; stop sending")
	}
	secret, err := sup.Secret(r.Secrets, models.SecretSigningSecret)
	if err != nil {
		r.Log.Error("supplier webhook: signing secret unreadable", "supplier", sup.Code, "err", err)
		return fail(c, fiber.StatusUnauthorized, "bad-signature", "the signature can't be checked")
	}
	if secret == "" {
		return fail(c, fiber.StatusUnauthorized, "bad-signature", "no signing secret is set up for this supplier")
	}
	body := c.Body()
	if len(body) > maxSupplierBody {
		return fail(c, fiber.StatusRequestEntityTooLarge, "too-large", "send at most 4 MB per webhook")
	}
	v, err := standardwebhooks.NewVerifier(secret)
	if err != nil {
		r.Log.Error("supplier webhook: signing secret malformed", "supplier", sup.Code, "err", err)
		return fail(c, fiber.StatusUnauthorized, "bad-signature", "the signature can't be checked")
	}
	v.Now = r.Now
	h := http.Header{}
	for _, name := range []string{standardwebhooks.HeaderID, standardwebhooks.HeaderTimestamp, standardwebhooks.HeaderSignature} {
		h.Set(name, c.Get(name))
	}
	msg, err := v.Verify(h, body)
	if err != nil {
		r.Log.Warn("supplier webhook refused", "supplier", sup.Code, "err", err)
		return fail(c, fiber.StatusUnauthorized, "bad-signature", strings.TrimPrefix(err.Error(), "standardwebhooks: "))
	}

	var ev stockUpdated
	if err := json.Unmarshal(body, &ev); err != nil {
		return fail(c, fiber.StatusBadRequest, "bad-body", "the body is not a stock.updated event: "+err.Error())
	}
	if ev.Type != "stock.updated" {
		return c.JSON(fiber.Map{"ignored": true, "reason": "only stock.updated events are handled"})
	}
	updates := make([]models.StockUpdate, len(ev.Data.Items))
	for i, it := range ev.Data.Items {
		if it.Quantity == nil {
			return fail(c, fiber.StatusBadRequest, "bad-body", "every item needs a quantity")
		}
		updates[i] = models.StockUpdate{SKU: it.SKU, Quantity: *it.Quantity, ObservedAt: it.ObservedAt}
	}
	run, dup, err := models.ApplyStockPush(ctx, r.DB, sup.ID, msg.ID, updates, r.Instance)
	var fe models.FieldErrors
	switch {
	case errors.As(err, &fe):
		return fail(c, fiber.StatusRequestEntityTooLarge, "too-many-items", fe.Error())
	case err != nil:
		return err
	case dup:
		return c.JSON(fiber.Map{"duplicate": true})
	}
	return c.JSON(fiber.Map{"sync_run": run.ID, "changed": run.RowsChanged, "unchanged": run.RowsUnchanged,
		"unmapped": run.RowsUnmapped, "stale": run.RowsStale, "rejected": run.RowsRejected})
}
