// Package coupon is issue 13's coupons (C9): templates whose discount is a promotion
// of the promotion engine gated by a coupon code, unique unguessable codes with a
// check character, issuance to one customer or in bulk, and the lifecycle issued →
// locked (to an order) → redeemed, released or expired, driven by the order center's
// events. A coupon's discount is always priced by internal/promotion: a template owns
// one promotion whose engine.Promotion.CouponCode is the template's internal code,
// and a customer's coupon, once checked and locked, presents that code to the engine.
// docs/loyalty.md (Coupons) and docs/decisions/0031 say what and why.
package coupon
