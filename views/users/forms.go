// Package users holds the owner's pages for people and roles.
package users

import (
	"strings"

	"dropship/models"
	"dropship/views/components"
)

// NewForm is the form that creates a user.
type NewForm struct {
	Email    string `form:"email"`
	Name     string `form:"name"`
	Role     string `form:"role"`
	Password string `form:"password"`
	Errors   models.FieldErrors
}

// Validate checks what the form itself can check; models check the rest.
func (f *NewForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if strings.TrimSpace(f.Email) == "" {
		f.Errors.Add("email", "enter an email address")
	}
	if !models.Role(f.Role).Valid() {
		f.Errors.Add("role", "choose a role")
	}
	return len(f.Errors) == 0
}

// EditForm changes another user's role and access.
type EditForm struct {
	Role     string `form:"role"`
	Disabled bool   `form:"disabled"`
	Errors   models.FieldErrors
}

// Validate checks the role is one of the known ones.
func (f *EditForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if !models.Role(f.Role).Valid() {
		f.Errors.Add("role", "choose a role")
	}
	return len(f.Errors) == 0
}

func roleOptions() []components.Option {
	var opts []components.Option
	for _, r := range models.Roles {
		opts = append(opts, components.Option{Value: string(r), Label: r.Label() + " — " + roleDescription(r)})
	}
	return opts
}

func roleDescription(r models.Role) string {
	switch r {
	case models.RoleViewer:
		return "sees everything, changes nothing"
	case models.RoleCSRep:
		return "acts on orders, overrides routing"
	case models.RoleManager:
		return "also runs catalog, suppliers and rules"
	case models.RoleOwner:
		return "also manages people, API keys and settings"
	}
	return ""
}

func roleKind(r models.Role) string {
	switch r {
	case models.RoleOwner:
		return "brand"
	case models.RoleManager:
		return "info"
	case models.RoleCSRep:
		return "ok"
	}
	return ""
}

// passwordValue keeps what was typed after a failed post, else offers a generated one.
func passwordValue(f NewForm, generated string) string {
	if f.Password != "" {
		return f.Password
	}
	return generated
}
