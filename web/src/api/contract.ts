// Compile-time checks of what the type system does not check by itself. The API's
// types are aliases of the schemas generated from the server's OpenAPI document
// (types.ts, schema.d.ts), so requests and answers cannot drift from the server.
// What remains: the lists the console offers (select options, filter values) are
// declared `satisfies` the server's enum, which proves every listed value valid but
// not that every server value is listed. These checks close that direction:
// `npm run build` (tsc) fails when the server adds a value the console does not offer.
import type * as T from './types';

/** Same is true when A and B are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Holds<X> compiles only when X is true. */
type Holds<X extends true> = X;
/** Item is the union of a const list's values. */
type Item<L extends readonly unknown[]> = L[number];

// Not checked, on purpose: CONSENT_PURPOSES and CONSENT_CHANNELS offer a subset of the
// server's (advertising consent is not recorded from the console); IDENTIFIER_TYPES
// and PROMOTION_KINDS name values of fields the server keeps as free text or JSON.
export type ListChecks = [
  Holds<Same<Item<typeof T.ROLES>, T.Role>>,
  Holds<Same<Item<typeof T.SCOPE_TYPES>, T.ScopeType>>,
  Holds<Same<Item<typeof T.API_SCOPES>, T.ApiScope>>,
  Holds<Same<Item<typeof T.SUSPEND_REASONS>, T.SuspendReason>>,
  Holds<Same<Item<typeof T.STORE_FORMATS>, T.StoreFormat>>,
  Holds<Same<Item<typeof T.CUSTOMER_ACCESS_ACTIONS>, T.CustomerAccessAction>>,
  Holds<Same<Item<typeof T.DOMAIN_EVENT_STATUSES>, T.DomainEventStatus>>,
  Holds<Same<Item<typeof T.TOUCHPOINT_TYPES>, T.TouchpointType>>,
  Holds<Same<Item<typeof T.TOUCHPOINT_CHANNELS>, T.TouchpointChannel>>,
  Holds<Same<Item<typeof T.TOUCHPOINT_STATUSES>, T.TouchpointStatus>>,
  Holds<Same<Item<typeof T.MATURITY_LEVELS>, T.MaturityLevel>>,
  Holds<Same<Item<typeof T.MATURITY_GAPS>, T.MaturityGap>>,
  Holds<Same<Item<typeof T.PROMOTION_STATUSES>, T.PromotionStatus>>,
  Holds<Same<Item<typeof T.EFFECTIVE_STATUSES>, T.EffectiveStatus>>,
];
