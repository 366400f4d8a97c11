package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Product statuses.
const (
	ProductActive   = "active"
	ProductDraft    = "draft"
	ProductArchived = "archived"
)

// ProductStatuses lists the product statuses in the order pages offer them.
var ProductStatuses = []string{ProductActive, ProductDraft, ProductArchived}

// Variant statuses.
const (
	VariantActive   = "active"
	VariantArchived = "archived"
)

// DefaultLowStockThreshold is the store default for variants without their own threshold.
const DefaultLowStockThreshold = 5

// MaxOptions is how many options (Size, Colour, Material) a product may have, as in Shopify.
const MaxOptions = 3

// Category groups products for filters, alternatives and reports.
type Category struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Product is what a customer browses; its variants are what they buy.
type Product struct {
	ID          int64
	Handle      string
	Title       string
	Description string
	Vendor      string
	CategoryID  *int64
	Status      string
	OptionNames StringList
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Variant is one purchasable version of a product, known by the merchant's SKU.
type Variant struct {
	ID                  int64
	ProductID           int64
	SKU                 string `gorm:"column:sku"`
	Options             Options
	PriceCents          int64
	CompareAtPriceCents *int64
	Currency            string
	Barcode             string
	WeightGrams         int
	LowStockThreshold   *int
	Status              string
	Position            int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Threshold is the variant's low-stock threshold, or the store default.
func (v *Variant) Threshold() int {
	if v.LowStockThreshold != nil {
		return *v.LowStockThreshold
	}
	return DefaultLowStockThreshold
}

// ListCategories returns every category by name.
func ListCategories(ctx context.Context, db *gorm.DB) ([]Category, error) {
	var out []Category
	if err := db.WithContext(ctx).Order("lower(name)").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list categories: %w", err)
	}
	return out, nil
}

// CreateCategory adds a category; a name taken (in any case) is a field error.
func CreateCategory(ctx context.Context, db *gorm.DB, actor *User, name string) (*Category, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, FieldErrors{"name": "enter a name of 1 to 100 characters"}
	}
	c := &Category{Name: name}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return FieldErrors{"name": "a category with this name exists"}
			}
			return fmt.Errorf("models: create category: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "category.create", EntityType: "category",
			EntityID: fmt.Sprint(c.ID), After: map[string]any{"name": c.Name}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

var (
	handleRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	skuRe      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	nonSlugRun = regexp.MustCompile(`[^a-z0-9]+`)
)

// Slugify turns a title into a handle: "Linen Shirt, Navy" -> "linen-shirt-navy".
func Slugify(s string) string {
	s = nonSlugRun.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-")
	if len(s) > 200 {
		s = strings.TrimRight(s[:200], "-")
	}
	return s
}

// ProductInput is what a person sets on a product.
type ProductInput struct {
	Handle      string
	Title       string
	Description string
	Vendor      string
	CategoryID  *int64
	Status      string
	OptionNames []string
}

// normalize trims the input and fills the handle from the title when empty.
func (in *ProductInput) normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Handle = strings.TrimSpace(in.Handle)
	if in.Handle == "" {
		in.Handle = Slugify(in.Title)
	}
	in.Vendor = strings.TrimSpace(in.Vendor)
	var names []string
	for _, n := range in.OptionNames {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	in.OptionNames = names
	if in.Status == "" {
		in.Status = ProductActive
	}
}

// Validate checks the fields that need no database.
func (in ProductInput) Validate() error {
	fe := FieldErrors{}
	if in.Title == "" || len(in.Title) > 255 {
		fe.Add("title", "enter a title of 1 to 255 characters")
	}
	if !handleRe.MatchString(in.Handle) || len(in.Handle) > 200 {
		fe.Add("handle", "use lower-case letters, digits and single dashes, like linen-shirt")
	}
	if !slices.Contains(ProductStatuses, in.Status) {
		fe.Add("status", "choose active, draft or archived")
	}
	if len(in.OptionNames) > MaxOptions {
		fe.Add("option_names", fmt.Sprintf("use at most %d options", MaxOptions))
	}
	seen := map[string]bool{}
	for _, n := range in.OptionNames {
		if seen[strings.ToLower(n)] {
			fe.Add("option_names", fmt.Sprintf("option %q is listed twice", n))
		}
		seen[strings.ToLower(n)] = true
		if len(n) > 50 {
			fe.Add("option_names", "option names are at most 50 characters")
		}
	}
	return fe.Err()
}

// checkCategory turns an unknown category id into a field error.
func checkCategory(tx *gorm.DB, id *int64) error {
	if id == nil {
		return nil
	}
	var n int64
	if err := tx.Model(&Category{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return fmt.Errorf("models: check category: %w", err)
	}
	if n == 0 {
		return FieldErrors{"category_id": "choose a category from the list"}
	}
	return nil
}

func productAuditView(p *Product) map[string]any {
	return map[string]any{"handle": p.Handle, "title": p.Title, "vendor": p.Vendor, "category_id": p.CategoryID,
		"status": p.Status, "option_names": p.OptionNames}
}

// CreateProduct validates in and stores a new product.
func CreateProduct(ctx context.Context, db *gorm.DB, actor *User, in ProductInput) (*Product, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := &Product{Handle: in.Handle, Title: in.Title, Description: in.Description, Vendor: in.Vendor,
		CategoryID: in.CategoryID, Status: in.Status, OptionNames: StringList(in.OptionNames)}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := checkCategory(tx, in.CategoryID); err != nil {
			return err
		}
		if err := tx.Create(p).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return FieldErrors{"handle": "another product has this handle"}
			}
			return fmt.Errorf("models: create product: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "product.create", EntityType: "product",
			EntityID: fmt.Sprint(p.ID), After: productAuditView(p)})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateProduct changes a product. Renaming an option renames it in every
// variant; adding or removing options while variants exist is refused.
func UpdateProduct(ctx context.Context, db *gorm.DB, actor *User, id int64, in ProductInput) (*Product, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var p Product
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&p, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("update product %d", id))
		}
		if err := checkCategory(tx, in.CategoryID); err != nil {
			return err
		}
		before := productAuditView(&p)
		if !slices.Equal(p.OptionNames, in.OptionNames) {
			var variants []Variant
			if err := tx.Where("product_id = ?", id).Find(&variants).Error; err != nil {
				return fmt.Errorf("models: update product %d: %w", id, err)
			}
			if len(variants) > 0 && len(p.OptionNames) != len(in.OptionNames) {
				return FieldErrors{"option_names": fmt.Sprintf("this product's variants use %d options; keep %d (you may rename them)", len(p.OptionNames), len(p.OptionNames))}
			}
			for _, v := range variants {
				renamed := Options{}
				for i, old := range p.OptionNames {
					renamed[in.OptionNames[i]] = v.Options[old]
				}
				if err := tx.Model(&Variant{}).Where("id = ?", v.ID).Update("options", renamed).Error; err != nil {
					return fmt.Errorf("models: rename options of variant %d: %w", v.ID, err)
				}
			}
		}
		p.Handle, p.Title, p.Description, p.Vendor = in.Handle, in.Title, in.Description, in.Vendor
		p.CategoryID, p.Status, p.OptionNames = in.CategoryID, in.Status, StringList(in.OptionNames)
		err := tx.Model(&p).Select("handle", "title", "description", "vendor", "category_id", "status", "option_names", "updated_at").Updates(&p).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return FieldErrors{"handle": "another product has this handle"}
		}
		if err != nil {
			return fmt.Errorf("models: update product %d: %w", id, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "product.update", EntityType: "product",
			EntityID: fmt.Sprint(p.ID), Before: before, After: productAuditView(&p)})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// GetProduct loads a product by id.
