// Package identity is the One ID customer data platform's identity domain: the
// touchpoint registry, event ingestion (POST /api/v1/events) with inline
// deterministic identity resolution of every stored event to one customer (rules and
// decisions from package graph), and reading customers back.
package identity
