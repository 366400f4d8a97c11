// Package zones is the page that edits transit days between countries.
package zones

import (
	"strconv"
	"strings"

	"dropship/models"
)

// PageData is the transit table and the add/change form.
type PageData struct {
	Zones models.ShippingZones
	Form  Form
}

// Form adds a route or changes its days.
type Form struct {
	FromCountry string `form:"from_country"`
	ToCountry   string `form:"to_country"`
	MinDays     string `form:"transit_min_days"`
	MaxDays     string `form:"transit_max_days"`
	Errors      models.FieldErrors
}

// Input parses the day counts; it reports false with Errors set.
func (f *Form) Input() (models.ShippingZoneInput, bool) {
	f.Errors = models.FieldErrors{}
	in := models.ShippingZoneInput{FromCountry: f.FromCountry, ToCountry: f.ToCountry}
	var err error
	if in.TransitMinDays, err = strconv.Atoi(strings.TrimSpace(f.MinDays)); err != nil {
		f.Errors.Add("transit_min_days", "enter a number of days")
	}
	if in.TransitMaxDays, err = strconv.Atoi(strings.TrimSpace(f.MaxDays)); err != nil {
		f.Errors.Add("transit_max_days", "enter a number of days")
	}
	return in, len(f.Errors) == 0
}

func routeLabel(z models.ShippingZone) string {
	from, to := z.FromCountry, z.ToCountry
	if from == "*" {
		from = "anywhere"
	}
	switch to {
	case "*":
		to = "anywhere"
	case "=":
		to = "the same country"
	}
	return from + " → " + to
}
