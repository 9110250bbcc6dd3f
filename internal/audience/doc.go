// Package audience is the audience engine behind precision marketing (capabilities
// C11–C13, issue 14, docs/audiences.md): the tag library and customers' tag values,
// segments kept current by a compressed-bitmap index, portraits, snapshots, and the
// customer-model jobs that write computed tags.
//
// Every live customer of a tenant gets a dense member number (audience_members);
// the pure sub-package engine holds one Index per tenant over those numbers. An
// index is built from the database on first use (attributes from One ID, orders
// with their categories, tiers, customer events, tag values), then kept current:
// the node that handles an order, merge or tag change refreshes those members
// (facts, rule tags, segment memberships), records who entered or left each
// segment and publishes audience.segment.entered / .exited in the same
// transaction, and stamps the members so that every other node refreshes them too
// (at most every 500 ms, when it serves an audience read). A restart rebuilds the
// index; the build compares segments with their recorded members and announces what
// changed meanwhile.
//
// Audiences span the whole customer base: every operation needs a tenant-wide data
// scope (decision 0036). Member lists carry no personal data; the 360 page shows a
// member, masked per role.
package audience
