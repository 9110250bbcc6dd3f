package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/platform/bizcode"
	"github.com/oneretail/oneretail/internal/platform/csvfile"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// The columns of a SKU import file. Header names are case-insensitive and may come in
// any order; unknown columns are ignored.
const (
	colCategoryCode = "category_code"
	colProductCode  = "product_code"
	colProductName  = "product_name"
	colBrandName    = "brand_name"
	colSKUCode      = "sku_code"
	colSKUName      = "sku_name"
	colSpec         = "spec"
	colUnit         = "unit"
	colBarcode      = "barcode"
	colListPrice    = "list_price"
	colCost         = "cost"
	colStatus       = "status"
)

// requiredColumns must appear in the header row.
var requiredColumns = []string{colSKUCode, colProductCode, colSKUName, colListPrice}

// knownColumns lists every column the importer reads.
var knownColumns = []string{colCategoryCode, colProductCode, colProductName, colBrandName, colSKUCode, colSKUName,
	colSpec, colUnit, colBarcode, colListPrice, colCost, colStatus}

// Import limits.
const (
	maxImportBatch  = 1000
	maxImportErrors = 1000
)

// ImportOptions tune ImportSKUs.
type ImportOptions struct {
	// BatchSize is the number of rows written per transaction, 1..1000; 0 means 1000.
	BatchSize int
	// ContentType is the upload's Content-Type, if any; an .xlsx workbook is also
	// recognised by its content (sheet.Detect).
	ContentType string
	// Progress, when set, is called after each committed batch with the rows done so
	// far and the total number of rows.
	Progress func(done, total int)
	// rowAtATime turns off the runs of new SKUs written together (import_batch.go):
	// the tests compare both ways.
	rowAtATime bool
}

// ImportError says why one row of an import file was rejected. Field is the column
// name ("" when the line itself could not be read).
type ImportError struct {
	Line   int
	Field  string
	Reason string
}

// ImportReport is the outcome of ImportSKUs. Created+Updated+Failed == Processed, and
// Processed == Rows unless the import was canceled between batches.
type ImportReport struct {
	Rows      int // data rows in the file; blank lines are not rows
	Created   int // SKUs created
	Updated   int // SKUs that existed (unchanged ones included)
	Failed    int // rows rejected
	Processed int // rows of the batches committed
	Canceled  bool
	Errors    []ImportError // the first 1,000 rejected rows, in file order
}

func (r *ImportReport) fail(e ImportError) {
	r.Failed++
	if len(r.Errors) < maxImportErrors {
		r.Errors = append(r.Errors, e)
	}
}

// importRow is one data row, parsed and validated field by field. Empty cells are
// absent: a new SKU takes defaults for them and an existing SKU keeps its values.
type importRow struct {
	line                                   int
	categoryCode, productCode, productName string
	brandName, skuCode, skuName, spec      string
	unit                                   Unit
	barcodes                               []string
	hasBarcodes                            bool
	listPrice, cost                        int64
	hasListPrice, hasCost                  bool
	status                                 Status
	err                                    *ImportError
}