func GetProduct(ctx context.Context, db *gorm.DB, id int64) (*Product, error) {
	var p Product
	if err := db.WithContext(ctx).First(&p, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get product %d", id))
	}
	return &p, nil
}

// GetVariant loads a variant by id.
func GetVariant(ctx context.Context, db *gorm.DB, id int64) (*Variant, error) {
	var v Variant
	if err := db.WithContext(ctx).First(&v, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get variant %d", id))
	}
	return &v, nil
}

// GetVariantBySKU loads a variant by the merchant's SKU.
func GetVariantBySKU(ctx context.Context, db *gorm.DB, sku string) (*Variant, error) {
	var v Variant
	if err := db.WithContext(ctx).Where("sku = ?", strings.TrimSpace(sku)).First(&v).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get variant %q", sku))
	}
	return &v, nil
}

// VariantInput is what a person sets on a variant.
type VariantInput struct {
	SKU                 string
	Options             Options
	PriceCents          int64
	CompareAtPriceCents *int64
	Currency            string
	Barcode             string
	WeightGrams         int
	LowStockThreshold   *int
	Status              string
	Position            int
}

func (in *VariantInput) normalize() {
	in.SKU = strings.TrimSpace(in.SKU)
	in.Barcode = strings.TrimSpace(in.Barcode)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = "USD"
	}
	if in.Status == "" {
		in.Status = VariantActive
	}
	clean := Options{}
	for k, v := range in.Options {
		if v = strings.TrimSpace(v); v != "" {
			clean[strings.TrimSpace(k)] = v
		}
	}
	in.Options = clean
}

