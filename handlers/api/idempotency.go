package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"dropship/handlers/problem"
	"dropship/models"
)

// claim is the idempotency key this request runs under.
type claim struct {
	Key     string
	OrderID int64 // set when an earlier run placed the order before it was cut short
}

type claimCtx struct{}

func claimFrom(ctx context.Context) *claim {
	c, _ := ctx.Value(claimCtx{}).(*claim)
	return c
}

// idempotencyLock is how long a run holds its key before a retry may take it over.
const idempotencyLock = time.Minute

// idempotencyWait is how long a duplicate waits for the first run before 409.
const idempotencyWait = 2 * time.Second

// idempotent runs POST /orders at most once per Idempotency-Key: the first
// final response is stored and replayed to every retry with the same body.
func (a *API) idempotent(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if key == "" || len(key) > 255 {
		return writeProblem(c, problem.New(http.StatusBadRequest, "idempotency-key-required",
			"Send an Idempotency-Key header of 1 to 255 characters; retries with the same key are safe."))
	}
	ctx := c.UserContext()
	apiKey := apiKeyFrom(ctx)
	sum := sha256.Sum256(c.Body())
	deadline := time.Now().Add(idempotencyWait)
	for {
		rec, claimed, err := models.ClaimIdempotencyKey(ctx, a.db, apiKey.ID, key, sum[:], idempotencyLock)
		switch {
		case errors.Is(err, models.ErrIdempotencyKeyReused):
			return writeProblem(c, problem.New(http.StatusUnprocessableEntity, "idempotency-key-reused",
				"This Idempotency-Key was used with a different request body. Use a new key for a new order."))
		case errors.Is(err, models.ErrIdempotencyInProgress):
			if time.Now().After(deadline) {
				return writeProblem(c, problem.New(http.StatusConflict, "request-in-progress",
					"A request with this Idempotency-Key is still running. Retry shortly."))
			}
			time.Sleep(25 * time.Millisecond)
			continue
		case err != nil:
			return err
		case !claimed:
			return replay(c, rec)
		}
		cl := &claim{Key: key}
		if rec.OrderID != nil {
			cl.OrderID = *rec.OrderID
		}
		c.SetUserContext(context.WithValue(ctx, claimCtx{}, cl))
		err = c.Next()
		status := c.Response().StatusCode()
		// Store the answer even if the client has gone: use a context that outlives it.
		bg := context.WithoutCancel(ctx)
		if err != nil || status >= 500 {
			if aerr := models.AbandonIdempotencyKey(bg, a.db, apiKey.ID, key); aerr != nil {
				a.log.Error("abandon idempotency key", "err", aerr)
			}
			return err
		}
		body := append([]byte(nil), c.Response().Body()...)
		return models.FinishIdempotencyKey(bg, a.db, apiKey.ID, key, status, body)
	}
}

// replay answers with the stored first response.
func replay(c *fiber.Ctx, rec *models.IdempotencyRecord) error {
	c.Set("Idempotent-Replayed", "true")
	ct := fiber.MIMEApplicationJSON
	if *rec.ResponseStatus >= 400 {
		ct = "application/problem+json"
	}
	c.Set(fiber.HeaderContentType, ct)
	return c.Status(*rec.ResponseStatus).Send(rec.ResponseBody)
}
