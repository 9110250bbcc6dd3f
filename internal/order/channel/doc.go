// Package channel turns delivery platforms' order push notifications into the
// neutral Order the order center stores. It is pure: no database, no HTTP server;
// it reads a Notification (raw query and body) and returns a Decoded order or a
// *RefusedError, and is wired by the order service, which stores refused payloads
// for inspection and de-duplicates accepted ones by Decoded.ReplayKey.
//
// Two adapters model the public shapes of China's two food-delivery platforms:
//
//   - MeituanAdapter, a Meituan-style (美团外卖) push: form-encoded parameters at one
//     callback URL per event, sig = md5(callback URL + "?" + sorted k=v&… + secret),
//     Unix-second timestamp, order lines in a "detail" JSON parameter, amounts in
//     yuan.
//   - ElemeAdapter, an Eleme-style (饿了么) push: one JSON body whose "message" is the
//     order as a JSON string, its "type" the event (10 new, 14/15/17 cancelled),
//     signature = upper(md5(sorted k=v… + secret)), millisecond timestamp.
//
// Every notification goes through the same steps, in order, and is refused at the
// first that fails, with nothing half-decoded:
//
//  1. the envelope is read (ReasonMalformed naming the parameter or "body");
//  2. the app id is ours (ReasonUnknownApp);
//  3. the signature matches, compared in constant time (ReasonSignature);
//  4. the signed timestamp is within the configured skew of the injected clock,
//     DefaultSkew (5 minutes) unless configured (ReasonStale);
//  5. the event is one this package imports (ReasonUnsupported);
//  6. the order parses, amounts exactly (ParseYuan, never a float) and
//     consistently — line totals, goods + package + delivery − discount = payable —
//     and satisfies Order.Validate (ReasonMalformed naming the field, such as
//     "detail[1].quantity" or "message.groups[0].items[2].price").
//
// The timestamp window stops a captured push from being replayed later; a push
// replayed within the window, or retried by the platform, has the same ReplayKey
// (platform, order id, event), which the caller stores under a unique constraint.
//
// Receiver (name, phone, address, coordinates) and Remark are personal data; error
// messages never quote them. docs/orders-channels.md documents the formats, the
// signature rules and what was simplified.
package channel