// Validate checks the variant against its product's option names.
func (in VariantInput) Validate(optionNames []string) error {
	fe := FieldErrors{}
	if !skuRe.MatchString(in.SKU) || len(in.SKU) > 64 {
		fe.Add("sku", "use letters, digits and . _ / - (up to 64), starting with a letter or digit")
	}
	if in.PriceCents < 0 {
		fe.Add("price", "a price can't be below zero")
	}
	if in.CompareAtPriceCents != nil && *in.CompareAtPriceCents < 0 {
		fe.Add("compare_at_price", "a price can't be below zero")
	}
	if !ValidCurrency(in.Currency) {
		fe.Add("currency", "use a three-letter ISO code such as USD or EUR")
	}
	if in.WeightGrams < 0 {
		fe.Add("weight_grams", "a weight can't be below zero")
	}
	if in.LowStockThreshold != nil && *in.LowStockThreshold < 0 {
		fe.Add("low_stock_threshold", "use zero or more, or leave empty for the store default")
	}
	if in.Status != VariantActive && in.Status != VariantArchived {
		fe.Add("status", "choose active or archived")
	}
	if len(in.Barcode) > 64 {
		fe.Add("barcode", "use at most 64 characters")
	}
	for _, n := range optionNames {
		if in.Options[n] == "" {
			fe.Add("option."+n, fmt.Sprintf("enter the %s", strings.ToLower(n)))
		}
	}
	for k := range in.Options {
		if !slices.Contains(optionNames, k) {
			fe.Add("options", fmt.Sprintf("the product has no option %q", k))
		}
	}
	return fe.Err()
}

// checkVariantUnique turns a taken SKU or a repeated option set into field
// errors before the write (gorm's translated duplicate-key error no longer
// says which index refused it).
func checkVariantUnique(tx *gorm.DB, productID, selfID int64, sku string, opts Options, hasOptions bool) error {
	var n int64
	if err := tx.Model(&Variant{}).Where("sku = ? AND id <> ?", sku, selfID).Count(&n).Error; err != nil {
		return fmt.Errorf("models: check variant: %w", err)
	}
	if n > 0 {
		return FieldErrors{"sku": "another variant already uses this SKU"}
	}
	if err := tx.Model(&Variant{}).Where("product_id = ? AND options = ? AND id <> ?", productID, opts, selfID).Count(&n).Error; err != nil {
		return fmt.Errorf("models: check variant: %w", err)
	}
	if n > 0 {
		if !hasOptions {
			return FieldErrors{"options": "this product has no options, so it can have one variant only: give the product an option (such as Size) first"}
		}
		return FieldErrors{"options": "another variant of this product has these options"}
	}
	return nil
}