// ImportSKUs creates or updates SKUs from a CSV file or an .xlsx workbook (its first
// sheet) with a header row (columns:
// category_code, product_code, product_name, brand_name, sku_code, sku_name, spec,
// unit, barcode — several separated by "|" —, list_price and cost in yuan with at most
// two decimals, status). A CSV file may be UTF-8, with or without BOM, or GBK/GB18030;
// a cell that an export protected against formula injection ("'=…") loses its "'";
// full-width digits and letters in codes, prices and barcodes are folded.
//
// SKUs are matched by sku_code and products by product_code; a missing product is
// created (product_name and an existing category_code are then needed); an existing
// product is not changed. A barcode column, when not empty, replaces the SKU's
// barcodes (an empty cell keeps them). Rows are validated first — a repeated sku_code
// or barcode in the file rejects the later row — and good rows are written in
// transactions of BatchSize rows; each row (product, SKU, barcodes) is written whole or
// not at all, and a row rejected at write time, such as one whose barcode belongs to
// another SKU, does not stop its batch. Cancelling ctx stops between batches: committed
// batches stay and the report says how far the import got, alongside ctx's error. The
// whole file is read into memory.
//
// Errors: invalid (unreadable file or header lacking required columns), unauthorized,
// forbidden; rejected rows are in the report, not errors.
func (s *Service) ImportSKUs(ctx context.Context, r io.Reader, opts ImportOptions) (ImportReport, error) {
	report := ImportReport{Errors: []ImportError{}}
	p, err := writer(ctx)
	if err != nil {
		return report, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return report, fmt.Errorf("catalog: import skus: read: %w", err)
	}
	rows, err := parseImport(data, opts.ContentType)
	if err != nil {
		return report, err
	}
	report.Rows = len(rows)
	batch := opts.BatchSize
	if batch <= 0 || batch > maxImportBatch {
		batch = maxImportBatch
	}
	for start := 0; start < len(rows); start += batch {
		if ctx.Err() != nil {
			report.Canceled = true
			return report, fmt.Errorf("catalog: import skus: %w", ctx.Err())
		}
		chunk := rows[start:min(start+batch, len(rows))]
		outcomes, err := s.importChunkTx(ctx, p.TenantID, chunk, !opts.rowAtATime)
		if err != nil {
			if ctx.Err() != nil {
				report.Canceled = true
				return report, fmt.Errorf("catalog: import skus: %w", errors.Join(ctx.Err(), err))
			}
			return report, fmt.Errorf("catalog: import skus: %w", err)
		}
		for _, o := range outcomes {
			switch {
			case o.err != nil:
				report.fail(*o.err)
			case o.created:
				report.Created++
			default:
				report.Updated++
			}
		}
		report.Processed += len(chunk)
		if opts.Progress != nil {
			opts.Progress(report.Processed, report.Rows)
		}
	}
	if report.Created+report.Updated >= analyzeAfterRows {
		// Plans made before the import assumed smaller tables.
		if err := s.db.Analyze(ctx, catalogTables...); err != nil {
			return report, fmt.Errorf("catalog: import skus: %w", err)
		}
	}
	return report, nil
}

// importChunkTx writes chunk in one transaction, runs of new SKUs together; when a run
// conflicts on a unique index it writes the chunk again a row at a time.
func (s *Service) importChunkTx(ctx context.Context, tenantID string, chunk []importRow, batched bool) ([]rowOutcome, error) {
	var outcomes []rowOutcome
	write := func(batched bool) error {
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			outcomes, err = s.importChunk(ctx, tx, tenantID, chunk, batched)
			return err
		})
	}
	err := write(batched)
	if batched && errors.Is(err, errBatchConflict) {
		err = write(false)
	}
	return outcomes, err
}

// analyzeAfterRows is the size of an import after which the catalogue's statistics
// are refreshed.
const analyzeAfterRows = 1000

// catalogTables are the tables an import writes.
var catalogTables = []string{"categories", "products", "skus", "sku_barcodes", "sku_prices", "search_grams"}

// rowOutcome is what happened to one row in its batch.
type rowOutcome struct {
	created bool
	err     *ImportError
}

// importRow writes one validated row inside a savepoint of tx. Problems with the row
// become the outcome's error; a returned error aborts the whole batch.
func (s *Service) importRow(ctx context.Context, tx *sql.Tx, tenantID string, row importRow) (rowOutcome, error) {
	if row.err != nil {
		return rowOutcome{err: row.err}, nil
	}
	reject := func(field, format string, args ...any) (rowOutcome, error) {
		return rowOutcome{err: &ImportError{Line: row.line, Field: field, Reason: fmt.Sprintf(format, args...)}}, nil
	}
	cur, err := getSKUByCode(ctx, tx, tenantID, row.skuCode, s.lock())
	exists := err == nil
	if err != nil && !errs.Is(err, errs.NotFound) {
		return rowOutcome{}, err
	}
	var categoryID string
	if row.categoryCode != "" {
		cat, err := getCategoryByCode(ctx, tx, tenantID, row.categoryCode)
		if errs.Is(err, errs.NotFound) {
			return reject(colCategoryCode, "unknown category %s", row.categoryCode)
		}
		if err != nil {
			return rowOutcome{}, err
		}
		categoryID = cat.ID
	}
	prod, err := getProductByCode(ctx, tx, tenantID, row.productCode)
	productExists := err == nil
	if err != nil && !errs.Is(err, errs.NotFound) {
		return rowOutcome{}, err
	}
	switch {
	case exists && (!productExists || prod.ID != cur.ProductID):
		owner, err := getProduct(ctx, tx, tenantID, cur.ProductID, "")
		if err != nil {
			return rowOutcome{}, err
		}
		return reject(colProductCode, "SKU %s belongs to product %s", row.skuCode, owner.Code)
	case !productExists && row.productName == "":
		return reject(colProductName, "required to create product %s", row.productCode)
	case !productExists && categoryID == "":
		return reject(colCategoryCode, "required to create product %s", row.productCode)
	case !exists && row.skuName == "":
		return reject(colSKUName, "required to create SKU %s", row.skuCode)
	case !exists && !row.hasListPrice:
		return reject(colListPrice, "required to create SKU %s", row.skuCode)
	}
	// A barcode held by another SKU is found while writing: the savepoint then undoes
	// the row's product and SKU, and the rest of the batch goes on.
	if _, err := tx.ExecContext(ctx, "SAVEPOINT import_row"); err != nil {
		return rowOutcome{}, err
	}
	field, err := s.writeImportRow(ctx, tx, tenantID, row, cur, exists, prod, productExists, categoryID)
	if err != nil {
		if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT import_row"); rbErr != nil {
			return rowOutcome{}, errors.Join(err, rbErr)
		}
		if errs.CodeOf(err) != errs.Conflict && errs.CodeOf(err) != errs.Invalid {
			return rowOutcome{}, err
		}
		var e *errs.Error
		errors.As(err, &e)
		if e.Field == "body.barcodes" {
			field = colBarcode
		}
		return reject(field, "%s", e.Message)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT import_row"); err != nil {
		return rowOutcome{}, err
	}
	return rowOutcome{created: !exists}, nil
}

