// Package demo generates and loads a synthetic Chinese retail group for demos, tours,
// tests and benchmarks.
//
// Generate is pure: from a Scale ("small", "medium", "large") and a seed it builds a
// Chain in memory — the tenant 华联优选零售集团, its banners (大卖场/超市, 便利店, and
// at medium scale and up 百货 and 专业店), sales regions, stores in real Chinese cities
// (city-centre coordinates, districts, addresses, formats with realistic floor areas and
// opening hours), a category tree with stable codes, products and SKUs built from
// per-category vocabularies (GS1 China EAN-13 barcodes; weighed fresh goods priced per
// kilogram with a scale's in-store code), two price zones and price overrides by zone
// and by store. It touches no database and imports no other domain; the same scale and
// seed always give the same Chain and byte-identical CSV (on one Go version and
// architecture).
//
// Load writes a Chain into the platform through the org and catalog services; the
// catalogue goes through the catalogue CSV importer (Chain.WriteSKUCSV).
//
// # Extending the chain
//
// Later capabilities add their synthetic data as new fields of Chain and a gen step of
// their own in Generate, each drawing from its own random stream (see the stream
// constants) so the organisation, catalogue and prices stay identical for a seed:
//
//   - customers and identities: members with phones, WeChat openids/unionids and member
//     cards, some deliberately duplicated across channels for identity resolution, each
//     with a home store chosen among the stores near them (Store.Latitude/Longitude);
//   - orders (GenerateOrders, docs/demo-orders.md): two years of tickets and online
//     orders with seasonality, Chinese holidays, repeat buyers, returns and complaints,
//     with the opening stock that covers them;
//   - promotions and coupons: calendars over categories and brands (Category codes,
//     Product.BrandName);
//   - inventory: on-hand per store and SKU, sized by format and FloorAreaM2.
//
// Each new part gets a count in Stats and invariants in Validate.
package demo
