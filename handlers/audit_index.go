package handlers

import (
	"fmt"

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
	if len(entries) > auditPerPage {
		entries = entries[:auditPerPage]
		d.Pager.Next = fmt.Sprintf("/audit?before=%d", entries[len(entries)-1].ID)
	}
	if before > 0 {
		d.Pager.Prev = "/audit"
	}
	d.Entries = entries
	if c.Query("verify") == "1" {
		if d.ChainBroken, err = models.VerifyAuditChain(ctx, s.db); err != nil {
			return err
		}
		d.Checked = true
	}
	return s.render(c, fiber.StatusOK, audit.Page(d))
}