// errVariantTaken is the answer when a concurrent write took the SKU or
// options first; a new map each time, since callers may add to it.
func errVariantTaken() error {
	return FieldErrors{"sku": "this SKU, or these options, were just taken by another variant"}
}

func variantAuditView(v *Variant) map[string]any {
	return map[string]any{"sku": v.SKU, "options": v.Options, "price_cents": v.PriceCents, "currency": v.Currency,
		"barcode": v.Barcode, "weight_grams": v.WeightGrams, "low_stock_threshold": v.LowStockThreshold, "status": v.Status}
}

// CreateVariant adds a variant to a product; its pool row starts at zero.
func CreateVariant(ctx context.Context, db *gorm.DB, actor *User, productID int64, in VariantInput) (*Variant, error) {
	in.normalize()
	var v *Variant
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p Product
		if err := tx.Clauses(forUpdate).First(&p, productID).Error; err != nil {
			return notFound(err, fmt.Sprintf("create variant of product %d", productID))
		}
		if err := in.Validate(p.OptionNames); err != nil {
			return err
		}
		if in.Position == 0 {
			if err := tx.Model(&Variant{}).Where("product_id = ?", productID).Select("COALESCE(max(position), 0) + 1").Scan(&in.Position).Error; err != nil {
				return fmt.Errorf("models: create variant: %w", err)
			}
		}
		v = &Variant{ProductID: productID, SKU: in.SKU, Options: in.Options, PriceCents: in.PriceCents,
			CompareAtPriceCents: in.CompareAtPriceCents, Currency: in.Currency, Barcode: in.Barcode,
			WeightGrams: in.WeightGrams, LowStockThreshold: in.LowStockThreshold, Status: in.Status, Position: in.Position}
		if err := checkVariantUnique(tx, productID, 0, in.SKU, in.Options, len(p.OptionNames) > 0); err != nil {
			return err
		}
		if err := tx.Create(v).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errVariantTaken()
			}
			return fmt.Errorf("models: create variant: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "variant.create", EntityType: "variant",
			EntityID: fmt.Sprint(v.ID), After: variantAuditView(v)})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateVariant changes a variant.
func UpdateVariant(ctx context.Context, db *gorm.DB, actor *User, id int64, in VariantInput) (*Variant, error) {
	in.normalize()
	var v Variant
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&v, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("update variant %d", id))
		}
		p, err := GetProduct(ctx, tx, v.ProductID)
		if err != nil {
			return err
		}
		if err := in.Validate(p.OptionNames); err != nil {
			return err
		}
		if err := checkVariantUnique(tx, v.ProductID, v.ID, in.SKU, in.Options, len(p.OptionNames) > 0); err != nil {
			return err
		}
		before := variantAuditView(&v)
		v.SKU, v.Options, v.PriceCents, v.CompareAtPriceCents = in.SKU, in.Options, in.PriceCents, in.CompareAtPriceCents
		v.Currency, v.Barcode, v.WeightGrams, v.LowStockThreshold, v.Status = in.Currency, in.Barcode, in.WeightGrams, in.LowStockThreshold, in.Status
		if in.Position > 0 {
			v.Position = in.Position
		}
		err = tx.Model(&v).Select("sku", "options", "price_cents", "compare_at_price_cents", "currency", "barcode",
			"weight_grams", "low_stock_threshold", "status", "position", "updated_at").Updates(&v).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errVariantTaken()
		}
		if err != nil {
			return fmt.Errorf("models: update variant %d: %w", id, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "variant.update", EntityType: "variant",
			EntityID: fmt.Sprint(v.ID), Before: before, After: variantAuditView(&v)})
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// MatrixInput asks for one variant per combination of option values.
type MatrixInput struct {
	Values     [][]string // per product option, in order: {{"S","M","L"}, {"Navy","Sand"}}
	SKUPrefix  string     // the SKUs are PREFIX-VALUE1-VALUE2
	PriceCents int64
	Currency   string
}

