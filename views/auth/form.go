// Package auth holds the sign-in page.
package auth

import (
	"strings"

	"dropship/models"
)

// LoginForm is what the sign-in form posts.
type LoginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
	// Error is shown above the form (wrong credentials, throttled).
	Error  string
	Errors models.FieldErrors
}

// Validate checks that both fields were filled in.
func (f *LoginForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if strings.TrimSpace(f.Email) == "" {
		f.Errors.Add("email", "enter your email")
	}
	if f.Password == "" {
		f.Errors.Add("password", "enter your password")
	}
	return len(f.Errors) == 0
}
