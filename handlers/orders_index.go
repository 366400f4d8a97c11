package handlers

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/orders"
)

const ordersPerPage = 50

// ordersIndex lists orders by queue, newest first, with a search.
func (s *Server) ordersIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.OrderFilter{Queue: c.Query("queue"), Search: c.Query("q"), BeforeID: int64(c.QueryInt("before")), Limit: ordersPerPage}
	if !slices.Contains(models.OrderQueues, f.Queue) {
		f.Queue = models.QueueAll
	}
	list, err := models.ListOrders(ctx, s.db, f)
	if err != nil {
		return err
	}
	counts, err := models.OrderQueueCounts(ctx, s.db)
	if err != nil {
		return err
	}
	d := orders.IndexData{Filter: f, Counts: counts}
	list, d.Pager = keysetPage(list, ordersPerPage, f.BeforeID, "/orders", url.Values{"queue": {f.Queue}, "q": {f.Search}},
		func(o models.Order) int64 { return o.ID })
	d.Orders = list
	d.Pager.Summary = fmt.Sprintf("%d orders shown", len(list))
	return s.render(c, fiber.StatusOK, orders.Index(d))
}