// writeImportRow writes the product (when new) and the SKU with its barcodes. On error
// it also returns the column the error belongs to.
func (s *Service) writeImportRow(ctx context.Context, tx *sql.Tx, tenantID string, row importRow, cur SKU, exists bool,
	prod Product, productExists bool, categoryID string) (string, error) {
	now := s.now()
	if !productExists {
		prod = newImportedProduct(tenantID, row, categoryID, now)
		if err := s.insertProduct(ctx, tx, prod); err != nil {
			return colProductCode, err
		}
	}
	if !exists {
		return colSKUCode, s.insertSKU(ctx, tx, newImportedSKU(tenantID, row, prod, now))
	}
	next := cur
	if row.skuName != "" {
		next.Name = row.skuName
	}
	if row.spec != "" {
		next.Spec = row.spec
	}
	if row.unit != "" {
		next.Unit = row.unit
	}
	if row.hasListPrice {
		next.ListPriceFen = row.listPrice
	}
	if row.hasCost {
		next.CostFen = row.cost
	}
	if row.status != "" {
		next.Status = row.status
	}
	if row.hasBarcodes {
		next.Barcodes = row.barcodes
	}
	if skuUnchanged(cur, next) {
		return "", nil
	}
	next.UpdatedAt = now
	return colSKUCode, s.updateSKU(ctx, tx, cur, next, row.hasBarcodes)
}

func skuUnchanged(a, b SKU) bool {
	return a.Name == b.Name && a.Spec == b.Spec && a.Unit == b.Unit && a.ListPriceFen == b.ListPriceFen &&
		a.CostFen == b.CostFen && a.Status == b.Status && slices.Equal(a.Barcodes, b.Barcodes)
}

// parseImport decodes the file, reads the header and validates every data row,
// including repeats within the file. Only a missing or bad header is an error.
func parseImport(data []byte, contentType string) ([]importRow, error) {
	r, err := sheet.Open(data, contentType, "body")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cols, err := csvfile.Columns(r.Header, csvfile.Among(knownColumns...), requiredColumns, "body")
	if err != nil {
		return nil, err
	}
	var rows []importRow
	for {
		line, rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rerr *csvfile.RowError
		if errors.As(err, &rerr) {
			rows = append(rows, importRow{line: rerr.Line, err: &ImportError{Line: rerr.Line, Reason: rerr.Reason}})
			continue
		}
		if err != nil {
			return nil, errs.Field("body", "the file cannot be read: %s", err.Error())
		}
		rows = append(rows, parseImportRow(line, rec, cols))
	}
	rejectRepeats(rows)
	return rows, nil
}

