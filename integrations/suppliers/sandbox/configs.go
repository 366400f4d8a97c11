package sandbox

import (
	"dropship/integrations/suppliers/rest"
	"dropship/integrations/suppliers/transport"
)

// The connector configs that read this sandbox, for tests and the demo data.

// RESTConfig reads the REST API with the given pagination kind (rest.PageNumber, PageCursor or PageLink).
func (in Info) RESTConfig(kind string) rest.Config {
	return rest.Config{
		URL:        in.RESTURL,
		Auth:       transport.Auth{Kind: transport.AuthBearer, Token: in.Token},
		Pagination: rest.Pagination{Kind: kind, Limit: defaultLimit, CursorPath: "meta.next_cursor"},
		ItemsPath:  "data.items[]",
		Fields: rest.Fields{
			SKU: "sku", Quantity: "stock.available", Cost: "price.cost", Currency: "price.currency",
			LeadTimeDays: "lead_time_days", Discontinued: "discontinued", Barcode: "barcode", Title: "title",
			ObservedAt: "updated_at",
		},
	}
}

// CSVFeedConfig fetches the CSV feed over HTTP.
func (in Info) CSVFeedConfig() transport.HTTPConfig { return transport.HTTPConfig{URL: in.CSVURL} }

// XMLFeedConfig fetches the XML feed over HTTP.
func (in Info) XMLFeedConfig() transport.HTTPConfig { return transport.HTTPConfig{URL: in.XMLURL} }

// SFTPConfig fetches path (e.g. in.StockFile, in.DatedFiles, in.X12846Files) over SFTP,
// with the host key pinned.
func (in Info) SFTPConfig(path string) transport.SFTPConfig {
	return transport.SFTPConfig{Host: in.SFTPAddr, User: in.User, Password: in.Password, HostKey: in.SFTPHostKey, Path: path}
}

// FTPConfig fetches path over FTP (explicit TLS when the sandbox serves it).
func (in Info) FTPConfig(path string) transport.FTPConfig {
	return transport.FTPConfig{Host: in.FTPAddr, User: in.User, Password: in.Password, Path: path, TLS: in.FTPTLS, TLSCACert: in.FTPCACert}
}
