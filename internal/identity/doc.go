// Package identity is the One ID customer data platform's identity domain: the
// touchpoint registry, event ingestion (POST /api/v1/events) with inline
// deterministic identity resolution of every stored event to one customer (rules and
// decisions from package graph), reading customers back, and the identity map export
// (GET /api/v1/identity-map: identifier → customer, event → customer and the merges
// since a cursor, from the log every change appends to; mapexport.go, maplog.go).
package identity
