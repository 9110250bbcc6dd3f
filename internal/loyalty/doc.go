// Package loyalty runs membership programs and the points ledger (capabilities C5
// and C6, issue 13, docs/loyalty.md).
//
// A Program belongs to one or more brands of the tenant, or is shared by all of them
// (no brands): it says how many points and how much growth a yuan of net paid earns,
// which categories earn nothing, the cap per order, member days (a weekday doubles
// points), the pending period, the expiry policy and whether a completed order
// enrols its customer. Tiers are reached by growth; a member moves up as soon as its
// growth reaches a tier's threshold.
//
// The points ledger is append-only. Every posting is a loyalty_entries row with a
// source key unique in the tenant (the order and rule of an earn, the order change of
// a reversal, the lot of an expiry, the caller's reference of a redemption), so a
// replay posts nothing. Earns and positive adjustments create lots; redemptions,
// reversals, expiries and negative adjustments take points from lots (oldest first)
// and record which (loyalty_entry_lots). A member's balance is the sum of its
// entries, equal to the sum of its lots' remaining points, never negative: every
// posting that takes points runs under the member's row lock.
//
// The service earns on order.completed and reverses on order.returned /
// order.refunded through the outbox (Subscribe); the order's lines come from the
// order center through the Orders interface the app wires.
package loyalty
