// The console's names for the OneRetail HTTP API types (JSON, snake_case, money in
// integer fen). Nearly all are aliases of the schemas generated from the server's
// OpenAPI document (schema.d.ts, `make generate`), so they cannot drift from the
// server. Hand-written types remain only where the server's schema is free-form JSON
// that the console types more precisely (promotion definitions, priced carts) and for
// console-only views; each says why.
import type { components, operations } from './schema';

type S = components['schemas'];

/** Query is the query parameters of an operation (by its operationId). */
export type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type { ProblemDetail } from './client';
/** ReviewCounts counts the identity reviews the caller may see (GET /identity-review-counts). */
export type ReviewCounts = S['ReviewCountsResponse'];

/** Page is one page of a cursor-paginated list (every Page… schema has this shape). */
export interface Page<T> {
  items: T[];
  /** Absent or empty on the last page. */
  next_cursor?: string;
}

/** PageParams are the common list parameters. */
export interface PageParams {
  limit?: number;
  cursor?: string;
}

export type User = S['UserResponse'];
/** Me is the caller: a console user, or an API key (no login, empty role). */
export type Me = S['MeResponse'];
export type Role = User['role'];
export type ScopeType = User['scope_type'];
/** ApiScope is a scope an API key can be given. */
export type ApiScope = NonNullable<S['APIKeyCreateRequest']['scopes']>[number];

// The lists the console offers; contract.ts checks they are exactly the server's enums.
export const ROLES = [
  'hq_admin',
  'marketer',
  'analyst',
  'merchandiser',
  'store_manager',
  'associate',
  'integrator',
  'privacy_officer',
] as const satisfies readonly Role[];

export const SCOPE_TYPES = ['tenant', 'brand', 'region', 'store'] as const satisfies readonly ScopeType[];

export const API_SCOPES = [
  'org:read',
  'org:write',
  'catalog:read',
  'catalog:write',
  'users:read',
  'users:write',
  'api_keys:write',
  'audit:read',
  'events:read',
  'events:write',
  'touchpoints:read',
  'touchpoints:write',
  'events:ingest',
  'promotions:read',
  'promotions:write',
  'pricing:use',
  'customers:read',
  'customers:write',
  'customers:pii',
  'customers:erase',
  'privacy:read',
  'inventory:read',
  'inventory:write',
  'orders:read',
  'orders:write',
  'loyalty:read',
  'loyalty:redeem',
  'loyalty:write',
  'identity_map:read',
  'audiences:read',
  'audiences:write',
] as const satisfies readonly ApiScope[];

/** UpdateUserRequest changes the fields it carries; a password is a reset the user must change. */
export type UpdateUserRequest = S['UserUpdateRequest'];
/** ChangePasswordRequest changes the caller's own password. */
export type ChangePasswordRequest = S['PasswordChangeRequest'];
/** SetupStatus says whether the installation still needs its first tenant. */
export type SetupStatus = S['SetupStatus'];
/** SetupRequest creates the first tenant (the group) and its hq_admin (POST /setup). */
export type SetupRequest = S['SetupRequest'];
/** SetupResult names what the first run created. */
export type SetupResult = S['SetupResult'];
export type LoginRequest = S['LoginRequest'];
export type LoginResponse = S['LoginSession'];
export type CreateUserRequest = S['UserCreateRequest'];

export type Brand = S['BrandResponse'];
export type Region = S['RegionResponse'];
export type Store = S['StoreResponse'];
export type StoreFormat = Store['format'];
export const STORE_FORMATS = [
  'hypermarket',
  'supermarket',
  'convenience',
  'specialty',
  'department_store',
] as const satisfies readonly StoreFormat[];
export type StoreFilter = Query<'list-stores'>;

export type Count = S['StoreSummaryCount'];
export type NamedCount = S['StoreSummaryNamedCount'];
export type StoreSummary = S['StoreSummaryResponse'];
/** TouchpointGroup counts the touchpoints of one type or channel and their events today. */
export type TouchpointGroup = S['TouchpointGroupResponse'];
/** TouchpointCounts counts the touchpoints matching the list's filters (GET /touchpoint-counts). */
export type TouchpointCounts = S['TouchpointCountsResponse'];