// skuPart makes an option value usable inside a SKU: "Navy Blue" -> "NAVY-BLUE".
func skuPart(s string) string {
	return strings.ToUpper(strings.Trim(nonSlugRun.ReplaceAllString(strings.ToLower(s), "-"), "-"))
}

// GenerateVariants creates the variants of every combination of values that
// the product does not have yet, in one transaction; it returns how many it made.
func GenerateVariants(ctx context.Context, db *gorm.DB, actor *User, productID int64, in MatrixInput) (int, error) {
	in.SKUPrefix = strings.TrimSpace(in.SKUPrefix)
	fe := FieldErrors{}
	if !skuRe.MatchString(in.SKUPrefix) || len(in.SKUPrefix) > 40 {
		fe.Add("sku_prefix", "use letters, digits and . _ / - (up to 40)")
	}
	if in.PriceCents < 0 {
		fe.Add("price", "a price can't be below zero")
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	created := 0
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p Product
		if err := tx.Clauses(forUpdate).First(&p, productID).Error; err != nil {
			return notFound(err, fmt.Sprintf("generate variants of product %d", productID))
		}
		if len(p.OptionNames) == 0 {
			return FieldErrors{"values": "give the product options (such as Size and Colour) first"}
		}
		if len(in.Values) != len(p.OptionNames) {
			return FieldErrors{"values": fmt.Sprintf("enter values for each of the %d options", len(p.OptionNames))}
		}
		for i, vals := range in.Values {
			if len(vals) == 0 {
				return FieldErrors{"values": fmt.Sprintf("enter at least one %s", strings.ToLower(p.OptionNames[i]))}
			}
		}
		var existing []Variant
		if err := tx.Where("product_id = ?", productID).Find(&existing).Error; err != nil {
			return fmt.Errorf("models: generate variants: %w", err)
		}
		have := map[string]bool{}
		pos := 0
		for _, v := range existing {
			have[v.Options.Label(p.OptionNames)] = true
			pos = max(pos, v.Position)
		}
		combos := [][]string{{}}
		for _, vals := range in.Values {
			var next [][]string
			for _, c := range combos {
				for _, val := range vals {
					next = append(next, append(slices.Clone(c), val))
				}
			}
			combos = next
		}
		if len(combos) > 500 {
			return FieldErrors{"values": fmt.Sprintf("that makes %d variants; at most 500 at once", len(combos))}
		}
		var batch []Variant
		for _, c := range combos {
			opts := Options{}
			parts := []string{in.SKUPrefix}
			for i, val := range c {
				opts[p.OptionNames[i]] = val
				parts = append(parts, skuPart(val))
			}
			if have[opts.Label(p.OptionNames)] {
				continue
			}
			pos++
			batch = append(batch, Variant{ProductID: productID, SKU: strings.Join(parts, "-"), Options: opts,
				PriceCents: in.PriceCents, Currency: cmpOr(in.Currency, "USD"), Status: VariantActive, Position: pos})
		}
		if len(batch) == 0 {
			return nil
		}
		if err := tx.Create(&batch).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return FieldErrors{"sku_prefix": "some generated SKUs are taken by other variants; choose another prefix"}
			}
			return fmt.Errorf("models: generate variants: %w", err)
		}
		created = len(batch)
		skus := make([]string, len(batch))
		for i, v := range batch {
			skus[i] = v.SKU
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "variant.generate", EntityType: "product",
			EntityID: fmt.Sprint(productID), After: map[string]any{"created": skus}})
	})
	return created, err
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
