// Package identity is the One ID customer data platform (capabilities C1–C4): the
// touchpoint registry with per-touchpoint health, and the ingestion of customer
// events (POST /api/v1/events, JSON or NDJSON) with their identifiers normalised by
// the pure engine in the graph sub-package. Identity resolution of stored events into
// customers is not done here yet: events are stored with their normalised
// identifiers for the resolver to read.
package identity
