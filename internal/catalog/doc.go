// Package catalog is the merchandise master data of a tenant (capability C19): a
// category tree of at most five levels, products (SPU) and their SKUs with barcodes,
// list prices and costs, price zones that group stores, and price overrides per store
// or per price zone. EffectivePrice resolves the price a store sells a SKU at: the
// store's override, else its zone's override, else the list price.
//
// Money is int64 fen. A SKU of unit "weight" is sold by weight: quantities are grams
// and its list price, cost and overrides are per kilogram.
//
// Data scope: reads need any principal of the tenant; tenant-scope principals with
// catalog:write change everything; a store-scoped principal with catalog:write may only
// set or delete the price overrides of its own store. Every change writes an audit
// entry and an outbox event (see events.go) in the same transaction. ImportSKUs loads
// SKUs from CSV (UTF-8 with or without BOM, or GBK/GB18030) in batches.
package catalog
