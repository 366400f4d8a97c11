package handlers

import (
	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/audit"
)

const auditPerPage = 50

// auditIndex lists audit entries and, on request, verifies the hash chain.
func (s *Server) auditIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	before := int64(c.QueryInt("before"))
	entries, err := models.ListAuditPage(ctx, s.db, before, auditPerPage+1)
	if err != nil {
		return err
	}
	d := audit.PageData{}
	d.Entries, d.Pager = keysetPage(entries, auditPerPage, before, "/audit", nil, func(e models.AuditEntry) int64 { return e.ID })
	if c.Query("verify") == "1" {
		if d.ChainBroken, err = models.VerifyAuditChain(ctx, s.db); err != nil {
			return err
		}
		d.Checked = true
	}
	return s.render(c, fiber.StatusOK, audit.Page(d))
}
