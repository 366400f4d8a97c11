package layout

import (
	"strings"

	"dropship/models"
)

// NavItem is one link in the side navigation.
type NavItem struct {
	Section string
	Label   string
	Href    string
	Icon    string // an SVG path "d" attribute, 24x24 outline
	Perm    models.Permission
}

// Nav lists the pages people can open, in order. Only pages that work belong here.
var Nav = []NavItem{
	{Section: "", Label: "Dashboard", Href: "/", Icon: iconHome, Perm: models.PermRead},
	{Section: "", Label: "Orders", Href: "/orders", Icon: iconOrders, Perm: models.PermRead},
	{Section: "Catalog", Label: "Catalog", Href: "/catalog", Icon: iconBox, Perm: models.PermRead},
	{Section: "Catalog", Label: "SKU mapping", Href: "/mapping", Icon: iconLink, Perm: models.PermRead},
	{Section: "Catalog", Label: "Suppliers", Href: "/suppliers", Icon: iconTruck, Perm: models.PermRead},
	{Section: "Inventory", Label: "Low stock", Href: "/stock/low", Icon: iconAlert, Perm: models.PermRead},
	{Section: "Inventory", Label: "Stock sync", Href: "/syncs", Icon: iconSync, Perm: models.PermRead},
	{Section: "Admin", Label: "Jobs", Href: "/jobs", Icon: iconClock, Perm: models.PermRead},
	{Section: "Admin", Label: "Audit log", Href: "/audit", Icon: iconShield, Perm: models.PermRead},
	{Section: "Admin", Label: "Users", Href: "/users", Icon: iconUsers, Perm: models.PermUsersManage},
	{Section: "Admin", Label: "Settings", Href: "/settings", Icon: iconCog, Perm: models.PermSettingsManage},
}

// visibleNav is the part of Nav the user may open.
func visibleNav(u *models.User) []NavItem {
	var out []NavItem
	for _, n := range Nav {
		if u != nil && u.Can(n.Perm) {
			out = append(out, n)
		}
	}
	return out
}

// isCurrent tells whether href is the page at path (or its parent section).
func isCurrent(href, path string) bool {
	if href == "/" {
		return path == "/"
	}
	return path == href || strings.HasPrefix(path, href+"/")
}

const (
	iconBox    = "M21 8 12 3 3 8m18 0v8l-9 5m9-13-9 5m0 8-9-5V8m9 13v-8M3 8l9 5"
	iconLink   = "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"
	iconTruck  = "M3 6h11v10H3zM14 9h4l3 3v4h-7M7.5 19a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Zm10 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Z"
	iconOrders = "M6 2h12l2 5v13a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V7l2-5Zm-2 5h16M9 11h6M9 15h6"
	iconHome   = "M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1v-9.5Z"
	iconClock  = "M12 7v5l3 2m6-2a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z"
	iconShield = "M12 3 4 6v6c0 4.5 3.4 8.3 8 9 4.6-.7 8-4.5 8-9V6l-8-3Zm-3 9 2 2 4-4"
	iconUsers  = "M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM21 19v-1a4 4 0 0 0-3-3.9M16 4.1a3 3 0 0 1 0 5.8"
	iconAlert  = "M12 9v4m0 4h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z"
	iconSync   = "M4 4v5h5M20 20v-5h-5M5.1 15A8 8 0 0 0 19.4 17M18.9 9A8 8 0 0 0 4.6 7"
	iconCog    = "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.5 7.5 0 0 0-2-1.2L14.5 3h-4l-.4 2.6a7.5 7.5 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.5 7.5 0 0 0 2 1.2l.4 2.6h4l.4-2.6a7.5 7.5 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2Z"
)
