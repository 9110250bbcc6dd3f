// Package inventory keeps stock per location and SKU — on hand, reserved, safety
// stock and available — as balances that a ledger of movements rebuilds exactly, and
// reserves stock for orders without ever overselling: a reservation is a conditional
// update of the balance row inside the caller's transaction, demand for one SKU at
// one location across an order's lines is summed before the check, and a
// reservation is all or nothing.
//
// Till sales that already happened are recorded even when they take stock below
// zero at a location that allows it (Location.AllowNegative); online reservations
// never may. Under a flash sale, Reserve writes the concurrent single-balance
// reservations of one SKU at one location together, many per transaction, still
// guarded by the same conditional update (flash.go). docs/inventory.md describes the
// model and its guarantees.
package inventory
