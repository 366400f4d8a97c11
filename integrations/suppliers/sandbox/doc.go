// Package sandbox is a supplier's systems on loopback, for `make run`, the
// tests and the benchmarks: one Supplier is a catalog of N SKUs generated
// from a seed (SKU "ACME-000123", title, UPC-A barcode, cost, quantity, lead
// time) whose stock drifts in demo mode, shown through every channel real
// suppliers use.
//
// HTTP (one server):
//
//	GET /api/v1/inventory   JSON, bearer token; ?page=N&limit=L, ?cursor=C&limit=L
//	                        (meta.next_cursor) and a Link rel="next" header
//	                        {"data":{"items":[{"sku","title","barcode",
//	                          "stock":{"available"},"price":{"cost":"12.34","currency"},
//	                          "lead_time_days","discontinued","updated_at"}]},
//	                         "meta":{"page","limit","total","next_cursor"}}
//	GET /feeds/stock.csv    sku,title,barcode,quantity,cost,currency,lead_time_days,discontinued
//	GET /feeds/stock.xml    <inventory><item><sku/><title/><barcode/><quantity/>
//	                        <cost currency="USD">12.34</cost><lead_time_days/><discontinued/></item></inventory>
//
// Feeds carry an ETag (a hash of the content) and Last-Modified, and answer
// 304 to a conditional GET while stock is unchanged.
//
// SFTP (password or authorized key; the ed25519 host key is kept in Config.Dir
// so its fingerprint survives restarts) and FTP (passive, optionally explicit
// TLS) serve the same read-only folder:
//
//	/stock.csv                      the current feed
//	/stock_20261127T141503.csv      dated copies, the last five
//	/846/846_20261127T141503_000000007.edi   X12 846 inventory advice, the last five
//
// Webhooks: on every stock change the supplier POSTs to Config.WebhookURL
// (normally {base}/webhooks/suppliers/{code}), signed the Standard Webhooks
// way (webhook-id unique per delivery and kept across its retries,
// webhook-timestamp, webhook-signature "v1,..."), retried with backoff until a
// 2xx:
//
//	{"type":"stock.updated","data":{"items":[
//	  {"sku":"ACME-000123","quantity":17,"observed_at":"2026-11-27T14:15:03.123456789Z"}]}}
//
// quantity is the new absolute quantity (not a delta) and observed_at the
// moment it became true (RFC 3339, UTC, nanoseconds): a receiver ignores an
// update older than what it stored for that SKU.
//
// Faults (Config.Faults) make it misbehave on purpose: latency, a share of
// 503s or 429s, feeds cut off mid-transfer, garbled bytes, webhooks signed
// with the wrong secret or stamped outside the tolerance.
package sandbox