export type Category = S['CategoryResponse'];
export type Product = S['ProductResponse'];
export type ProductFilter = Query<'list-products'>;
export type Sku = S['SKUResponse'];
export type SkuUnit = Sku['unit'];
export type SkuFilter = Query<'list-skus'>;
export type ProductDetail = S['ProductDetailResponse'];
export type PriceOverride = S['SKUPriceOverrideResponse'];
/** OverrideSummary counts a SKU's price overrides (all of them, not only the first page). */
export type OverrideSummary = S['SKUOverrideSummaryResponse'];
/** SkuDetail holds the first 20 overrides; the rest are paged through /skus/{id}/prices. */
export type SkuDetail = S['SKUDetailResponse'];
export type CatalogSummary = S['CatalogSummaryResponse'];

export type ApiKey = S['APIKeyResponse'];
/** ApiKeyCreator is who made a key: a user, another key, or the platform (admin command, demo). */
export type ApiKeyCreator = S['APIKeyCreator'];
export type SuspendReason = NonNullable<ApiKey['suspended_reason']>;
export const SUSPEND_REASONS = [
  'creator_disabled',
  'creator_not_tenant_wide',
  'creator_lacks_scopes',
  'creator_unknown',
] as const satisfies readonly SuspendReason[];
/** TouchpointKey is a touchpoint's new credential (events:ingest for that touchpoint only). */
export type TouchpointKey = S['TouchpointKeyResponse'];
export type CreateApiKeyRequest = S['APIKeyCreateRequest'];
/** CreatedApiKey carries the secret, which the server returns only once. */
export type CreatedApiKey = S['APIKeyCreatedResponse'];

export type AuditEvent = S['AuditEvent'];
export type AuditFilter = Query<'list-audit-events'>;

/** CustomerAccess is one read of, or action on, a customer's personal data. */
export type CustomerAccess = S['CustomerAccessResponse'];
export type CustomerAccessAction = CustomerAccess['action'];
/** CUSTOMER_ACCESS_ACTIONS are what the customer access log records. */
export const CUSTOMER_ACCESS_ACTIONS = [
  'view',
  'lookup',
  'search_hit',
  'list',
  'timeline',
  'consent_history',
  'consent_record',
  'merge',
  'unmerge',
  'export',
  'erase',
] as const satisfies readonly CustomerAccessAction[];
export type CustomerAccessFilter = Query<'list-customer-access'>;

export type DomainEvent = S['DomainEvent'];
export type DomainEventStatus = DomainEvent['status'];
export const DOMAIN_EVENT_STATUSES = ['pending', 'delivered', 'dead'] as const satisfies readonly DomainEventStatus[];
/** DomainEventLag is how far delivery of the tenant's domain events is behind. */
export type DomainEventLag = S['DomainEventLag'];
export type DomainEventFilter = Query<'list-domain-events'>;

export type CreateTouchpointRequest = S['TouchpointCreateRequest'];
export type UpdateTouchpointRequest = S['TouchpointUpdateRequest'];
export type TouchpointType = CreateTouchpointRequest['type'];
export type TouchpointChannel = CreateTouchpointRequest['channel'];
export type TouchpointStatus = NonNullable<CreateTouchpointRequest['status']>;
export const TOUCHPOINT_TYPES = ['online', 'offline', 'commercial', 'social'] as const satisfies readonly TouchpointType[];
export const TOUCHPOINT_CHANNELS = [
  'pos',
  'self_checkout',
  'smart_cart',
  'app',
  'wechat_mini_program',
  'wechat_official_account',
  'tmall',
  'jd',
  'meituan',
  'eleme',
  'associate_app',
  'in_store_screen',
  'web',
  'other',
] as const satisfies readonly TouchpointChannel[];
export const TOUCHPOINT_STATUSES = ['active', 'disabled'] as const satisfies readonly TouchpointStatus[];

