package promotion

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// sharedData finds the team's shared data directory (../shared/data next to the
// checkout) by walking up from the package directory; "" when absent.
func sharedData(name string) string {
	if dir := os.Getenv("ONERETAIL_SHARED_DATA"); dir != "" {
		return filepath.Join(dir, name)
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "data", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// onlineRetailBaskets converts the UCI Online Retail invoices of December 2010 into a
// basket file: cancellations ("C…", "A…"), returns and negative prices are left out,
// prices in GBP become "fen" (pence) and the UK local time is read as Asia/Shanghai
// (the simulation only needs a consistent calendar). It also returns each invoice's
// subtotal, the oracle of the test.
func onlineRetailBaskets(t *testing.T, path string) ([]byte, map[string]int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(gz)
	if _, err := r.Read(); err != nil { // InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.Write([]string{"order_id", "ordered_at", "store_id", "channel", "customer_id", "sku_id", "quantity", "unit_price_fen"})
	subtotals := map[string]int64{}
	lines := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		inv, sku, qtyS, at, priceS, cust, country := rec[0], rec[1], rec[3], rec[4], rec[5], rec[6], rec[7]
		if !strings.HasPrefix(at, "2010-12") {
			continue
		}
		qty, err1 := strconv.ParseInt(qtyS, 10, 64)
		price, err2 := strconv.ParseFloat(priceS, 64)
		if strings.HasPrefix(inv, "C") || strings.HasPrefix(inv, "A") || err1 != nil || err2 != nil || qty <= 0 || price < 0 {
			continue
		}
		fen := int64(math.Round(price * 100))
		_ = w.Write([]string{inv, at, country, "online", cust, sku, qtyS, strconv.FormatInt(fen, 10)})
		subtotals[inv] += qty * fen
		lines[inv]++
	}
	w.Flush()
	for inv, n := range lines {
		if n > maxLinesPerBasket {
			delete(subtotals, inv) // the importer leaves such an order out
		}
	}
	return out.Bytes(), subtotals
}

// TestSimulationOnlineRetail simulates 满100减10 on a month of real invoices and checks
// the report against totals computed here from the file.
func TestSimulationOnlineRetail(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short mode")
	}
	path := sharedData(filepath.Join("online-retail", "online_retail_2010-2011.csv.gz"))
	if path == "" {
		t.Skip("UCI Online Retail not found: expected ../shared/data/online-retail/online_retail_2010-2011.csv.gz " +
			"(set ONERETAIL_SHARED_DATA to the data directory)")
	}
	file, subtotals := onlineRetailBaskets(t, path)
	var gross, discount, affected int64
	for _, s := range subtotals {
		gross += s
		if s >= 10000 {
			discount += 1000
			affected++
		}
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ts := simulationServer(t, s)
		start := time.Now()
		status, body := postCSV(t, ts, "/api/v1/basket-sets?name=uci-2010-12", "merch", string(file))
		imported := time.Since(start)
		if status != 201 {
			t.Fatalf("import: %d %.500s", status, body)
		}
		var set BasketSetImportResponse
		if err := json.Unmarshal([]byte(body), &set); err != nil {
			t.Fatal(err)
		}
		if set.Orders != int64(len(subtotals)) {
			t.Fatalf("imported %d orders, want %d (rejected %d: %+v)", set.Orders, len(subtotals), set.Rejected, set.Errors)
		}
		draft := `{"kind":"threshold","scope":{"all":true},"threshold":{"tiers":[{"spend":10000,"off":1000}]}}`
		start = time.Now()
		status, body = do(t, ts, "POST", "/api/v1/promotion-simulations", "mkt",
			fmt.Sprintf(`{"basket_set_id":%q,"definition":%s}`, set.ID, draft))
		if status != 201 {
			t.Fatalf("simulate: %d %.500s", status, body)
		}
		var rep SimulationReport
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Orders != int64(len(subtotals)) || rep.GrossFen != gross || rep.DiscountFen != discount ||
			rep.AffectedOrders != affected || rep.MarginImpactFen != -discount || len(rep.Skipped) != 0 {
			t.Errorf("report orders %d gross %d discount %d affected %d impact %d skipped %d; want %d %d %d %d",
				rep.Orders, rep.GrossFen, rep.DiscountFen, rep.AffectedOrders, rep.MarginImpactFen, len(rep.Skipped),
				len(subtotals), gross, discount, affected)
		}
		t.Logf("%d invoices, %d lines, gross %d, %d affected, discount %d; import %v, simulation %v",
			rep.Orders, set.Lines, gross, affected, discount, imported.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	})
}
