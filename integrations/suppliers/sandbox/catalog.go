package sandbox

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Item is one SKU of the sandbox supplier's catalog.
type Item struct {
	SKU          string
	Title        string
	Barcode      string // UPC-A, 12 digits with a valid check digit
	CostCents    int64
	Currency     string
	Quantity     int64
	LeadTimeDays int
	Discontinued bool
	// UpdatedAt is when Quantity last changed.
	UpdatedAt time.Time
}

// Catalog is the supplier's stock: generated from a seed, then drifting.
type Catalog struct {
	mu      sync.Mutex
	items   []Item
	rng     *rand.Rand
	version int64
	modTime time.Time
}

var (
	adjectives = []string{"Classic", "Organic", "Compact", "Deluxe", "Everyday", "Rustic", "Nordic", "Crème", "Café", "Travel", "Bamboo", "Vintage"}
	nouns      = []string{"Mug", "Cutting Board", "Desk Lamp", "Backpack", "Water Bottle", "Throw Pillow", "Notebook", "Candle", "Phone Stand", "Tea Towel", "Plant Pot", "Wall Clock"}
	variants   = []string{"Black", "White", "Walnut", "Sage", "Terracotta", "Navy", "Sand", "Small", "Large", "Set of 2"}
)

// NewCatalog generates n items deterministically: the products (titles,
// barcodes) depend on seed only, so suppliers started with the same seed
// carry the same products under their own SKUs; costs, stock and lead times
// depend on the seed and the supplier's code.
func NewCatalog(code string, seed int64, n int, currency string, now time.Time) *Catalog {
	products := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	h := fnv.New64a()
	h.Write([]byte(code))
	terms := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	prefix := strings.ToUpper(code)
	items := make([]Item, n)
	for i := range items {
		title := fmt.Sprintf("%s %s, %s", adjectives[products.IntN(len(adjectives))], nouns[products.IntN(len(nouns))], variants[products.IntN(len(variants))])
		base := 200 + products.Int64N(8000) // the product's typical cost
		cost := base * (90 + terms.Int64N(25)) / 100
		qty := terms.Int64N(400)
		if terms.IntN(20) == 0 {
			qty = 0
		}
		items[i] = Item{
			SKU:          fmt.Sprintf("%s-%06d", prefix, i+1),
			Title:        title,
			Barcode:      upcA(products),
			CostCents:    cost,
			Currency:     currency,
			Quantity:     qty,
			LeadTimeDays: 1 + terms.IntN(10),
			Discontinued: terms.IntN(50) == 0,
			UpdatedAt:    now,
		}
	}
	return &Catalog{items: items, rng: terms, modTime: now.Truncate(time.Second)}
}

// upcA draws 11 digits and appends the UPC-A check digit.
func upcA(r *rand.Rand) string {
	var d [12]byte
	sum := 0
	for i := 0; i < 11; i++ {
		v := r.IntN(10)
		d[i] = byte('0' + v)
		if i%2 == 0 {
			sum += 3 * v // odd positions, counted from 1, weigh 3
		} else {
			sum += v
		}
	}
	d[11] = byte('0' + (10-sum%10)%10)
	return string(d[:])
}

// ValidUPCA reports whether s is 12 digits with a correct check digit.
func ValidUPCA(s string) bool {
	if len(s) != 12 {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		v := int(s[i] - '0')
		if i%2 == 0 && i < 11 {
			sum += 3 * v
		} else {
			sum += v
		}
	}
	return sum%10 == 0
}

// Snapshot is a consistent copy of the catalog.
type Snapshot struct {
	Items   []Item
	Version int64     // bumped on every change
	ModTime time.Time // last change, to the second (HTTP dates have no finer grain)
}

// Snapshot copies the items.
func (c *Catalog) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Snapshot{Items: append([]Item(nil), c.items...), Version: c.version, ModTime: c.modTime}
}

// Drift moves stock one step of a random walk: about one SKU in ten sells a
// few units or gets a few back, some sell out, and sold-out SKUs are
// sometimes restocked. It returns the items that changed.
func (c *Catalog) Drift(now time.Time) []Item {
	c.mu.Lock()
	defer c.mu.Unlock()
	var changed []Item
	for i := range c.items {
		it := &c.items[i]
		if it.Discontinued || c.rng.IntN(10) != 0 {
			continue
		}
		q := it.Quantity
		switch {
		case q == 0 && c.rng.IntN(3) == 0:
			q = 50 + c.rng.Int64N(150) // restocked
		case q == 0:
			continue
		case c.rng.IntN(12) == 0:
			q = 0 // sold out
		default:
			q += c.rng.Int64N(31) - 20
			q = max(q, 0)
		}
		if q == it.Quantity {
			continue
		}
		it.Quantity = q
		it.UpdatedAt = now
		changed = append(changed, *it)
	}
	if len(changed) > 0 {
		c.touch(now)
	}
	return changed
}

// Set changes one SKU's quantity (tests and scripted demos); false when the SKU is unknown.
func (c *Catalog) Set(sku string, qty int64, now time.Time) (Item, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.items {
		if c.items[i].SKU == sku {
			c.items[i].Quantity = qty
			c.items[i].UpdatedAt = now
			c.touch(now)
			return c.items[i], true
		}
	}
	return Item{}, false
}

// touch records a change. The modification time moves forward by at least a
// second so If-Modified-Since (second grain) always sees it.
func (c *Catalog) touch(now time.Time) {
	c.version++
	t := now.Truncate(time.Second)
	if !t.After(c.modTime) {
		t = c.modTime.Add(time.Second)
	}
	c.modTime = t
}
