// Package account holds a person's own settings: their password.
package account

import "dropship/models"

// PasswordForm changes one's own password.
type PasswordForm struct {
	Current string `form:"current_password"`
	New     string `form:"new_password"`
	Confirm string `form:"confirm_password"`
	Errors  models.FieldErrors
}

// Validate checks the form is complete and the new password was typed twice alike.
func (f *PasswordForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if f.Current == "" {
		f.Errors.Add("current_password", "enter your current password")
	}
	if f.New == "" {
		f.Errors.Add("new_password", "enter a new password")
	}
	if f.Confirm != f.New {
		f.Errors.Add("confirm_password", "the two new passwords differ")
	}
	return len(f.Errors) == 0
}
