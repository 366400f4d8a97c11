package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/rest"
	"dropship/integrations/suppliers/transport"
	"dropship/integrations/suppliers/x12"
	"dropship/models"
)

// DefaultMaxFeedBytes is the largest feed a sync reads; past it the run fails
// with the reason rather than streaming on for ever.
const DefaultMaxFeedBytes = 4 << 30

// Inventory keeps suppliers' stock fresh: one scheduled job per supplier
// with a schedule, syncs on demand ("Sync now"), uploaded feeds and approved
// held feeds. Runs of one supplier never overlap (models.WithSupplierSyncLock).
type Inventory struct {
	db    *gorm.DB
	box   *models.SecretBox
	log   *slog.Logger
	sched *Scheduler

	// RESTOptions tune the REST client; tests shorten its retries.
	RESTOptions rest.Options
	// MaxFeedBytes bounds a feed's size; DefaultMaxFeedBytes when 0.
	MaxFeedBytes int64

	mu        sync.Mutex
	scheduled map[int64]string // supplier id -> schedule of its registered job

	bgCtx    context.Context
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
}

// NewInventory builds the sync service; sched receives the per-supplier jobs.
func NewInventory(db *gorm.DB, box *models.SecretBox, log *slog.Logger, sched *Scheduler) *Inventory {
	ctx, cancel := context.WithCancel(context.Background())
	return &Inventory{db: db, box: box, log: log, sched: sched, scheduled: map[int64]string{}, bgCtx: ctx, bgCancel: cancel}
}

// Jobs are the inventory's own recurring jobs: keeping the per-supplier jobs
// in step with the suppliers' schedules, the low-stock check that also
// catches crossings checkout causes, and purging old sync records.
func (inv *Inventory) Jobs() []Job {
	return []Job{
		{Name: "supplier-schedules", Every: 30 * time.Second, Quiet: true, Run: inv.Reload},
		{Name: "low-stock", Every: 5 * time.Minute, LeaderOnly: true, Quiet: true, Run: func(ctx context.Context) (string, error) {
			c, err := models.CheckLowStock(ctx, inv.db, nil)
			if err != nil || c.Opened+c.Resolved == 0 {
				return "", err
			}
			return fmt.Sprintf("%d low-stock alerts opened, %d resolved, %d emails queued", c.Opened, c.Resolved, c.Mails), nil
		}},
		{Name: "sync-housekeeping", Every: time.Hour, LeaderOnly: true, Run: func(ctx context.Context) (string, error) {
			p, err := models.PurgeSyncRecords(ctx, inv.db)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("purged %d stock history rows, %d sync runs, %d decided held feeds, %d resolved alerts; closed %d dead runs",
				p.History, p.Runs, p.Held, p.Alerts, p.Dead), nil
		}},
	}
}

// JobName is the name of a supplier's sync job.
func JobName(code string) string { return "sync:" + code }

// Reload makes the scheduled jobs match the suppliers' schedules: a job per
// active supplier with a schedule, replaced when its schedule changes,
// removed when it has none any more. Each instance runs it; the jobs run on
// the leader only.
func (inv *Inventory) Reload(ctx context.Context) (string, error) {
	list, err := models.ListScheduledSuppliers(ctx, inv.db)
	if err != nil {
		return "", err
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	seen := map[int64]bool{}
	var added, changed, removed int
	for _, s := range list {
		seen[s.ID] = true
		if old, ok := inv.scheduled[s.ID]; ok && old == s.Schedule {
			continue
		}
		j := Job{Name: JobName(s.Code), LeaderOnly: true, Run: inv.scheduledRun(s.ID)}
		if d, err := time.ParseDuration(s.Schedule); err == nil {
			j.Every = d
		} else {
			j.Cron = s.Schedule
		}
		if err := inv.sched.Replace(j); err != nil {
			inv.log.Error("supplier schedule not loaded", "supplier", s.Code, "schedule", s.Schedule, "err", err)
			continue
		}
		if _, ok := inv.scheduled[s.ID]; ok {
			changed++
		} else {
			added++
		}
		inv.scheduled[s.ID] = s.Schedule
	}
	for id := range inv.scheduled {
		if !seen[id] {
			sup, err := models.GetSupplier(ctx, inv.db, id)
			if err == nil {
				inv.sched.Remove(JobName(sup.Code))
			}
			delete(inv.scheduled, id)
			removed++
		}
	}
	if added+changed+removed == 0 {
		return "", nil
	}
	return fmt.Sprintf("supplier sync jobs: %d added, %d rescheduled, %d removed", added, changed, removed), nil
}

func (inv *Inventory) scheduledRun(supplierID int64) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		run, err := inv.SyncSupplier(ctx, supplierID, models.TriggerSchedule, nil)
		if errors.Is(err, models.ErrSyncBusy) {
			return "skipped: another sync of this supplier is running", nil
		}
		if err != nil {
			return "", err
		}
		return run.Summary(), nil
	}
}

