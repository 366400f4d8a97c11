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
	if len(list) > ordersPerPage {
		list = list[:ordersPerPage]
		q := url.Values{"before": {fmt.Sprint(list[len(list)-1].ID)}}
		if f.Queue != "" {
			q.Set("queue", f.Queue)
		}
		if f.Search != "" {
			q.Set("q", f.Search)
		}
		d.Pager.Next = "/orders?" + q.Encode()
	}
	if f.BeforeID > 0 {
		d.Pager.Prev = "/orders"
	}
	d.Orders = list
	d.Pager.Summary = fmt.Sprintf("%d orders shown", len(list))
	return s.render(c, fiber.StatusOK, orders.Index(d))
}
