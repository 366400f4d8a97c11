package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"dropship/models"
	"dropship/models/dbtest"
)

func TestSecretBoxRoundTripAndRotation(t *testing.T) {
	t.Parallel()
	box := testBox(t)
	sealed, err := box.Seal("supplier:ACME:password", "hunter2-very-secret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "hunter2") || !models.IsSealed(sealed) || !strings.HasPrefix(sealed, "v1:"+box.KeyID()+":") {
		t.Fatalf("sealed value %q leaks or lacks the key id", sealed)
	}
	again, _ := box.Seal("supplier:ACME:password", "hunter2-very-secret")
	if again == sealed {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	got, err := box.Open("supplier:ACME:password", sealed)
	if err != nil || got != "hunter2-very-secret" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := box.Open("supplier:BOLT:password", sealed); !errors.Is(err, models.ErrSecretUnreadable) {
		t.Fatalf("a value sealed for ACME opened as BOLT's: %v", err)
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if _, err := box.Open("supplier:ACME:password", tampered); !errors.Is(err, models.ErrSecretUnreadable) {
		t.Fatalf("a tampered value opened: %v", err)
	}
	// Rotation: a box with a new key opens values sealed by the old one it keeps.
	newKey := []byte("fedcba9876543210fedcba9876543210")
	rotated, err := models.NewSecretBox(newKey, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open("supplier:ACME:password", sealed); err != nil || got != "hunter2-very-secret" {
		t.Fatalf("rotated box can't open the old value: %q, %v", got, err)
	}
	onlyNew, _ := models.NewSecretBox(newKey)
	if _, err := onlyNew.Open("supplier:ACME:password", sealed); !errors.Is(err, models.ErrSecretUnreadable) {
		t.Fatalf("a box without the old key opened its value: %v", err)
	}
	if _, err := models.NewSecretBox([]byte("short")); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}

func TestSupplierSecretsAreSealedAndWriteOnly(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	box := testBox(t)
	const password, key = "s3cret-Password!", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
	in := models.SupplierInput{Code: "bolt", Name: "Bolt GmbH", ConnectionKind: models.KindFeedSFTP,
		Connection:   models.Connection{Host: "sftp.bolt.example", Username: "dropship", AuthType: models.AuthPassword, Path: "/out", FilePattern: "stock-*.csv"},
		Secrets:      map[string]string{models.SecretPassword: password},
		HandlingDays: 2, ShipsFromCountry: "de", Currency: "eur", FeedGuardPct: 50, AllowedLagMinutes: 120, Schedule: "15m"}
	s, err := models.CreateSupplier(ctx, db, box, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if s.Code != "BOLT" || s.Connection.Port != 22 || !s.SecretSet(models.SecretPassword) || s.SecretSet(models.SecretPrivateKey) {
		t.Fatalf("stored supplier: %+v", s)
	}
	got, err := s.Secret(box, models.SecretPassword)
	if err != nil || got != password {
		t.Fatalf("secret = %q, %v", got, err)
	}

	// A blank secret on save keeps the stored one; a new one replaces it.
	in2 := supplierInputOf(s)
	in2.Secrets = map[string]string{models.SecretPassword: "", models.SecretPrivateKey: key}
	in2.Connection.AuthType = models.AuthPrivateKey
	s, err = models.UpdateSupplier(ctx, db, box, nil, s.ID, in2)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Secret(box, models.SecretPassword); got != password {
		t.Fatalf("blank password field lost the stored one: %q", got)
	}
	if got, _ := s.Secret(box, models.SecretPrivateKey); got != key {
		t.Fatalf("private key = %q", got)
	}

	// The database never holds a secret in clear: not in suppliers, not in the audit log.
	var hits int64
	db.Raw(`SELECT (SELECT count(*) FROM suppliers WHERE connection::text LIKE '%' || ? || '%' OR connection::text LIKE '%' || ? || '%')
		+ (SELECT count(*) FROM audit_entries WHERE COALESCE(before::text, '') || COALESCE(after::text, '') LIKE '%' || ? || '%'
		   OR COALESCE(before::text, '') || COALESCE(after::text, '') LIKE '%' || ? || '%')`,
		"s3cret-Password", "b3BlbnNzaC1rZXkt", "s3cret-Password", "b3BlbnNzaC1rZXkt").Scan(&hits)
	if hits != 0 {
		t.Fatalf("%d rows hold a secret in clear", hits)
	}
	var sealedInAudit int64
	db.Raw(`SELECT count(*) FROM audit_entries WHERE after::text LIKE '%v1:%'`).Scan(&sealedInAudit)
	if sealedInAudit != 0 {
		t.Fatal("the audit log keeps sealed secrets; it should only say which are set")
	}

	// Clear removes a secret; the auth type that needs it is then refused.
	in3 := supplierInputOf(s)
	in3.ClearSecrets = map[string]bool{models.SecretPrivateKey: true}
	_, err = models.UpdateSupplier(ctx, db, box, nil, s.ID, in3)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe["secret.private_key"] == "" {
		t.Fatalf("clearing the key the auth needs: %v", err)
	}
	in3.Connection.AuthType = models.AuthPassword
	s, err = models.UpdateSupplier(ctx, db, box, nil, s.ID, in3)
	if err != nil {
		t.Fatal(err)
	}
	if s.SecretSet(models.SecretPrivateKey) || !s.SecretSet(models.SecretPassword) {
		t.Fatalf("after clear: %v", s.Connection.Secrets)
	}
}

func TestSupplierValidation(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	_, err := models.CreateSupplier(ctx, db, testBox(t), nil, models.SupplierInput{Code: "x", ConnectionKind: models.KindREST,
		Connection: models.Connection{URL: "ftp://user:pw@host"}, ShipsFromCountry: "USA", Currency: "dollars",
		FeedGuardPct: 0, Schedule: "every now and then", SafetyBuffer: -1})
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, f := range []string{"code", "name", "conn.url", "ships_from_country", "currency", "feed_guard_pct", "schedule", "safety_buffer"} {
		if fe[f] == "" {
			t.Errorf("no error for %s (%v)", f, fe)
		}
	}
	var n int64
	db.Raw("SELECT count(*) FROM suppliers").Scan(&n)
	if n != 0 {
		t.Fatal("an invalid supplier was written")
	}
	for _, s := range []string{"", "15m", "1h30m", "*/30 * * * *", "0 6 * * 1-5"} {
		if !models.ValidSchedule(s) {
			t.Errorf("schedule %q refused", s)
		}
	}
	for _, s := range []string{"10s", "daily-ish", "* * *"} {
		if models.ValidSchedule(s) {
			t.Errorf("schedule %q accepted", s)
		}
	}
}

func TestRemoveSupplierWithOffersDeactivatesAndKeepsHistory(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	_, vs := mustProduct(t, db, "Mug", nil, models.VariantInput{SKU: "MUG", PriceCents: 1200})
	acme := mustSupplier(t, db, "ACME", 0)
	empty := mustSupplier(t, db, "EMPTY", 0)
	mustOffer(t, db, acme, vs[0], "ACME-000001", 9)

	deleted, err := models.RemoveSupplier(ctx, db, nil, acme.ID, "stopped trading")
	if err != nil || deleted {
		t.Fatalf("remove ACME: deleted=%v err=%v; want deactivated", deleted, err)
	}
	s, _ := models.GetSupplier(ctx, db, acme.ID)
	if s.Status != models.SupplierDeactivated {
		t.Fatalf("status %s", s.Status)
	}
	offers, _ := models.ListOffersForVariants(ctx, db, []int64{vs[0].ID})
	if len(offers) != 1 || available(t, db, vs[0].ID) != 0 {
		t.Fatalf("offers kept: %d, available %d; want 1 offer kept and nothing sellable", len(offers), available(t, db, vs[0].ID))
	}
	deleted, err = models.RemoveSupplier(ctx, db, nil, empty.ID, "")
	if err != nil || !deleted {
		t.Fatalf("remove supplier without history: deleted=%v err=%v", deleted, err)
	}
	entries, _ := models.ListAudit(ctx, db, "supplier", "", 10)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if !strings.Contains(strings.Join(actions, ","), "supplier.deactivate") || !strings.Contains(strings.Join(actions, ","), "supplier.delete") {
		t.Fatalf("audit actions %v", actions)
	}
}