/** TouchpointHealth counts today's events (UTC day of receipt). */
export type TouchpointHealth = S['TouchpointHealthResponse'];
export type Touchpoint = S['TouchpointResponse'];
export type TouchpointFilter = Query<'list-touchpoints'>;

/** TouchpointMaturity is one touchpoint's counts, rates (0..1), level and gaps over the window. */
export type TouchpointMaturity = S['TouchpointMaturityItem'];
export type MaturityLevel = TouchpointMaturity['level'];
export type MaturityGap = TouchpointMaturity['gaps'][number];
/** The maturity levels of a touchpoint, lowest first (docs/identity.md, "Maturity"). */
export const MATURITY_LEVELS = ['registered', 'connected', 'identified', 'mature'] as const satisfies readonly MaturityLevel[];
/** The gaps that keep a touchpoint from the next level. */
export const MATURITY_GAPS = [
  'no_events',
  'low_identified',
  'high_rejection',
  'irregular',
  'disabled',
] as const satisfies readonly MaturityGap[];
/** MaturityCoverage is 覆盖与布局: where the active touchpoints are. */
export type MaturityCoverage = S['MaturityCoverage'];
/** MaturityConnection is 在线与连接: which touchpoints send events. */
export type MaturityConnection = S['MaturityConnection'];
/** MaturityQuality is 数据与质量 over the window. */
export type MaturityQuality = S['MaturityQuality'];
/** Maturity is the tenant's touchpoint maturity over the last `days` UTC days. */
export type Maturity = S['MaturityResponse'];

// ---------------------------------------------------------------------------
// promotions (issue 5). The server keeps a promotion's definition as free-form
// engine JSON (an open object in its schema); the console types it by hand, below,
// since its editor and explanations read every block. Everything else is the
// server's schema.
// ---------------------------------------------------------------------------

type PromotionSchema = S['PromotionResponse'];
export type PromotionStatus = PromotionSchema['status'];
export const PROMOTION_STATUSES = ['draft', 'active', 'paused', 'ended'] as const satisfies readonly PromotionStatus[];
export type EffectiveStatus = PromotionSchema['effective_status'];
/** EFFECTIVE_STATUSES are a promotion's status as read now: status and window (the server derives it). */
export const EFFECTIVE_STATUSES = [
  'running',
  'scheduled',
  'draft',
  'paused',
  'ended',
] as const satisfies readonly EffectiveStatus[];

export const PROMOTION_KINDS = [
  'threshold',
  'percent_off',
  'amount_off',
  'tiered_qty',
  'nth_item',
  'buy_x_get_y',
  'bundle',
  'gift',
  'member_price',
  'flash_sale',
  'expiry_markdown',
  'delivery_fee',
  'special_price',
  'buy_a_get_b',
] as const;
export type PromotionKind = (typeof PROMOTION_KINDS)[number];

export interface PromotionScope {
  all?: boolean;
  skus?: string[];
  categories?: string[];
  brands?: string[];
  exclude_skus?: string[];
  exclude_categories?: string[];
  exclude_brands?: string[];
}

export interface PromotionConditions {
  /** RFC 3339, inclusive. */
  start?: string;
  /** RFC 3339, exclusive. */
  end?: string;
  /** 0 (Sunday)..6 (Saturday) in the store's time zone. */
  weekdays?: number[];
  /** Minutes after local midnight, [from, to); both 0: all day. */
  daily_from?: number;
  daily_to?: number;
  channels?: string[];
  stores?: string[];
  regions?: string[];
  store_brands?: string[];
  tiers?: string[];
  segments?: string[];
  first_order_only?: boolean;
  payment_methods?: string[];
  /** Fen, on scoped lines before discounts. */
  min_spend?: number;
  min_qty?: number;
}

