package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
)

// supplierUpload applies a feed file uploaded on the supplier's page with
// the supplier's mapping, in the background, as a full snapshot.
func (s *Server) supplierUpload(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	sup, err := models.GetSupplier(c.UserContext(), s.db, id)
	if err != nil {
		return err
	}
	if s.inv == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Stock sync is not running on this instance.")
	}
	fh, err := c.FormFile("feed")
	if err != nil {
		s.flash(c, "error", "Choose the feed file to upload.")
		return s.redirect(c, fmt.Sprintf("/suppliers/%d", id))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	err = s.inv.Upload(id, currentUser(c), fh.Filename, f)
	switch {
	case errors.Is(err, models.ErrSyncBusy):
		s.flash(c, "error", "A sync of "+sup.Code+" is running; upload the file again once it has finished.")
		return s.redirect(c, fmt.Sprintf("/suppliers/%d", id))
	case err != nil:
		return err
	}
	s.flash(c, "success", "Applying "+fh.Filename+" to "+sup.Code+".")
	return s.redirect(c, fmt.Sprintf("/suppliers/%d/syncs", id))
}
