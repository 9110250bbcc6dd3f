// Package graph is the pure identity engine of OneRetail's One ID: it normalises
// identifiers (phone, e-mail, member card, WeChat ids, device ids…), holds the
// identifier → customer links of one tenant in memory, and decides deterministically
// whether an event's identifiers attach to an existing customer, create a new one,
// merge customers, or need human review.
//
// Rules are data: a [Rules] value per tenant says, for each identifier [Type], how it
// is normalised, how strong it is, how many a customer may hold, and whether it may
// link customers at all. The engine never merges customers through weak identifiers
// (devices, cookies) when both sides already carry stronger keys, never builds a
// customer that holds more identifiers of a type than the rules allow, and never grows
// a customer past [Rules.MaxClusterSize]; such merges come back as [Review] decisions.
//
// [Graph] is the inline resolver (Resolve, Apply, Unmerge, UndoMerge, Canonical);
// [ResolveAll] is the batch re-resolution used for backfills: a union-find over
// identifier links with the same rules, built on dense integer ids and flat slices.
//
// The package has no database or HTTP dependency; callers persist decisions.
// A Graph is not safe for concurrent use: callers serialise access per tenant.
package graph
