// Package apikeys is the owner's page for storefront API keys.
package apikeys

import (
	"strings"

	"dropship/models"
)

// PageData is the list of keys, and the new key to show once.
type PageData struct {
	Keys    []models.APIKey
	Form    NewForm
	Created *models.APIKey
	Plain   string // the new key, shown once
	BaseURL string
}

// NewForm names a new key.
type NewForm struct {
	Name   string `form:"name"`
	Errors models.FieldErrors
}

// Validate requires a name.
func (f *NewForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if strings.TrimSpace(f.Name) == "" {
		f.Errors.Add("name", "name the key after the storefront that will use it")
	}
	return len(f.Errors) == 0
}