// SyncSupplier fetches and applies the supplier's stock now, on this
// goroutine. It returns models.ErrSyncBusy when a run of the supplier is in
// flight elsewhere; a failed run is returned with its error.
func (inv *Inventory) SyncSupplier(ctx context.Context, supplierID int64, trigger string, actor *models.User) (*models.SyncRun, error) {
	return inv.syncSupplier(ctx, supplierID, trigger, actor, nil)
}

// syncSupplier is SyncSupplier calling started once the run is recorded.
func (inv *Inventory) syncSupplier(ctx context.Context, supplierID int64, trigger string, actor *models.User, started func()) (*models.SyncRun, error) {
	sup, err := models.GetSupplier(ctx, inv.db, supplierID)
	if err != nil {
		return nil, err
	}
	source, err := sourceOf(sup)
	if err != nil {
		return nil, err
	}
	var run *models.SyncRun
	err = models.WithSupplierSyncLock(ctx, inv.db, supplierID, func(l *models.SyncLock) error {
		if run, err = models.StartSyncRun(ctx, inv.db, supplierID, source, trigger, actor, inv.instance()); err != nil {
			return err
		}
		if started != nil {
			started()
		}
		return inv.pull(ctx, l, sup, run)
	})
	return run, err
}

// sourceOf is the source a supplier's pulls are recorded under.
func sourceOf(sup *models.Supplier) (string, error) {
	switch sup.ConnectionKind {
	case models.KindREST:
		return models.SourceREST, nil
	case models.KindFeedHTTP, models.KindFeedSFTP, models.KindFeedFTP:
		return models.SourceFeed, nil
	case models.KindX12SFTP:
		return models.SourceX12, nil
	case models.KindWebhook:
		return "", errors.New("this supplier pushes its stock by signed webhooks: there is nothing to fetch")
	}
	return "", errors.New("this supplier's connection (" + sup.ConnectionKind + ") does not report stock")
}

// pull fetches the supplier's snapshot and applies it; a failure before the
// apply (connection, login, HTTP status) fails the run with its reason.
func (inv *Inventory) pull(ctx context.Context, l *models.SyncLock, sup *models.Supplier, run *models.SyncRun) error {
	fail := func(err error) error {
		if ferr := models.FailSyncRun(context.WithoutCancel(ctx), inv.db, run, err); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	}
	started := time.Now().UTC()
	if sup.ConnectionKind == models.KindREST {
		cfg, err := inv.restConfig(sup, sup.RESTMappingOrDefault())
		if err != nil {
			return fail(err)
		}
		r, err := rest.NewReader(ctx, cfg, inv.RESTOptions)
		if err != nil {
			return fail(err)
		}
		return l.ApplySnapshot(ctx, run, models.Snapshot{Source: models.SourceREST, Records: r, Name: cfg.URL, At: started, Full: true})
	}
	state, err := models.GetSyncState(ctx, inv.db, sup.ID)
	if err != nil {
		return fail(err)
	}
	f, err := inv.fetcher(sup)
	if err != nil {
		return fail(err)
	}
	got, err := f.Fetch(ctx, state.ETag, state.LastModified)
	if errors.Is(err, suppliers.ErrNotModified) {
		return models.FinishNotModified(ctx, inv.db, run)
	}
	if err != nil {
		return fail(err)
	}
	defer got.Body.Close()
	if got.HostKey != "" && sup.Connection.HostKey == "" {
		if err := models.PinHostKey(ctx, inv.db, sup.ID, got.HostKey); err != nil {
			return fail(err)
		}
	}
	body := &countingReader{r: got.Body, limit: inv.maxFeedBytes()}
	records, err := inv.open(sup, body, got.Name)
	if err != nil {
		return fail(err)
	}
	snap := models.Snapshot{Source: sourceFor(sup), Records: records, Name: got.Name, At: snapshotTime(got.LastModified, started),
		Full: true, Size: got.Size, BytesRead: body.n.Load, ETag: got.ETag, LastModified: got.LastModified}
	return l.ApplySnapshot(ctx, run, snap)
}

func sourceFor(sup *models.Supplier) string {
	if sup.ConnectionKind == models.KindX12SFTP {
		return models.SourceX12
	}
	return models.SourceFeed
}

