package inventory

import (
	"strconv"
	"strings"

	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/rest"
	"dropship/models"
	"dropship/views/components"
)

// MappingForm edits where a supplier's figures are: the feed file's layout
// (feed kinds) or the REST API's paths (REST). Error keys are the models'
// ("feed.fields.sku", "rest.pagination.cursor_path").
type MappingForm struct {
	Format           string `form:"format"`
	Compression      string `form:"compression"`
	ZipEntry         string `form:"zip_entry"`
	Encoding         string `form:"encoding"`
	Delimiter        string `form:"delimiter"`
	Quote            string `form:"quote"`
	HeaderRow        bool   `form:"header_row"`
	ItemPath         string `form:"item_path"`
	Currency         string `form:"currency"`
	DecimalSeparator string `form:"decimal_separator"`
	FSKU             string `form:"f_sku"`
	FQuantity        string `form:"f_quantity"`
	FCost            string `form:"f_cost"`
	FCurrency        string `form:"f_currency"`
	FLeadTime        string `form:"f_lead_time_days"`
	FDiscontinued    string `form:"f_discontinued"`
	FBarcode         string `form:"f_barcode"`
	FTitle           string `form:"f_title"`

	PageKind         string `form:"page_kind"`
	Limit            string `form:"limit"`
	LimitParam       string `form:"limit_param"`
	PageParam        string `form:"page_param"`
	StartAtZero      bool   `form:"start_at_zero"`
	CursorParam      string `form:"cursor_param"`
	CursorPath       string `form:"cursor_path"`
	ItemsPath        string `form:"items_path"`
	RSKU             string `form:"r_sku"`
	RQuantity        string `form:"r_quantity"`
	RCost            string `form:"r_cost"`
	RCurrency        string `form:"r_currency"`
	RLeadTime        string `form:"r_lead_time_days"`
	RDiscontinued    string `form:"r_discontinued"`
	RBarcode         string `form:"r_barcode"`
	RTitle           string `form:"r_title"`
	RObservedAt      string `form:"r_observed_at"`
	CostInMinorUnits bool   `form:"cost_in_minor_units"`
	DefaultCurrency  string `form:"default_currency"`

	Errors models.FieldErrors
}

// MappingFormOf fills the form from the supplier's stored mappings (or the defaults).
func MappingFormOf(s *models.Supplier) MappingForm {
	m := s.FeedMapping()
	r := s.RESTMappingOrDefault()
	f := MappingForm{Format: string(m.Format), Compression: string(m.Compression), ZipEntry: m.ZipEntry, Encoding: m.Encoding,
		Delimiter: m.Delimiter, Quote: m.Quote, HeaderRow: m.HeaderRow, ItemPath: m.ItemPath, Currency: m.Currency,
		DecimalSeparator: m.DecimalSeparator, FSKU: m.Fields.SKU, FQuantity: m.Fields.Quantity, FCost: m.Fields.Cost,
		FCurrency: m.Fields.Currency, FLeadTime: m.Fields.LeadTimeDays, FDiscontinued: m.Fields.Discontinued,
		FBarcode: m.Fields.Barcode, FTitle: m.Fields.Title,
		PageKind: r.Pagination.Kind, LimitParam: r.Pagination.LimitParam, PageParam: r.Pagination.PageParam,
		StartAtZero: r.Pagination.StartAtZero, CursorParam: r.Pagination.CursorParam, CursorPath: r.Pagination.CursorPath,
		ItemsPath: r.ItemsPath, RSKU: r.Fields.SKU, RQuantity: r.Fields.Quantity, RCost: r.Fields.Cost, RCurrency: r.Fields.Currency,
		RLeadTime: r.Fields.LeadTimeDays, RDiscontinued: r.Fields.Discontinued, RBarcode: r.Fields.Barcode, RTitle: r.Fields.Title,
		RObservedAt: r.Fields.ObservedAt, CostInMinorUnits: r.CostInMinorUnits, DefaultCurrency: r.DefaultCurrency}
	if r.Pagination.Limit > 0 {
		f.Limit = strconv.Itoa(r.Pagination.Limit)
	}
	return f
}

