package promotion

import (
	"context"
	"fmt"
	"slices"

	"github.com/oneretail/oneretail/internal/catalog"
)

// Catalog is what the promotion service needs of the catalogue: to read basket files
// exported by tills, which name SKUs by code or barcode and categories by code, and
// to name SKUs in simulation reports.
type Catalog interface {
	// SaleItems returns the SKUs among skuIDs (by id) with their category and brand;
	// unknown ids are missing.
	SaleItems(ctx context.Context, storeID string, skuIDs []string) (map[string]catalog.SaleItem, error)
	// SKUIDsByCode returns the ids of the SKUs named by code or barcode, by the code.
	SKUIDsByCode(ctx context.Context, codes []string) (map[string]string, error)
	// CategoryIDsByRef returns the ids of the categories named by id or code, by the ref.
	CategoryIDsByRef(ctx context.Context, refs []string) (map[string]string, error)
}

var _ Catalog = (*catalog.Service)(nil)

// BasketMatch is how a basket file's rows matched the catalogue. Rows that match
// nothing are kept (their price and cost still count) but no SKU- or
// category-scoped promotion can apply to them.
type BasketMatch struct {
	// Checked is false when the service has no catalogue: nothing was matched.
	Checked bool
	// UnmatchedSKURows counts the rows whose sku matched no SKU id, code or barcode.
	UnmatchedSKURows int
	// UnmatchedCategoryRows counts the rows whose category matched no category id or code.
	UnmatchedCategoryRows int
	// UnmatchedSKUs and UnmatchedCategories are the first distinct values that matched nothing.
	UnmatchedSKUs       []string
	UnmatchedCategories []string
}

const (
	matchChunk        = 500 // values per catalogue query
	maxUnmatchedShown = 20
)

// matchBaskets rewrites the lines' SKU and category references to catalogue ids: a
// SKU named by id, code or barcode; a category by id or code. A line without a
// category or brand takes its SKU's. It returns what matched nothing.
func (s *Service) matchBaskets(ctx context.Context, lines []BasketLine) (BasketMatch, error) {
	var m BasketMatch
	if s.catalog == nil {
		return m, nil
	}
	m.Checked = true
	skus := distinct(lines, func(l *BasketLine) string { return l.SKUID })
	cats := distinct(lines, func(l *BasketLine) string { return l.CategoryID })
	items := map[string]catalog.SaleItem{} // by the file's value
	var rest []string
	for c := range slices.Chunk(skus, matchChunk) {
		found, err := s.catalog.SaleItems(ctx, "", c)
		if err != nil {
			return m, fmt.Errorf("promotion: match basket SKUs: %w", err)
		}
		for _, v := range c {
			if it, ok := found[v]; ok {
				items[v] = it
			} else {
				rest = append(rest, v)
			}
		}
	}
	for c := range slices.Chunk(rest, matchChunk) {
		ids, err := s.catalog.SKUIDsByCode(ctx, c)
		if err != nil {
			return m, fmt.Errorf("promotion: match basket SKU codes: %w", err)
		}
		idList := make([]string, 0, len(ids))
		for _, id := range ids {
			idList = append(idList, id)
		}
		found, err := s.catalog.SaleItems(ctx, "", idList)
		if err != nil {
			return m, fmt.Errorf("promotion: match basket SKUs: %w", err)
		}
		for _, v := range c {
			if it, ok := found[ids[v]]; ok {
				items[v] = it
			}
		}
	}
	catIDs := map[string]string{}
	for c := range slices.Chunk(cats, matchChunk) {
		found, err := s.catalog.CategoryIDsByRef(ctx, c)
		if err != nil {
			return m, fmt.Errorf("promotion: match basket categories: %w", err)
		}
		for k, v := range found {
			catIDs[k] = v
		}
	}
	seenSKU, seenCat := map[string]bool{}, map[string]bool{}
	for i := range lines {
		l := &lines[i]
		if l.CategoryID != "" {
			if id, ok := catIDs[l.CategoryID]; ok {
				l.CategoryID = id
			} else {
				m.UnmatchedCategoryRows++
				if !seenCat[l.CategoryID] && len(m.UnmatchedCategories) < maxUnmatchedShown {
					m.UnmatchedCategories = append(m.UnmatchedCategories, l.CategoryID)
				}
				seenCat[l.CategoryID] = true
			}
		}
		it, ok := items[l.SKUID]
		if !ok {
			m.UnmatchedSKURows++
			if !seenSKU[l.SKUID] && len(m.UnmatchedSKUs) < maxUnmatchedShown {
				m.UnmatchedSKUs = append(m.UnmatchedSKUs, l.SKUID)
			}
			seenSKU[l.SKUID] = true
			continue
		}
		l.SKUID = it.SKUID
		if l.CategoryID == "" {
			l.CategoryID = it.CategoryID
		}
		if l.BrandID == "" {
			l.BrandID = it.Brand
		}
	}
	return m, nil
}

// distinct returns the distinct non-empty values of field over lines, in first-seen order.
func distinct(lines []BasketLine, field func(*BasketLine) string) []string {
	seen := map[string]bool{}
	var out []string
	for i := range lines {
		if v := field(&lines[i]); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// skuNames returns the names of the SKUs with ids (missing when unknown or without a
// catalogue); an error of the catalogue leaves the names out rather than fail a report.
func (s *Service) skuNames(ctx context.Context, ids []string) map[string]catalog.SaleItem {
	if s.catalog == nil || len(ids) == 0 {
		return nil
	}
	items, err := s.catalog.SaleItems(ctx, "", ids)
	if err != nil {
		return nil
	}
	return items
}