// parseImportRow validates the fields of one record; the row keeps the first problem.
func parseImportRow(line int, rec []string, cols map[string]int) importRow {
	row := importRow{line: line}
	raw := func(col string) string { return csvfile.Field(rec, cols, col) }
	folded := func(col string) string { return strings.TrimSpace(width.Fold.String(raw(col))) }
	fail := func(col, format string, args ...any) importRow {
		row.err = &ImportError{Line: line, Field: col, Reason: fmt.Sprintf(format, args...)}
		return row
	}
	codes := []struct {
		col      string
		dst      *string
		required bool
	}{
		{colSKUCode, &row.skuCode, true},
		{colProductCode, &row.productCode, true},
		{colCategoryCode, &row.categoryCode, false},
	}
	for _, c := range codes {
		*c.dst = folded(c.col)
		if *c.dst == "" && !c.required {
			continue
		}
		if r := bizcode.Problem(*c.dst); r != "" {
			return fail(c.col, "%s", r)
		}
	}
	texts := []struct {
		col string
		dst *string
		max int
	}{
		{colProductName, &row.productName, 200},
		{colSKUName, &row.skuName, 200},
		{colBrandName, &row.brandName, 100},
	}
	for _, t := range texts {
		*t.dst = raw(t.col)
		if r := checkText(*t.dst, t.max); r != "" {
			return fail(t.col, "%s", r)
		}
	}
	row.spec = folded(colSpec)
	if r := checkText(row.spec, 64); r != "" {
		return fail(colSpec, "%s", r)
	}
	if u := strings.ToLower(folded(colUnit)); u != "" {
		row.unit = Unit(u)
		if !row.unit.Valid() {
			return fail(colUnit, "must be each or weight")
		}
	}
	if b := folded(colBarcode); b != "" {
		row.hasBarcodes = true
		for part := range strings.SplitSeq(b, "|") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if r := checkBarcode(part); r != "" {
				return fail(colBarcode, "%s: %s", part, r)
			}
			if slices.Contains(row.barcodes, part) {
				return fail(colBarcode, "barcode %s is listed twice", part)
			}
			row.barcodes = append(row.barcodes, part)
		}
		if len(row.barcodes) > maxBarcodes {
			return fail(colBarcode, "at most %d barcodes", maxBarcodes)
		}
		slices.Sort(row.barcodes)
	}
	if v := folded(colListPrice); v != "" {
		fen, err := ParseYuan(v)
		if err != nil {
			return fail(colListPrice, "%s", err.Error())
		}
		if fen <= 0 {
			return fail(colListPrice, "must be greater than 0")
		}
		row.listPrice, row.hasListPrice = fen, true
	}
	if v := folded(colCost); v != "" {
		fen, err := ParseYuan(v)
		if err != nil {
			return fail(colCost, "%s", err.Error())
		}
		row.cost, row.hasCost = fen, true
	}
	if st := strings.ToLower(folded(colStatus)); st != "" {
		row.status = Status(st)
		if !row.status.Valid() {
			return fail(colStatus, "must be active, inactive or discontinued")
		}
	}
	return row
}

// rejectRepeats marks the later of two good rows that share a sku_code or a barcode.
func rejectRepeats(rows []importRow) {
	skuLine := make(map[string]int)
	barcodeLine := make(map[string]int)
	for i := range rows {
		row := &rows[i]
		if row.err != nil {
			continue
		}
		if first, ok := skuLine[row.skuCode]; ok {
			row.err = &ImportError{Line: row.line, Field: colSKUCode, Reason: fmt.Sprintf("sku_code %s repeats line %d", row.skuCode, first)}
			continue
		}
		for _, b := range row.barcodes {
			if first, ok := barcodeLine[b]; ok {
				row.err = &ImportError{Line: row.line, Field: colBarcode, Reason: fmt.Sprintf("barcode %s repeats line %d", b, first)}
				break
			}
		}
		if row.err != nil {
			continue
		}
		skuLine[row.skuCode] = row.line
		for _, b := range row.barcodes {
			barcodeLine[b] = row.line
		}
	}
}

// maxYuanDigits bounds the integer part of a price before it is converted (money.MaxAmount
// is ¥10,000,000.00, eight digits).
const maxYuanDigits = 9

// ParseYuan converts a price in yuan such as "12.50", "12.5", "12" or "¥12.50" to
// fen, exactly: at most two decimals, no sign, no exponent, no thousands separators,
// and at most ¥10,000,000.00 (money.MaxAmount). It returns an error saying what is
// wrong.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥"))
	if s == "" {
		return 0, errors.New("a price is required")
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if !allDigits(whole) || whole == "" || hasPoint && (frac == "" || !allDigits(frac)) {
		return 0, fmt.Errorf("%q is not a price in yuan such as 12.50", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than 2 decimals", s)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxYuanDigits {
		return 0, fmt.Errorf("%q is too large", s)
	}
	yuan := int64(0)
	if whole != "" {
		var err error
		if yuan, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, fmt.Errorf("%q is not a price in yuan such as 12.50", s)
		}
	}
	fen := int64(0)
	for i := range 2 {
		fen *= 10
		if i < len(frac) {
			fen += int64(frac[i] - '0')
		}
	}
	if total := yuan*100 + fen; total <= money.MaxAmount {
		return total, nil
	}
	return 0, fmt.Errorf("%q is more than ¥10,000,000.00, the largest price accepted", s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