// FeedMapping is the feed layout as typed.
func (f *MappingForm) FeedMapping() feed.Mapping {
	t := strings.TrimSpace
	return feed.Mapping{Format: feed.Format(t(f.Format)), Compression: feed.Compression(t(f.Compression)), ZipEntry: t(f.ZipEntry),
		Encoding: t(f.Encoding), Delimiter: f.Delimiter, Quote: f.Quote, HeaderRow: f.HeaderRow, ItemPath: t(f.ItemPath),
		Currency: strings.ToUpper(t(f.Currency)), DecimalSeparator: t(f.DecimalSeparator),
		Fields: feed.Fields{SKU: t(f.FSKU), Quantity: t(f.FQuantity), Cost: t(f.FCost), Currency: t(f.FCurrency),
			LeadTimeDays: t(f.FLeadTime), Discontinued: t(f.FDiscontinued), Barcode: t(f.FBarcode), Title: t(f.FTitle)}}
}

// RESTMapping is the REST paths as typed; a page size that isn't a number is an error.
func (f *MappingForm) RESTMapping() models.RESTMapping {
	t := strings.TrimSpace
	m := models.RESTMapping{
		Pagination: rest.Pagination{Kind: t(f.PageKind), LimitParam: t(f.LimitParam), PageParam: t(f.PageParam),
			StartAtZero: f.StartAtZero, CursorParam: t(f.CursorParam), CursorPath: t(f.CursorPath)},
		ItemsPath: t(f.ItemsPath), CostInMinorUnits: f.CostInMinorUnits, DefaultCurrency: strings.ToUpper(t(f.DefaultCurrency)),
		Fields: rest.Fields{SKU: t(f.RSKU), Quantity: t(f.RQuantity), Cost: t(f.RCost), Currency: t(f.RCurrency),
			LeadTimeDays: t(f.RLeadTime), Discontinued: t(f.RDiscontinued), Barcode: t(f.RBarcode), Title: t(f.RTitle),
			ObservedAt: t(f.RObservedAt)},
	}
	if v := t(f.Limit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			f.errs().Add("rest.pagination.limit", "enter a whole number of items per page")
		}
		m.Pagination.Limit = n
	}
	return m
}

func (f *MappingForm) errs() models.FieldErrors {
	if f.Errors == nil {
		f.Errors = models.FieldErrors{}
	}
	return f.Errors
}

// Validate reads the part of the form the supplier's kind uses, checks it,
// and returns the mapping to store (nil for the part not used).
func (f *MappingForm) Validate(kind string) (*feed.Mapping, *models.RESTMapping, bool) {
	f.Errors = models.FieldErrors{}
	switch kind {
	case models.KindREST:
		m := f.RESTMapping()
		for k, v := range m.Validate() {
			f.Errors.Add(k, v)
		}
		return nil, &m, len(f.Errors) == 0
	case models.KindFeedHTTP, models.KindFeedSFTP, models.KindFeedFTP:
		m := f.FeedMapping()
		for k, v := range m.Validate() {
			f.Errors.Add("feed."+k, v)
		}
		return &m, nil, len(f.Errors) == 0
	}
	f.Errors.Add("kind", "this supplier's connection needs no mapping")
	return nil, nil, false
}

// UsesFeed reports whether the kind reads a feed file laid out by a mapping.
func UsesFeed(kind string) bool {
	return kind == models.KindFeedHTTP || kind == models.KindFeedSFTP || kind == models.KindFeedFTP
}

func formatOptions() []components.Option {
	return []components.Option{{Value: "csv", Label: "CSV (delimited text)"}, {Value: "xml", Label: "XML"}}
}

func compressionOptions() []components.Option {
	return []components.Option{{Value: "", Label: "Detect (gzip, zip or none)"}, {Value: "none", Label: "None"},
		{Value: "gzip", Label: "gzip"}, {Value: "zip", Label: "zip archive"}}
}

func encodingOptions() []components.Option {
	return []components.Option{{Value: "", Label: "UTF-8 (the default)"}, {Value: feed.EncodingLatin1, Label: "Latin-1 (ISO-8859-1)"},
		{Value: feed.EncodingWindows1252, Label: "Windows-1252"}}
}

func decimalOptions() []components.Option {
	return []components.Option{{Value: "", Label: "Guess per value"}, {Value: ".", Label: "Point (12.34)"}, {Value: ",", Label: "Comma (12,34)"}}
}

func pageKindOptions() []components.Option {
	return []components.Option{{Value: rest.PageNumber, Label: "Page numbers (?page=2)"}, {Value: rest.PageCursor, Label: "A cursor in each answer"},
		{Value: rest.PageLink, Label: "Link headers (rel=next)"}, {Value: rest.PageNone, Label: "One answer holds everything"}}
}
