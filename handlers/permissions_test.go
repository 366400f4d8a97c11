package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"dropship/models"
)

// leastRole says, for every admin route, the least trusted role that may use
// it. It is written out by hand (not derived from models) so that a change to
// the permission table shows up here; a new route must be added here too.
var leastRole = map[string]models.Role{
	"GET /":                                    models.RoleViewer,
	"GET /jobs":                                models.RoleViewer,
	"GET /audit":                               models.RoleViewer,
	"GET /account/password":                    models.RoleViewer,
	"POST /account/password":                   models.RoleViewer,
	"GET /orders":                              models.RoleViewer,
	"GET /orders/:id":                          models.RoleViewer,
	"POST /orders/:id/release":                 models.RoleCSRep,
	"POST /orders/:id/resolve":                 models.RoleCSRep,
	"POST /orders/:id/cancel":                  models.RoleCSRep,
	"POST /orders/:id/mark-paid":               models.RoleManager,
	"GET /settings/api-keys":                   models.RoleOwner,
	"POST /settings/api-keys":                  models.RoleOwner,
	"POST /settings/api-keys/:id/revoke":       models.RoleOwner,
	"GET /settings/shipping-zones":             models.RoleOwner,
	"POST /settings/shipping-zones":            models.RoleOwner,
	"POST /settings/shipping-zones/:id/delete": models.RoleOwner,
	"GET /users":                               models.RoleOwner,
	"GET /users/new":                           models.RoleOwner,
	"POST /users":                              models.RoleOwner,
	"GET /users/:id/edit":                      models.RoleOwner,
	"POST /users/:id":                          models.RoleOwner,
	"GET /catalog":                             models.RoleViewer,
	"GET /catalog/export.csv":                  models.RoleViewer,
	"GET /catalog/import":                      models.RoleManager,
	"POST /catalog/import":                     models.RoleManager,
	"GET /catalog/import/:id":                  models.RoleManager,
	"POST /catalog/import/:id/apply":           models.RoleManager,
	"GET /catalog/import/:id/rejected.csv":     models.RoleManager,
	"GET /categories":                          models.RoleViewer,
	"POST /categories":                         models.RoleManager,
	"GET /products/new":                        models.RoleManager,
	"POST /products":                           models.RoleManager,
	"GET /products/:id":                        models.RoleViewer,
	"GET /products/:id/edit":                   models.RoleManager,
	"POST /products/:id":                       models.RoleManager,
	"POST /products/:id/matrix":                models.RoleManager,
	"GET /products/:id/variants/new":           models.RoleManager,
	"POST /products/:id/variants":              models.RoleManager,
	"GET /variants/:id/edit":                   models.RoleManager,
	"POST /variants/:id":                       models.RoleManager,
	"GET /mapping":                             models.RoleViewer,
	"GET /mapping/variants":                    models.RoleViewer,
	"POST /mapping/import":                     models.RoleManager,
	"GET /mapping/unmapped/:id":                models.RoleViewer,
	"POST /mapping/unmapped/:id/map":           models.RoleManager,
	"POST /mapping/unmapped/:id/ignore":        models.RoleManager,
	"POST /mapping/unmapped/:id/restore":       models.RoleManager,
	"GET /variants/:id/offers":                 models.RoleViewer,
	"POST /offers":                             models.RoleManager,
	"POST /offers/:id":                         models.RoleManager,
	"POST /offers/:id/active":                  models.RoleManager,
	"GET /suppliers":                           models.RoleViewer,
	"GET /suppliers/new":                       models.RoleManager,
	"POST /suppliers":                          models.RoleManager,
	"GET /suppliers/:id":                       models.RoleViewer,
	"GET /suppliers/:id/edit":                  models.RoleManager,
	"POST /suppliers/:id":                      models.RoleManager,
	"POST /suppliers/:id/status":               models.RoleManager,
	"GET /suppliers/:id/delete":                models.RoleManager,
	"POST /suppliers/:id/delete":               models.RoleManager,
	"GET /suppliers/:id/syncs":                 models.RoleViewer,
	"POST /suppliers/:id/sync":                 models.RoleManager,
	"POST /suppliers/:id/upload":               models.RoleManager,
	"POST /suppliers/:id/test":                 models.RoleManager,
	"GET /suppliers/:id/mapping":               models.RoleManager,
	"POST /suppliers/:id/mapping":              models.RoleManager,
	"POST /suppliers/:id/mapping/preview":      models.RoleManager,
	"GET /syncs":                               models.RoleViewer,
	"GET /syncs/:id":                           models.RoleViewer,
	"POST /held-feeds/:id/approve":             models.RoleManager,
	"POST /held-feeds/:id/reject":              models.RoleManager,
	"GET /stock/low":                           models.RoleViewer,
	"GET /settings":                            models.RoleOwner,
	"POST /settings":                           models.RoleOwner,
}

func roleRank(r models.Role) int {
	for i, x := range models.Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// TestPermissionTable requests every admin route as every role: the roles
// below the route's least role get 403, the others get through, and a
// visitor is sent to the sign-in page.
func TestPermissionTable(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	s := &Server{}
	routes := s.AdminRoutes()

	for _, r := range routes {
		key := r.Method + " " + r.Path
		if r.Perm == "" {
			continue // open to visitors: /login, /logout
		}
		if _, ok := leastRole[key]; !ok {
			t.Errorf("route %s has no expected role in leastRole: add it", key)
		}
	}

	target := a.createUser(models.RoleViewer) // what :id routes point at
	path := func(p string) string { return strings.ReplaceAll(p, ":id", fmt.Sprint(target.ID)) }

	for _, role := range models.Roles {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			b, _ := a.signedIn(role)
			for _, r := range routes {
				least, ok := leastRole[r.Method+" "+r.Path]
				if !ok {
					continue
				}
				var res response
				if r.Method == http.MethodGet {
					res = b.get(path(r.Path))
				} else {
					b.get("/") // a fresh token from a page this role can see
					res = b.postForm(path(r.Path), nil)
				}
				allowed := roleRank(role) >= roleRank(least)
				switch {
				case allowed && (res.StatusCode == http.StatusForbidden || strings.HasPrefix(res.Header.Get("Location"), "/login")):
					t.Errorf("%s %s as %s: status %d, want it allowed", r.Method, r.Path, role, res.StatusCode)
				case !allowed && res.StatusCode != http.StatusForbidden:
					t.Errorf("%s %s as %s: status %d, want 403", r.Method, r.Path, role, res.StatusCode)
				}
			}
		})
	}

	t.Run("visitor", func(t *testing.T) {
		t.Parallel()
		b := a.newBrowser()
		for _, r := range routes {
			if r.Perm == "" {
				continue
			}
			var res response
			if r.Method == http.MethodGet {
				res = b.get(path(r.Path))
			} else {
				res = b.postForm(path(r.Path), nil)
			}
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("%s %s as a visitor: status %d Location %q, want 303 to /login", r.Method, r.Path, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
}

// TestForbiddenPageExplains checks that a refused page says why, in the shell.
func TestForbiddenPageExplains(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleViewer)
	res := b.get("/settings")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", res.StatusCode)
	}
	for _, want := range []string{"Not allowed", "Your role does not allow this", `href="/jobs"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("403 page lacks %q", want)
		}
	}
	if strings.Contains(res.Body, `href="/settings"`) {
		t.Error("the navigation offers a viewer the settings page it can't open")
	}
}