/** PromotionDefinition is the engine promotion; exactly the block of its kind is set. */
export type PromotionDefinition = {
  id?: string;
  name?: string;
  kind: PromotionKind;
  level?: 'item' | 'order';
  priority?: number;
  group?: string;
  exclusive?: boolean;
  /** Opts an item-level promotion into sharing units with other item-level promotions that opt in too. */
  stacks_with_items?: boolean;
  combinable_with_coupons?: boolean;
  coupon_code?: string;
  scope: PromotionScope;
  conditions: PromotionConditions;
  return_policy?: 'keep' | 'claw_back';
  percent_off?: { off_bp: number };
  amount_off?: { amount: number };
  threshold?: { tiers?: { spend: number; off: number }[]; repeat?: { every: number; off: number; cap?: number } };
  nth_item?: { n: number; off_bp: number; mix_skus?: boolean };
  buy_x_get_y?: { buy: number; get: number };
  bundle?: { components: { skus: string[]; qty: number }[]; price: number; max?: number };
  /** value: what one gift unit is worth in fen, charged to the budget when an order commits. */
  gift?: { sku: string; qty: number; spend: number; value?: number };
  tiered_qty?: { steps: { min_qty: number; off_bp: number }[] };
  flash_sale?: { price: number; per_customer?: number };
  expiry_markdown?: { within_days: number; off_bp: number };
  delivery_fee?: { spend: number; off?: number; off_bp?: number; methods?: string[] };
  /** 特价, 直降, 会员价: per rule a price or an amount off each unit, for a tier or everyone (no tier). */
  special_price?: {
    prices: { tier?: string; price?: number; off?: number }[];
    max_per_line?: number;
    max_per_order?: number;
    max_per_customer?: number;
  };
  /** 买A赠B: the promotion's scope qualifies; reward is the second scope. */
  buy_a_get_b?: { buy: number; reward: PromotionScope; get: number; off_bp: number; pick?: 'cheapest' | 'dearest'; times?: number };
};

/** PromotionLimits caps a promotion's cost and use; null or absent means no limit. */
export type PromotionLimits = S['PromotionLimits'];
export type PromotionUsage = S['PromotionUsage'];
/** Promotion is the server's promotion with its definition typed (the schema leaves it open). */
export type Promotion = Omit<PromotionSchema, 'definition'> & { definition: PromotionDefinition };
export type PromotionFilter = Query<'list-promotions'>;
export type CreatePromotionRequest = Omit<S['PromotionCreateRequest'], 'definition'> & { definition: PromotionDefinition };
export type UpdatePromotionRequest = Omit<S['PromotionUpdateRequest'], 'definition'> & { definition?: PromotionDefinition };

// Priced carts (POST /carts/price): the server's schema, but for the applied
// promotion's engine JSON (`promotion`), which the console does not read.
export type CartLine = S['CartPriceLine'];
export type CartPriceRequest = S['CartPriceRequest'];
export type CartAllocation = S['CartAllocation'];
export type CartPricedLine = S['CartPricedLine'];
export type CartAppliedPromotion = S['CartAppliedPromotion'];
export type CartRejection = S['CartRejection'];
export type CartHint = S['CartHint'];
export type CartPriceResponse = S['CartPriceResponse'];

/**
 * A return quote from a committed order (order_id) or a priced cart's token, never from
 * client-stated prices: exactly one of the two, which the server's schema (both
 * optional) cannot say.
 */
export type CartReturnQuoteRequest = S['CartReturnQuoteRequest'] &
  ({ order_id: string; priced_token?: never } | { priced_token: string; order_id?: never });
export type CartReturnQuoteResponse = S['CartReturnQuoteResponse'];

export type CalendarWindow = S['CalendarWindow'];
export type CalendarItem = S['PromotionCalendarItem'];
export type CalendarFilter = Query<'promotion-calendar'>;

export type BasketSet = S['BasketSetResponse'];
/** BasketSetImport is the answer to an upload: the set, the rows left out and the catalogue match. */
export type BasketSetImport = S['BasketSetImportResponse'];
/** BasketMatch is how an uploaded basket file's rows matched the catalogue. */
export type BasketMatch = S['BasketMatchResponse'];
export type CreateSimulationRequest = Omit<S['PromotionSimulationRequest'], 'definition'> & {
  definition?: PromotionDefinition;
};
export type Simulation = S['SimulationReport'];

