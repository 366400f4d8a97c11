package models

import "slices"

// Role is what a person may do in the back office.
type Role string

// The roles, from least to most trusted.
const (
	RoleViewer  Role = "viewer"
	RoleCSRep   Role = "cs_rep"
	RoleManager Role = "manager"
	RoleOwner   Role = "owner"
)

// Roles lists every role, least trusted first.
var Roles = []Role{RoleViewer, RoleCSRep, RoleManager, RoleOwner}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleViewer:
		return "Viewer"
	case RoleCSRep:
		return "CS rep"
	case RoleManager:
		return "Manager"
	case RoleOwner:
		return "Owner"
	}
	return string(r)
}

// Permission names one kind of action; every admin route requires exactly one.
type Permission string

// The permissions every route chooses from.
const (
	PermRead           Permission = "read"            // see pages and figures
	PermOwnAccount     Permission = "account"         // change one's own password
	PermOrderActions   Permission = "orders.act"      // act on orders, override routing
	PermOrderPayments  Permission = "orders.payments" // record payments received by hand
	PermCatalogEdit    Permission = "catalog.edit"    // products, variants, mappings
	PermSuppliersEdit  Permission = "suppliers.edit"  // suppliers, connections, syncs
	PermRulesEdit      Permission = "rules.edit"      // routing rules
	PermUsersManage    Permission = "users.manage"    // people and roles
	PermAPIKeysManage  Permission = "apikeys.manage"  // storefront API keys
	PermSettingsManage Permission = "settings.manage" // store settings
)

// rolePermissions is the one permission table: each role adds to the one before it.
var rolePermissions = map[Role][]Permission{
	RoleViewer:  {PermRead, PermOwnAccount},
	RoleCSRep:   {PermRead, PermOwnAccount, PermOrderActions},
	RoleManager: {PermRead, PermOwnAccount, PermOrderActions, PermOrderPayments, PermCatalogEdit, PermSuppliersEdit, PermRulesEdit},
	RoleOwner: {PermRead, PermOwnAccount, PermOrderActions, PermOrderPayments, PermCatalogEdit, PermSuppliersEdit, PermRulesEdit,
		PermUsersManage, PermAPIKeysManage, PermSettingsManage},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}
