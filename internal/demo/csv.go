package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// skuCSVHeader is the header row of the catalogue import format WriteSKUCSV writes.
var skuCSVHeader = []string{"category_code", "product_code", "product_name", "brand_name", "sku_code",
	"sku_name", "spec", "unit", "barcode", "list_price", "cost", "status"}

// WriteSKUCSV writes the catalogue in the catalogue import format: a header row, then
// one row per SKU in chain order. Prices are in yuan with two decimals (per kilogram
// for unit "weight"); several barcodes are joined with "|". It returns the first write
// error.
func (c *Chain) WriteSKUCSV(w io.Writer) error {
	products := make(map[string]*Product, len(c.Products))
	for i := range c.Products {
		products[c.Products[i].Code] = &c.Products[i]
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(skuCSVHeader); err != nil {
		return fmt.Errorf("demo: write SKU CSV: %w", err)
	}
	row := make([]string, len(skuCSVHeader))
	for i := range c.SKUs {
		k := &c.SKUs[i]
		p := products[k.ProductCode]
		if p == nil {
			return fmt.Errorf("demo: write SKU CSV: SKU %s has unknown product %s", k.Code, k.ProductCode)
		}
		row[0], row[1], row[2], row[3] = p.CategoryCode, p.Code, p.Name, p.BrandName
		row[4], row[5], row[6], row[7] = k.Code, k.Name, k.Spec, string(k.Unit)
		row[8], row[9], row[10], row[11] = strings.Join(k.Barcodes, "|"), Yuan(k.ListPrice), Yuan(k.Cost), string(k.Status)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("demo: write SKU CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("demo: write SKU CSV: %w", err)
	}
	return nil
}

// Yuan formats an amount in fen as yuan with two decimals: 1250 → "12.50".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	frac := fen % 100
	pad := ""
	if frac < 10 {
		pad = "0"
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + pad + strconv.FormatInt(frac, 10)
}
