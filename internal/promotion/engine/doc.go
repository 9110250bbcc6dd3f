// Package engine is OneRetail's pure promotion and pricing engine: given a cart, the
// active promotions and the shopper's context it returns the priced cart, every line's
// prorated discount, an explanation for every candidate promotion and shopper hints.
// It has no database and no HTTP; POS, mini program, app and order center call the
// same function and get the same answer.
//
// Rules, in the order they apply:
//
//   - Money is int64 fen. A line is either counted (UnitEach: Qty units at UnitPrice
//     each) or weighed (UnitWeight: Qty grams at UnitPrice per kg; the line amount is
//     round-half-up(UnitPrice*Qty/1000)).
//
//   - Conditions (channel, store, region, store brand, time window, weekly days and
//     daily hours in Context.Location, tier, segments, first order, payment method,
//     coupon code, minimum spend and quantity) are checked once on the original cart.
//     Minimum spend in Conditions is measured before any discount; the spend of a
//     threshold (满减) or gift (满赠) promotion is measured after item-level discounts,
//     the common Chinese practice.
//
//   - Item-level promotions apply before order-level ones; within a level in order of
//     priority (highest first) then id; each one works on the line amounts left by the
//     previous ones. A stacking group applies at the position of its highest-priority
//     member.
//
//   - Stacking: at most one promotion per Group; an Exclusive promotion combines with
//     nothing; a coupon (a promotion with a CouponCode) combines with another promotion
//     only when both have CombinableWithCoupons. Ungrouped, non-exclusive promotions
//     always apply when eligible (put a promotion in a group to make it optional).
//     Among the combinations those rules allow the engine picks the lowest total; an
//     exclusive promotion wins only when strictly better than the best stack, and ties
//     between stacks go to the one found first (options before "none", canonical
//     order), so the result is deterministic.
//
//   - Search: item-level promotions that always apply and share no line with a choice
//     are applied once; a stacking group may go unused (none of its members applied)
//     only when an order-level threshold or gift could reach another step by it (the
//     steps reached with no discount and with every candidate applied differ). When the remaining
//     combinations fit Context.MaxCombinations they are all evaluated; otherwise the
//     search chooses per group of lines that share no promotion (Result.Decomposed:
//     exact except that it never gives up an item discount to reach a threshold), and
//     Result.Truncated says the bound cut it short.
//
//   - Proration: a discount computed per line (percent off, N-th item, buy X get Y, tiered
//     quantity, flash sale, markdown) is
//     that line's allocation; a discount computed for a set of lines (amount off,
//     threshold, bundle) is allocated proportionally to their current amounts by the
//     largest-remainder method (ties to the earlier line in id order), so allocations
//     sum exactly to the discount and no line goes below zero.
//
//   - Lines in the Result are sorted by id (gift lines last); Applied is in application
//     order; Rejected lists invalid definitions by id, then the other candidates in
//     canonical order within each reason. So the Result does not depend on the order of lines or promotions in the
//     input.
//
//   - Flash sales sell at most Context.FlashAllowance[id] units (absent:
//     FlashSale.PerCustomer) at the flash price, the units that save most first; the
//     rest pay the price they had. Near-expiry markdowns touch only lines whose Expiry
//     date is within WithinDays of the sale's local date, never past it.
//
//   - The delivery fee (Cart.DeliveryFee) is not a line: delivery-fee promotions are
//     decided after the goods search, on the goods nets; the one that saves most
//     applies. Result reports the delivery fee apart (Subtotal, Discount, Total and
//     the lines cover goods only; Payable adds the delivery net); the delivery
//     discount is prorated nowhere and a return quote never refunds delivery.
//
// Not yet implemented: budgets and usage limits (enforced by the service when an
// order commits).
package engine
