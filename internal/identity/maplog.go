package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// The kinds of identity_map_log entries (migration 00045).
const (
	mapEvents  = "events"  // a touchpoint stored events: ref touchpoint id, items event ids
	mapMerge   = "merge"   // ref customer_merges id
	mapUnmerge = "unmerge" // ref customer_merges id (the merge undone)
	mapErase   = "erase"   // items: the erased customer ids
	mapReset   = "reset"   // a rebuild or key rotation: every consumer starts again
)

// mapEntry is one identity_map_log entry to append.
type mapEntry struct {
	kind  string
	ref   string
	items []string
}

// mapBatch is what one touchpoint's group of an ingestion transaction changed in
// the map: the events it stored and the merges their resolution made.
type mapBatch struct {
	touchpoint string
	events     []IngestedEvent
	merges     []string
}

// appendMapLog appends entries to the tenant's identity map log in tx, numbered from
// the tenant's counter. Call it as the transaction's last statement: the counter
// row stays locked until the commit, which is what makes entries visible in seq
// order (a reader never sees N+1 before N), and the shorter it is held the less it
// serialises the tenant's writers.
func appendMapLog(ctx context.Context, tx *sql.Tx, tenantID string, at int64, entries []mapEntry) error {
	if len(entries) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO identity_map_seqs (tenant_id, seq) VALUES ($1, $2)
		ON CONFLICT (tenant_id) DO UPDATE SET seq = identity_map_seqs.seq + excluded.seq RETURNING seq`, tenantID, len(entries)).Scan(&last); err != nil {
		return fmt.Errorf("identity map log: next seq: %w", err)
	}
	seq := last - int64(len(entries))
	for _, e := range entries {
		seq++
		items := "[]"
		if len(e.items) > 0 {
			b, err := json.Marshal(e.items)
			if err != nil {
				return fmt.Errorf("identity map log: %w", err)
			}
			items = string(b)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_map_log (tenant_id, seq, kind, ref, items, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			tenantID, seq, e.kind, e.ref, items, at); err != nil {
			return fmt.Errorf("identity map log: append: %w", err)
		}
	}
	return nil
}

// mapMerges returns the log entries of merges.
func mapMerges(ids []string) []mapEntry {
	out := make([]mapEntry, len(ids))
	for i, id := range ids {
		out[i] = mapEntry{kind: mapMerge, ref: id}
	}
	return out
}

// logBatches appends the map entries of an ingestion transaction: each group's
// merges, then the events it stored.
func (s *Service) logBatches(ctx context.Context, tx *sql.Tx, tenantID string, at int64, batches []mapBatch) error {
	var entries []mapEntry
	for _, b := range batches {
		entries = append(entries, mapMerges(b.merges)...)
		var ids []string
		for _, e := range b.events {
			if !e.Duplicate {
				ids = append(ids, e.ID)
			}
		}
		if len(ids) > 0 {
			entries = append(entries, mapEntry{kind: mapEvents, ref: b.touchpoint, items: ids})
		}
	}
	return appendMapLog(ctx, tx, tenantID, at, entries)
}