// ---------------------------------------------------------------------------
// customers (issue 4). Personal values arrive masked (138****1234, 王**) unless
// the caller holds customers:pii; `masked` says which.
// ---------------------------------------------------------------------------

export type Customer = S['CustomerResponse'];
export type CustomerStatus = Customer['status'];
export type CustomerIdentifier = S['CustomerIdentifierResponse'];
export type IdentifierStrength = CustomerIdentifier['strength'];
/** IDENTIFIER_TYPES are the identifier types the console names (the server's type is free text). */
export const IDENTIFIER_TYPES = [
  'phone',
  'email',
  'member_card',
  'wechat_unionid',
  'wechat_openid',
  'app_user_id',
  'alipay_user_id',
  'marketplace_buyer_id',
  'delivery_user_id',
  'device_id',
  'cookie_id',
  'pos_customer_ref',
  'masked_phone',
] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];
export type CustomerProfile = S['CustomerProfileResponse'];
/** CustomerSlots are filled by later capabilities (orders, loyalty, coupons, tags, associates). */
export type CustomerSlots = S['CustomerSlotsResponse'];

export type Consent = S['CustomerConsentResponse'];
export type ConsentRecord = S['ConsentRecordResponse'];
export type RecordConsentRequest = S['ConsentRequest'];
export type ConsentPurpose = RecordConsentRequest['purpose'];
export type ConsentChannel = RecordConsentRequest['channel'];
/** The purposes and channels the console offers to record (a subset of the server's). */
export const CONSENT_PURPOSES = ['marketing'] as const satisfies readonly ConsentPurpose[];
export const CONSENT_CHANNELS = ['sms', 'wechat', 'push', 'email', 'phone'] as const satisfies readonly ConsentChannel[];

/**
 * EventSchema is the tenant's event schema: the event property names declared
 * non-personal. Readers without customers:pii see only these properties as sent;
 * every other property is masked by its shape.
 */
export type EventSchema = S['EventSchemaResponse'];
/** UpdateEventSchemaRequest replaces the names declared non-personal. */
export type UpdateEventSchemaRequest = S['EventSchemaUpdateRequest'];

export type CustomerSummary = S['CustomerSummaryResponse'];
/** CustomerListItem is one customer of the filtered list (masked like the 360). */
export type CustomerListItem = S['CustomerListItemResponse'];
/** CustomerListFilter filters GET /customers/list; empty fields do not filter. */
export type CustomerListFilter = Query<'list-customers'>;
export type CustomerListStatus = NonNullable<CustomerListFilter['status']>;
/** CustomerListPage is a page of the customer list; total on the first page only. */
export type CustomerListPage = S['CustomerListResponse'];

export type CustomerEvent = S['CustomerEventResponse'];

export type CustomerMerge = S['MergeResponse'];
export type MergeKind = CustomerMerge['kind'];
export type MergeRequest = S['MergeRequest'];
export type UnmergeResponse = S['UnmergeResponse'];
export type ErasedCustomer = S['CustomerEraseResponse'];

export type IdentityReview = S['ReviewResponse'];
export type ReviewStatus = IdentityReview['status'];
export type ResolveReviewRequest = S['ReviewResolveRequest'];
export type ReviewAction = ResolveReviewRequest['action'];
/** ScoreTerm is one comparison's share of a fuzzy score, in bits. */
export type ScoreTerm = S['ScoreTermResponse'];
/** ReviewReason is one reason of a review as a stable code with its parameters. */
export type ReviewReason = S['ReviewReasonResponse'];
export type ReviewFilter = Query<'list-identity-reviews'>;
export type BulkResolveRequest = S['ReviewBulkRequest'];
export type BulkResolveResponse = S['ReviewBulkResponse'];
export type BulkOutcome = BulkResolveResponse['items'][number]['outcome'];
