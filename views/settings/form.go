// Package settings holds the owner's store settings page.
package settings

import (
	"strings"

	"dropship/models"
)

// Form edits the store settings.
type Form struct {
	StoreName string `form:"store_name"`
	Timezone  string `form:"timezone"`
	Errors    models.FieldErrors
}

// Validate checks the fields are filled in; models check the time zone exists.
func (f *Form) Validate() bool {
	f.Errors = models.FieldErrors{}
	if strings.TrimSpace(f.StoreName) == "" {
		f.Errors.Add("store_name", "enter the store's name")
	}
	if strings.TrimSpace(f.Timezone) == "" {
		f.Errors.Add("timezone", "enter a time zone")
	}
	return len(f.Errors) == 0
}

// Settings converts the form to the model.
func (f *Form) Settings() models.StoreSettings {
	return models.StoreSettings{StoreName: strings.TrimSpace(f.StoreName), Timezone: strings.TrimSpace(f.Timezone)}
}
