package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics() *httpMetrics {
	return &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dropship_http_request_duration_seconds", Help: "HTTP request latency by method, route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
}

const requestIDHeader = "X-Request-ID"

// observe gives each request an id, renders errors (so the status is known
// here), then logs the request and records its metrics by route pattern.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	id := c.Get(requestIDHeader)
	if id == "" || len(id) > 64 {
		b := make([]byte, 8)
		rand.Read(b) //nolint:errcheck // crypto/rand never fails on Linux
		id = hex.EncodeToString(b)
	}
	c.Set(requestIDHeader, id)
	c.Locals(localRequestID, id)

	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}

	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched" // keep unknown paths from creating a series each
	}
	elapsed := time.Since(start)
	labels := prometheus.Labels{"method": c.Method(), "route": route, "status": strconv.Itoa(status)}
	s.metrics.requests.With(labels).Inc()
	s.metrics.duration.With(labels).Observe(elapsed.Seconds())

	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case route == "/static/*" || route == "/healthz" || route == "/readyz" || route == "/metrics":
		level = slog.LevelDebug
	}
	s.log.LogAttrs(c.UserContext(), level, "request",
		slog.String("request_id", id), slog.String("method", c.Method()), slog.String("path", c.Path()),
		slog.String("route", route), slog.Int("status", status), slog.Duration("took", elapsed),
		slog.String("ip", c.IP()))
	return nil
}

// Locals keys.
const (
	localRequestID = "request_id"
	localUser      = "user"
	localSession   = "session" // set when the session middleware loaded a session
)

// recoverPanic turns a panic into a 500 error with the stack in the log.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "request_id", c.Locals(localRequestID), "panic", r, "path", c.Path())
			err = fiber.ErrInternalServerError
		}
	}()
	return c.Next()
}
