// Package promotion stores promotion definitions and answers the pricing API around
// the pure engine in internal/promotion/engine (capability C8).
//
// A promotion is a row (code unique per tenant, status draft → active ⇄ paused →
// ended) whose definition is an engine.Promotion stored as JSON; the engine
// promotion's id is the row id. Pricing uses a per-tenant in-memory engine.Index of
// the active promotions. Every change bumps the tenant's row in promotions_version in
// the same transaction; before pricing, a node compares that version with the one its
// index was built from and, when they differ, reloads the active promotions from the
// database and rebuilds the index (lazily, on the next price call, under a mutex).
// With several nodes each one rebuilds on its own the same way; no message between
// nodes is needed, and a change is visible everywhere from the next price call.
package promotion
