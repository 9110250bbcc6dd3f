// Package routing is OneRetail's pure order-routing engine: given an online order's
// lines, how it is fulfilled, where it goes and when it was placed, and the candidate
// locations with their stock, capacity, hours and costs, Route decides which
// locations fulfil it, what each ships and what each promises, and explains every
// candidate. It has no database and no HTTP; the order service loads the candidates,
// calls Route and stores the Decision (it is JSON-ready) with the order.
//
// Rules, in the order they apply (docs/routing.md has the full text):
//
//   - Eligibility. A candidate is excluded when it is at capacity (Capacity <= 0 and
//     not Unlimited); for Delivery when the haversine distance from the delivery
//     point is beyond its radius (Candidate.RadiusKm, else Options by kind: store
//     3 km, front warehouse 10 km, warehouse no limit); for Ship when it is a store
//     (unless Options.ShipFromStores); for Pickup when it is not the named store.
//
//   - Hours. Past its cut-off, or closed, a candidate is still eligible but its
//     promise starts at its next opening; before opening it starts at opening. The
//     promise is then the kind's window (store 0–1 h, front warehouse 1–4 h,
//     warehouse 4–24 h; pickup 0–1 h; ship 24–72 h) from that start.
//
//   - One location. If any eligible candidate holds every SKU in full, the best one
//     ships everything: earliest promised end, then kind (store, front warehouse,
//     warehouse; for Ship the reverse), then nearest, then cheapest, then id. With
//     the default windows and nobody past cut-off, this is "store within radius →
//     front warehouse within radius → warehouse".
//
//   - Split. Otherwise the fewest eligible locations that together hold the order
//     (at most Options.MaxShipments, default 3), then the earliest completion (the
//     latest shipment's end), then the lowest total cost. The search is exact when
//     the combinations fit Options.ExactLimit, else greedy set cover (Decision.Search
//     says which). A SKU's lines go whole to the best member holding all of it; a line
//     splits across members only when none does.
//
//   - Pickup. The named store alone must hold everything; otherwise the Decision is
//     unfulfillable and each Shortage names the locations that could transfer the
//     missing quantity.
//
//   - Unfulfillable is an outcome, not an error: Decision.Fulfillable is false, no
//     shipments, Code says why (insufficient_stock, too_many_shipments,
//     pickup_store_lacks, pickup_store_full) and Shortages say what, per SKU.
//
// The Decision does not depend on the order of the candidates. Quantities are
// compared as given (units, or grams for weighed SKUs); costs are int64 fen.
package routing