// snapshotTime is when a fetched file's figures were true: its modification
// time when the server gives one that is not in the future, else the fetch's start.
func snapshotTime(lastModified string, fetched time.Time) time.Time {
	if t, err := http.ParseTime(lastModified); err == nil && !t.After(fetched) {
		return t
	}
	return fetched
}

// open parses a feed of the supplier: X12 846 for X12 suppliers, CSV or XML
// by its mapping for the others.
func (inv *Inventory) open(sup *models.Supplier, r io.Reader, name string) (suppliers.RecordReader, error) {
	if sup.ConnectionKind == models.KindX12SFTP {
		return x12.Open846(r, x12.InventoryOptions{}), nil
	}
	return feed.Open(r, name, sup.FeedMapping())
}

func (inv *Inventory) maxFeedBytes() int64 {
	if inv.MaxFeedBytes > 0 {
		return inv.MaxFeedBytes
	}
	return DefaultMaxFeedBytes
}

func (inv *Inventory) instance() string {
	if inv.sched != nil {
		return inv.sched.Instance()
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// countingReader counts the bytes read (the progress bar) and refuses a feed past limit.
type countingReader struct {
	r     io.Reader
	n     atomic.Int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if total := c.n.Add(int64(n)); total > c.limit {
		return n, fmt.Errorf("the feed is larger than %d MB, the most a sync reads; ask the supplier for a smaller or compressed file", c.limit>>20)
	}
	return n, err
}

// secret opens one of the supplier's sealed secrets.
func (inv *Inventory) secret(sup *models.Supplier, name string) (string, error) {
	v, err := sup.Secret(inv.box, name)
	if err != nil {
		return "", fmt.Errorf("the stored %s can't be opened (was SECRET_KEY changed?): %w", name, err)
	}
	return v, nil
}

// httpAuth is the supplier's HTTP authentication.
func (inv *Inventory) httpAuth(sup *models.Supplier) (transport.Auth, error) {
	c := sup.Connection
	switch c.AuthType {
	case models.AuthBearer:
		tok, err := inv.secret(sup, models.SecretToken)
		return transport.Auth{Kind: transport.AuthBearer, Token: tok}, err
	case models.AuthBasic:
		pw, err := inv.secret(sup, models.SecretPassword)
		return transport.Auth{Kind: transport.AuthBasic, Username: c.Username, Password: pw}, err
	case models.AuthAPIKey:
		key, err := inv.secret(sup, models.SecretToken)
		return transport.Auth{Kind: transport.AuthAPIKey, Header: c.APIKeyHeader, Key: key}, err
	}
	return transport.Auth{Kind: transport.AuthNone}, nil
}

// restConfig is the REST connector's configuration for the supplier with mapping m.
func (inv *Inventory) restConfig(sup *models.Supplier, m models.RESTMapping) (rest.Config, error) {
	auth, err := inv.httpAuth(sup)
	if err != nil {
		return rest.Config{}, err
	}
	cfg := m.Config(sup.Connection.URL)
	cfg.Auth = auth
	if cfg.DefaultCurrency == "" {
		cfg.DefaultCurrency = sup.Currency
	}
	return cfg, nil
}

// remotePath joins the connection's folder and file pattern into the
// transport's path rule ("/out/stock_*.csv", "/out/stock.csv", "/out/").
func remotePath(c models.Connection) string {
	p := c.Path
	if p == "" {
		p = "/"
	}
	if c.FilePattern != "" {
		return path.Join(p, c.FilePattern)
	}
	return p
}

// fetcher builds the transport of a feed supplier.
func (inv *Inventory) fetcher(sup *models.Supplier) (interface {
	suppliers.Fetcher
	TestConnection(ctx context.Context) (transport.Probe, error)
}, error) {
	c := sup.Connection
	hostPort := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	switch sup.ConnectionKind {
	case models.KindFeedHTTP:
		auth, err := inv.httpAuth(sup)
		if err != nil {
			return nil, err
		}
		return transport.NewHTTP(transport.HTTPConfig{URL: c.URL, Auth: auth})
	case models.KindFeedSFTP, models.KindX12SFTP:
		cfg := transport.SFTPConfig{Host: hostPort, User: c.Username, HostKey: c.HostKey, Path: remotePath(c)}
		var err error
		if c.AuthType == models.AuthPrivateKey {
			cfg.PrivateKey, err = inv.secret(sup, models.SecretPrivateKey)
		} else {
			cfg.Password, err = inv.secret(sup, models.SecretPassword)
		}
		if err != nil {
			return nil, err
		}
		return transport.NewSFTP(cfg)
	case models.KindFeedFTP:
		pw, err := inv.secret(sup, models.SecretPassword)
		if err != nil {
			return nil, err
		}
		return transport.NewFTP(transport.FTPConfig{Host: hostPort, User: c.Username, Password: pw, Path: remotePath(c)})
	}
	return nil, fmt.Errorf("a %s supplier has no feed to fetch", models.KindSpecs[sup.ConnectionKind].Label)
}

// TestConnection connects the way a sync would and reports what it saw,
// without applying anything: the file and its first lines, the REST API's
// first records as mapped, or the SSH host key to pin. A host key seen for
// the first time is pinned, as a sync would.
func (inv *Inventory) TestConnection(ctx context.Context, sup *models.Supplier) (transport.Probe, error) {
	switch sup.ConnectionKind {
	case models.KindREST:
		cfg, err := inv.restConfig(sup, sup.RESTMappingOrDefault())
		if err != nil {
			return transport.Probe{}, err
		}
		return rest.TestConnection(ctx, cfg, inv.RESTOptions)
	case models.KindWebhook, models.KindEmail:
		return transport.Probe{}, errors.New("this supplier pushes to us; there is no connection to test from here")
	}
	f, err := inv.fetcher(sup)
	if err != nil {
		return transport.Probe{}, err
	}
	p, err := f.TestConnection(ctx)
	if err != nil {
		return p, err
	}
	if p.HostKey != "" && sup.Connection.HostKey == "" {
		if err := models.PinHostKey(ctx, inv.db, sup.ID, p.HostKey); err != nil {
			return p, err
		}
		p.Note = joinNote(p.Note, "host key pinned (first connection)")
	}
	return p, nil
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// PreviewRows is how many rows a mapping preview shows.
const PreviewRows = 10

// PreviewFeed parses the first rows of the supplier's feed with mapping m:
// of sample when given (an uploaded file), else of the feed fetched now.
func (inv *Inventory) PreviewFeed(ctx context.Context, sup *models.Supplier, m feed.Mapping, sample io.Reader, sampleName string) (feed.PreviewResult, error) {
	if sample != nil {
		return feed.Preview(sample, sampleName, m, PreviewRows)
	}
	f, err := inv.fetcher(sup)
	if err != nil {
		return feed.PreviewResult{}, err
	}
	got, err := f.Fetch(ctx, "", "")
	if err != nil {
		return feed.PreviewResult{}, err
	}
	defer got.Body.Close()
	return feed.Preview(got.Body, got.Name, m, PreviewRows)
}

// PreviewREST fetches the first page of the supplier's API and shows its first records mapped with m.
func (inv *Inventory) PreviewREST(ctx context.Context, sup *models.Supplier, m models.RESTMapping) (transport.Probe, error) {
	cfg, err := inv.restConfig(sup, m)
	if err != nil {
		return transport.Probe{}, err
	}
	return rest.TestConnection(ctx, cfg, inv.RESTOptions)
}

// background runs fn on its own goroutine, recorded as a run of the
// supplier's job, once no run of the supplier is in flight; it returns
// models.ErrSyncBusy at once when one is. It returns when fn has recorded
// its sync run (calling started) or ended, so a page loaded next shows it.
func (inv *Inventory) background(supplierID int64, what string, fn func(ctx context.Context, started func()) (*models.SyncRun, error)) error {
	busy, err := models.SyncInFlight(inv.bgCtx, inv.db, supplierID)
	if err != nil {
		return err
	}
	if busy {
		return models.ErrSyncBusy
	}
	sup, err := models.GetSupplier(inv.bgCtx, inv.db, supplierID)
	if err != nil {
		return err
	}
	ready := make(chan struct{})
	var once sync.Once
	started := func() { once.Do(func() { close(ready) }) }
	j := Job{Name: JobName(sup.Code), Run: func(ctx context.Context) (string, error) {
		defer started()
		run, err := fn(ctx, started)
		if errors.Is(err, models.ErrSyncBusy) {
			return "skipped: another sync of this supplier is running", nil
		}
		if err != nil {
			return "", err
		}
		return what + ": " + run.Summary(), nil
	}}
	inv.bg.Go(func() {
		if inv.sched != nil {
			inv.sched.RunOnce(inv.bgCtx, j)
			return
		}
		if _, err := j.Run(inv.bgCtx); err != nil {
			inv.log.Error("sync failed", "supplier", sup.Code, "err", err)
		}
	})
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
	}
	return nil
}

// SyncNow starts a sync of the supplier in the background ("Sync now").
func (inv *Inventory) SyncNow(supplierID int64, actor *models.User) error {
	return inv.background(supplierID, "manual sync", func(ctx context.Context, started func()) (*models.SyncRun, error) {
		return inv.syncSupplier(ctx, supplierID, models.TriggerManual, actor, started)
	})
}

// Upload applies a feed file a person uploaded on the supplier's page, in
// the background: the file is kept in a temporary file until it is applied.
func (inv *Inventory) Upload(supplierID int64, actor *models.User, name string, r io.Reader) error {
	tmp, err := os.CreateTemp("", "dropship-upload-*")
	if err != nil {
		return fmt.Errorf("jobs: upload: %w", err)
	}
	size, err := io.Copy(tmp, io.LimitReader(r, inv.maxFeedBytes()+1))
	if err == nil && size > inv.maxFeedBytes() {
		err = fmt.Errorf("the file is larger than %d MB", inv.maxFeedBytes()>>20)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("jobs: upload: %w", err)
	}
	err = inv.background(supplierID, "uploaded feed", func(ctx context.Context, started func()) (*models.SyncRun, error) {
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		return inv.applyFile(ctx, supplierID, actor, name, tmp, size, started)
	})
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	return err
}

// ApplyFile applies a feed file (an upload) to the supplier as a full snapshot taken now.
func (inv *Inventory) ApplyFile(ctx context.Context, supplierID int64, actor *models.User, name string, f io.ReadSeeker, size int64) (*models.SyncRun, error) {
	return inv.applyFile(ctx, supplierID, actor, name, f, size, nil)
}

func (inv *Inventory) applyFile(ctx context.Context, supplierID int64, actor *models.User, name string, f io.ReadSeeker, size int64, started func()) (*models.SyncRun, error) {
	sup, err := models.GetSupplier(ctx, inv.db, supplierID)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var run *models.SyncRun
	err = models.WithSupplierSyncLock(ctx, inv.db, supplierID, func(l *models.SyncLock) error {
		if run, err = models.StartSyncRun(ctx, inv.db, supplierID, models.SourceUpload, models.TriggerManual, actor, inv.instance()); err != nil {
			return err
		}
		if started != nil {
			started()
		}
		body := &countingReader{r: f, limit: inv.maxFeedBytes()}
		records, err := inv.open(sup, body, name)
		if err != nil {
			if ferr := models.FailSyncRun(context.WithoutCancel(ctx), inv.db, run, err); ferr != nil {
				return errors.Join(err, ferr)
			}
			return err
		}
		return l.ApplySnapshot(ctx, run, models.Snapshot{Source: models.SourceUpload, Records: records, Name: name,
			At: time.Now().UTC(), Full: true, Size: size, BytesRead: body.n.Load})
	})
	return run, err
}

// ApproveHeld applies a held feed a person approved, in the background.
func (inv *Inventory) ApproveHeld(ctx context.Context, heldID int64, actor *models.User, note string) error {
	h, err := models.GetHeldFeed(ctx, inv.db, heldID)
	if err != nil {
		return err
	}
	if h.Status != models.HeldPending {
		return fmt.Errorf("jobs: held feed %d is %s: %w", heldID, h.Status, models.ErrInvalidTransition)
	}
	return inv.background(h.SupplierID, "approved held feed", func(ctx context.Context, started func()) (*models.SyncRun, error) {
		return inv.applyHeld(ctx, heldID, actor, note, started)
	})
}

// ApplyHeld applies an approved held feed on this goroutine.
func (inv *Inventory) ApplyHeld(ctx context.Context, heldID int64, actor *models.User, note string) (*models.SyncRun, error) {
	return inv.applyHeld(ctx, heldID, actor, note, nil)
}

func (inv *Inventory) applyHeld(ctx context.Context, heldID int64, actor *models.User, note string, started func()) (*models.SyncRun, error) {
	h, err := models.GetHeldFeed(ctx, inv.db, heldID)
	if err != nil {
		return nil, err
	}
	var run *models.SyncRun
	err = models.WithSupplierSyncLock(ctx, inv.db, h.SupplierID, func(l *models.SyncLock) error {
		if run, err = models.StartSyncRun(ctx, inv.db, h.SupplierID, models.SourceApproval, models.TriggerApproval, actor, inv.instance()); err != nil {
			return err
		}
		if started != nil {
			started()
		}
		return l.ApplyHeldFeed(ctx, run, heldID, actor, note)
	})
	return run, err
}

// Wait blocks until the background runs started so far have finished.
func (inv *Inventory) Wait() { inv.bg.Wait() }

// Close cancels background runs (their transactions roll back) and waits for them.
func (inv *Inventory) Close() {
	inv.bgCancel()
	inv.bg.Wait()
}
