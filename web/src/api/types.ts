// Hand-written types for the OneRetail HTTP API (JSON, snake_case, money in
// integer fen). They may later be replaced by types generated from the
// server's OpenAPI document.

/** Page is one page of a cursor-paginated list. */
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

/** ProblemDetail is an RFC 9457 application/problem+json body. */
export interface ProblemDetail {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { message?: string; location?: string; value?: unknown }[];
}

export const ROLES = [
  'hq_admin',
  'marketer',
  'analyst',
  'merchandiser',
  'store_manager',
  'associate',
  'integrator',
  'privacy_officer',
] as const;
export type Role = (typeof ROLES)[number];

export const SCOPE_TYPES = ['tenant', 'brand', 'region', 'store'] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

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
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface User {
  id: string;
  tenant_id: string;
  login: string;
  name: string;
  role: Role;
  scope_type: ScopeType;
  scope_id?: string | null;
  status?: string;
  /** True until the user has replaced a password someone else set. */
  must_change_password?: boolean;
  created_at?: string;
}

/** Me is the caller: a console user, or an API key (no login, empty role). */
export interface Me extends Omit<User, 'role'> {
  role: Role | '';
  scopes: string[];
}

/** UpdateUserRequest changes the fields it carries; a password is a reset the user must change. */
export interface UpdateUserRequest {
  name?: string;
  role?: Role;
  status?: 'active' | 'disabled';
  password?: string;
}

/** ChangePasswordRequest changes the caller's own password. */
export interface ChangePasswordRequest {
  current_password: string;
  new_password: string;
}

/** SetupStatus says whether the installation still needs its first tenant. */
export interface SetupStatus {
  needed: boolean;
}

/** SetupRequest creates the first tenant (the group) and its hq_admin (POST /setup). */
export interface SetupRequest {
  token: string;
  tenant_name: string;
  tenant_code?: string;
  admin_login: string;
  admin_name?: string;
  admin_password: string;
}

/** SetupResult names what the first run created. */
export interface SetupResult {
  tenant_code: string;
  tenant_name: string;
  admin_login: string;
}

export interface LoginRequest {
  login: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expires_at: string;
  user: User;
}

export interface CreateUserRequest {
  login: string;
  name: string;
  password: string;
  role: Role;
  scope_type: ScopeType;
  scope_id?: string;
  /** The user must replace this password at the first login. */
  must_change_password?: boolean;
}

export interface Brand {
  id: string;
  code: string;
  name: string;
  status: string;
}

export interface Region {
  id: string;
  code: string;
  name: string;
}

export const STORE_FORMATS = [
  'hypermarket',
  'supermarket',
  'convenience',
  'specialty',
  'department_store',
] as const;
export type StoreFormat = (typeof STORE_FORMATS)[number];

export interface Store {
  id: string;
  code: string;
  name: string;
  brand_id: string;
  region_id: string;
  format: StoreFormat | string;
  city: string;
  address?: string;
  latitude?: number | null;
  longitude?: number | null;
  floor_area_m2?: number | null;
  time_zone?: string;
  opening_hours?: string;
  status: string;
}

export interface StoreFilter extends PageParams {
  region_id?: string;
  brand_id?: string;
  format?: string;
  city?: string;
  q?: string;
}

export interface Count {
  key: string;
  count: number;
}

export interface NamedCount extends Count {
  name: string;
}

export interface StoreSummary {
  total: number;
  by_format: Count[];
  by_city: Count[];
  by_region: NamedCount[];
  by_brand: NamedCount[];
}

/** TouchpointGroup counts the touchpoints of one type or channel and their events today. */
export interface TouchpointGroup {
  key: string;
  touchpoints: number;
  events_today: number;
}

/** TouchpointCounts counts the touchpoints matching the list's filters (GET /touchpoint-counts). */
export interface TouchpointCounts {
  total: number;
  /** time_zone is the tenant's, whose day events_today counts. */
  time_zone?: string;
  by_type: TouchpointGroup[];
  by_channel: TouchpointGroup[];
}

/** ReviewCounts counts the identity reviews the caller may see (GET /identity-review-counts). */
export interface ReviewCounts {
  total: number;
  by_reason: Count[];
  by_score_band: Count[];
}

export interface Category {
  id: string;
  parent_id?: string | null;
  code: string;
  name: string;
  level: number;
  /** Sort order among siblings. */
  sort?: number;
}

export interface Product {
  id: string;
  code: string;
  name: string;
  category_id: string;
  brand_id?: string | null;
  /** The product's own brand (a manufacturer's), as text. */
  brand_name?: string;
  description?: string;
  unit: string;
  status: string;
  sku_count: number;
}

export interface ProductFilter extends PageParams {
  q?: string;
  category_id?: string;
}

export type SkuUnit = 'each' | 'weight';

export interface Sku {
  id: string;
  product_id: string;
  code: string;
  name: string;
  barcodes: string[];
  unit: SkuUnit;
  spec?: string;
  list_price_fen: number;
  cost_fen: number;
  status: string;
}

export interface SkuFilter extends PageParams {
  q?: string;
  barcode?: string;
  product_id?: string;
}

export interface ProductDetail extends Product {
  skus: Sku[];
}

export interface PriceOverride {
  scope_type: 'store' | 'price_zone';
  scope_id: string;
  scope_name: string;
  price_fen: number;
}

/** OverrideSummary counts a SKU's price overrides (all of them, not only the first page). */
export interface OverrideSummary {
  total: number;
  price_zones: number;
  stores: number;
  min_price_fen: number;
  max_price_fen: number;
}

/** SkuDetail holds the first 20 overrides; the rest are paged through /skus/{id}/prices. */
export interface SkuDetail extends Sku {
  price_overrides: PriceOverride[];
  price_overrides_next_cursor?: string;
  price_overrides_url?: string;
  price_override_summary?: OverrideSummary;
}

export interface CatalogSummary {
  categories: number;
  products: number;
  skus: number;
}

/** ApiKeyCreator is who made a key: a user, another key, or the platform (admin command, demo). */
export interface ApiKeyCreator {
  kind: 'user' | 'api_key' | 'system' | 'unknown';
  id: string;
  login?: string;
  name?: string;
}

export const SUSPEND_REASONS = [
  'creator_disabled',
  'creator_not_tenant_wide',
  'creator_lacks_scopes',
  'creator_unknown',
] as const;
export type SuspendReason = (typeof SUSPEND_REASONS)[number];

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  /** The scopes the key was given. */
  scopes: string[];
  created_by: ApiKeyCreator;
  /** The scopes it may use now: those its creator still holds. */
  effective_scopes: string[];
  suspended_scopes: string[];
  suspended_reason?: SuspendReason;
  created_at: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
  /** Set for a touchpoint's credential. */
  touchpoint_id?: string;
}

/** TouchpointKey is a touchpoint's new credential (events:ingest for that touchpoint only). */
export interface TouchpointKey {
  id: string;
  name: string;
  prefix: string;
  secret: string;
  scopes: string[];
  touchpoint_id: string;
}

export interface CreateApiKeyRequest {
  name: string;
  scopes: ApiScope[];
}

/** CreatedApiKey carries the secret, which the server returns only once. */
export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  secret: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string;
  actor_name?: string;
  action: string;
  resource_type: string;
  resource_id: string;
  changes?: unknown;
}

export interface AuditFilter extends PageParams {
  resource_type?: string;
  actor_id?: string;
}

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
] as const;
export type CustomerAccessAction = (typeof CUSTOMER_ACCESS_ACTIONS)[number];

/** CustomerAccess is one read of, or action on, a customer's personal data. */
export interface CustomerAccess {
  id: string;
  at: string;
  principal_kind: 'user' | 'api_key';
  principal_id: string;
  principal_name: string;
  customer_id: string;
  action: CustomerAccessAction;
  /** full: shown with customers:pii; masked; none: no personal value shown. */
  shown: 'full' | 'masked' | 'none';
  /** The identifier type a look-up or search matched (phone, …, name); never the query. */
  matched?: string;
  request_id?: string;
  client_ip?: string;
}

export interface CustomerAccessFilter extends PageParams {
  customer_id?: string;
  principal_id?: string;
  action?: CustomerAccessAction;
  /** RFC 3339, inclusive. */
  from?: string;
  /** RFC 3339, exclusive. */
  to?: string;
}

export const DOMAIN_EVENT_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DomainEventStatus = (typeof DOMAIN_EVENT_STATUSES)[number];

export interface DomainEvent {
  id: string;
  type: string;
  aggregate_id: string;
  status: DomainEventStatus;
  attempts: number;
  last_error?: string | null;
  payload?: unknown;
  created_at: string;
}

/** DomainEventLag is how far delivery of the tenant's domain events is behind. */
export interface DomainEventLag {
  pending: number;
  dead: number;
  oldest_pending_at?: string | null;
  oldest_pending_seconds: number;
  /** 0: delivered events are kept forever. */
  retention_seconds: number;
}

export interface DomainEventFilter extends PageParams {
  status?: DomainEventStatus;
}

export const TOUCHPOINT_TYPES = ['online', 'offline', 'commercial', 'social'] as const;
export type TouchpointType = (typeof TOUCHPOINT_TYPES)[number];

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
] as const;
export type TouchpointChannel = (typeof TOUCHPOINT_CHANNELS)[number];

export const TOUCHPOINT_STATUSES = ['active', 'disabled'] as const;
export type TouchpointStatus = (typeof TOUCHPOINT_STATUSES)[number];

/** TouchpointHealth counts today's events (UTC day of receipt). */
export interface TouchpointHealth {
  events_today: number;
  rejected_today: number;
  /** Absent when the touchpoint never sent anything. */
  last_seen_at?: string | null;
}

export interface Touchpoint {
  id: string;
  code: string;
  name: string;
  type: TouchpointType | string;
  channel: TouchpointChannel | string;
  store_id?: string | null;
  status: TouchpointStatus | string;
  health: TouchpointHealth;
  created_at: string;
  updated_at: string;
}

export interface TouchpointFilter extends PageParams {
  status?: TouchpointStatus;
  channel?: TouchpointChannel;
  store_id?: string;
  /** Part of the code or name. */
  q?: string;
}

export interface CreateTouchpointRequest {
  code: string;
  name: string;
  type: TouchpointType;
  channel: TouchpointChannel;
  store_id?: string;
  /** Active when left out. */
  status?: TouchpointStatus;
}

export type UpdateTouchpointRequest = Partial<CreateTouchpointRequest>;

/** The maturity levels of a touchpoint, lowest first (docs/identity.md, "Maturity"). */
export const MATURITY_LEVELS = ['registered', 'connected', 'identified', 'mature'] as const;
export type MaturityLevel = (typeof MATURITY_LEVELS)[number];

/** The gaps that keep a touchpoint from the next level. */
export const MATURITY_GAPS = ['no_events', 'low_identified', 'high_rejection', 'irregular', 'disabled'] as const;
export type MaturityGap = (typeof MATURITY_GAPS)[number];

/** TouchpointMaturity is one touchpoint's counts, rates (0..1), level and gaps over the window. */
export interface TouchpointMaturity extends Pick<Touchpoint, 'id' | 'code' | 'name' | 'type' | 'channel' | 'store_id' | 'status'> {
  accepted: number;
  rejected: number;
  identified: number;
  rejection_rate: number;
  identified_rate: number;
  /** Days of the window with events stored. */
  active_days: number;
  /** Days of the window since the touchpoint was registered. */
  window_days: number;
  last_seen_at?: string | null;
  level: MaturityLevel;
  /** MaturityGap codes; a code the console does not know is shown as it is. */
  gaps: MaturityGap[];
}

/** MaturityCoverage is 覆盖与布局: where the active touchpoints are. */
export interface MaturityCoverage {
  by_type: Record<string, number>;
  by_channel: Record<string, number>;
  /** The tenant's stores; null when the caller may not read stores. */
  stores: number | null;
  stores_with_touchpoints: number;
  stores_connected: number;
}

/** MaturityConnection is 在线与连接: which touchpoints send events. */
export interface MaturityConnection {
  touchpoints: number;
  active: number;
  connected: number;
  seen_last_day: number;
}

/** MaturityQuality is 数据与质量 over the window. */
export interface MaturityQuality {
  accepted: number;
  rejected: number;
  identified: number;
  rejection_rate: number;
  identified_rate: number;
}

/** Maturity is the tenant's touchpoint maturity over the last `days` UTC days. */
export interface Maturity {
  days: number;
  /** First UTC day of the window (YYYY-MM-DD). */
  from: string;
  /** time_zone is the tenant's, whose days the window counts. */
  time_zone?: string;
  coverage: MaturityCoverage;
  connection: MaturityConnection;
  quality: MaturityQuality;
  /** Touchpoints per level. */
  levels: Record<string, number>;
  touchpoints: TouchpointMaturity[];
}

// ---------------------------------------------------------------------------
// promotions — hand-written for the promotion console (issue 5). The limits,
// usage, calendar, basket-set and simulation types follow the contract of the
// endpoints being added in parallel; regenerate schema.d.ts and extend
// contract.ts once they are merged.
// ---------------------------------------------------------------------------

export const PROMOTION_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

/** EFFECTIVE_STATUSES are a promotion's status as read now: status and window (the server derives it). */
export const EFFECTIVE_STATUSES = ['running', 'scheduled', 'draft', 'paused', 'ended'] as const;
export type EffectiveStatus = (typeof EFFECTIVE_STATUSES)[number];

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
export interface PromotionDefinition {
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
}

/** PromotionLimits caps a promotion's cost and use; null means no limit. */
export interface PromotionLimits {
  budget_fen: number | null;
  max_uses: number | null;
  max_uses_per_customer: number | null;
}

export interface PromotionUsage {
  discount_fen: number;
  uses: number;
}

export interface Promotion {
  id: string;
  code: string;
  name: string;
  status: PromotionStatus | string;
  /** effective_status: scheduled before the window, running inside it, ended after it. */
  effective_status?: EffectiveStatus | string;
  definition: PromotionDefinition;
  limits?: PromotionLimits;
  usage?: PromotionUsage;
  starts_at?: string;
  ends_at?: string;
  created_at: string;
  updated_at: string;
}

export interface PromotionFilter extends PageParams {
  status?: PromotionStatus;
  effective_status?: EffectiveStatus;
  active_at?: string;
}

export interface CreatePromotionRequest {
  code: string;
  name: string;
  definition: PromotionDefinition;
  limits?: PromotionLimits;
}

export interface UpdatePromotionRequest {
  name?: string;
  definition?: PromotionDefinition;
  limits?: PromotionLimits;
}

export interface CartLine {
  id: string;
  sku: string;
  category?: string;
  brand?: string;
  /** each: qty units, unit_price fen per unit; weight: qty grams, unit_price fen per kg. */
  unit: SkuUnit;
  qty: number;
  unit_price: number;
  batch?: string;
  /** YYYY-MM-DD. */
  expiry?: string;
}

export interface CartPriceRequest {
  lines: CartLine[];
  delivery_fee?: number;
  delivery_method?: string;
  time?: string;
  time_zone?: string;
  channel?: string;
  store_id?: string;
  region?: string;
  brand?: string;
  tier?: string;
  segments?: string[];
  first_order?: boolean;
  payment_method?: string;
  coupons?: string[];
  flash_allowance?: Record<string, number>;
}

export interface CartAllocation {
  promotion_id?: string;
  line_id?: string;
  amount: number;
}

export interface CartPricedLine extends Omit<CartLine, 'expiry'> {
  expiry?: string;
  amount: number;
  discount: number;
  net: number;
  gift?: boolean;
  gift_of?: string;
  allocations?: CartAllocation[];
}

export interface CartAppliedPromotion {
  promotion_id: string;
  name?: string;
  kind: string;
  level: string;
  discount: number;
  lines: CartAllocation[];
  basis: CartAllocation[];
  gift_line_id?: string;
  message: string;
  promotion: unknown;
}

export interface CartRejection {
  promotion_id: string;
  code: string;
  condition?: string;
  winner_id?: string;
  /** excluded_by_stacking: whose rule kept the two apart. */
  refused_by?: 'this' | 'winner' | 'both';
  missing?: number;
  message: string;
}

export interface CartHint {
  promotion_id: string;
  missing: number;
  save?: number;
  message: string;
}

export interface CartPriceResponse {
  lines: CartPricedLine[];
  subtotal: number;
  discount: number;
  total: number;
  applied: CartAppliedPromotion[];
  rejected: CartRejection[];
  hints: CartHint[];
  combinations: number;
  truncated: boolean;
  decomposed: boolean;
  delivery_fee: number;
  delivery_discount: number;
  delivery_net: number;
  payable: number;
  delivery?: { promotion_id: string; name?: string; spend: number; discount: number; message: string };
  /** The server-signed priced cart (POST /carts/price only): commits the order or quotes a return. */
  priced_token?: string;
  priced_token_expires_at?: string;
}

/** A return quote from a committed order (order_id) or a priced cart's token, never from client-stated prices. */
export type CartReturnQuoteRequest = ({ order_id: string; priced_token?: never } | { priced_token: string; order_id?: never }) & {
  returned: Record<string, number>;
};

export interface CartReturnQuoteResponse {
  lines: { line_id: string; qty: number; refund: number; claw_back?: number }[];
  adjustments: {
    promotion_id: string;
    policy: string;
    spend_before: number;
    spend_after: number;
    kept: number;
    earned: number;
    claw_back: number;
    message: string;
  }[];
  refund: number;
}

export interface CalendarWindow {
  start: string;
  end: string;
}

export interface CalendarItem {
  promotion_id: string;
  code: string;
  name: string;
  type: PromotionKind | string;
  status: PromotionStatus | string;
  priority: number;
  stacking_group: string;
  windows: CalendarWindow[];
}

export interface CalendarFilter {
  from: string;
  to: string;
  status?: PromotionStatus;
  store_id?: string;
  channel?: string;
}

export interface BasketSet {
  id: string;
  name: string;
  orders: number;
  lines: number;
  first_order_at?: string;
  last_order_at?: string;
  created_at: string;
}

/** BasketSetImport is the answer to an upload: the set, the rows left out and the catalogue match. */
export interface BasketSetImport extends BasketSet {
  rejected: number;
  errors: { line: number; field: string; reason: string }[];
  match?: BasketMatch;
}

/** BasketMatch is how an uploaded basket file's rows matched the catalogue. */
export interface BasketMatch {
  checked: boolean;
  unmatched_sku_rows: number;
  unmatched_category_rows: number;
  unmatched_skus: string[];
  unmatched_categories: string[];
}

export interface CreateSimulationRequest {
  basket_set_id: string;
  from?: string;
  to?: string;
  promotion_id?: string;
  definition?: PromotionDefinition;
}

export interface Simulation {
  id: string;
  orders: number;
  affected_orders: number;
  gross_fen: number;
  discount_fen: number;
  margin_before_fen: number;
  margin_after_fen: number;
  margin_impact_fen: number;
  /** max_fen is null for the last, open-ended bucket. */
  savings_histogram: { min_fen: number; max_fen: number | null; orders: number }[];
  by_day: { date: string; orders: number; affected_orders: number; discount_fen: number }[];
  top_skus: { sku_id: string; code?: string; name?: string; discount_fen: number; quantity: number }[];
}

// ---------------------------------------------------------------------------
// customers (issue 4): hand-written from docs/helpers' customer API contract.
// Personal values arrive masked (138****1234, 王**) unless the caller holds
// customers:pii; `masked` says which.
// ---------------------------------------------------------------------------

export type IdentifierStrength = 'weak' | 'medium' | 'strong';

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

export type CustomerStatus = 'active' | 'erased';

export interface CustomerIdentifier {
  type: IdentifierType | string;
  value: string;
  strength: IdentifierStrength;
  created_at?: string;
}

export interface CustomerProfile {
  name?: string | null;
  gender?: 'male' | 'female' | 'unknown' | null;
  birthday?: string | null;
  city?: string | null;
  address?: string | null;
  preferred_store_id?: string | null;
  registration_channel?: string | null;
  registered_at?: string | null;
}

export const CONSENT_PURPOSES = ['marketing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_CHANNELS = ['sms', 'wechat', 'push', 'email', 'phone'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export interface Consent {
  purpose: ConsentPurpose | string;
  channel: ConsentChannel | string;
  granted: boolean;
  source: string;
  updated_at: string;
}

export interface ConsentRecord {
  purpose: ConsentPurpose | string;
  channel: ConsentChannel | string;
  granted: boolean;
  source: string;
  occurred_at: string;
  recorded_at: string;
}

export interface RecordConsentRequest {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  source: string;
  /** RFC 3339; now when left out. */
  occurred_at?: string;
}

/** CustomerSlots are filled by later capabilities (orders, loyalty, coupons, tags, associates). */
export interface CustomerSlots {
  orders?: unknown;
  points?: unknown;
  coupons?: unknown;
  tags?: unknown[] | null;
  associate?: unknown;
}

export interface Customer {
  id: string;
  /** The requested id when it was merged into this customer. */
  merged_from?: string | null;
  status?: CustomerStatus | string;
  first_seen_at: string;
  last_seen_at: string;
  event_count: number;
  created_at: string;
  updated_at: string;
  masked?: boolean;
  identifiers: CustomerIdentifier[];
  profile?: CustomerProfile | null;
  consents?: Consent[] | null;
  slots?: CustomerSlots | null;
}

/**
 * EventSchema is the tenant's event schema: the event property names declared
 * non-personal. Readers without customers:pii see only these properties as sent;
 * every other property is masked by its shape.
 */
export interface EventSchema {
  non_personal: string[];
  /** The names declared while the tenant has not changed its schema. */
  defaults: string[];
  customised: boolean;
  updated_at?: string;
}

/** UpdateEventSchemaRequest replaces the names declared non-personal. */
export interface UpdateEventSchemaRequest {
  non_personal: string[];
}

export interface CustomerSummary {
  id: string;
  name?: string | null;
  phone?: string | null;
  city?: string | null;
  registration_channel?: string | null;
  last_seen_at?: string | null;
  event_count: number;
  status?: CustomerStatus | string;
  masked?: boolean;
}

/** CustomerListItem is one customer of the filtered list (masked like the 360). */
export interface CustomerListItem extends CustomerSummary {
  merged_from?: string;
  preferred_store_id: string;
  registered_at?: string | null;
  identifier_count: number;
}

export type CustomerListStatus = 'active' | 'erased' | 'merged' | 'all';

/** CustomerListFilter filters GET /customers/list; empty fields do not filter. */
export interface CustomerListFilter extends PageParams {
  store_id?: string;
  channel?: string;
  registered_from?: string;
  registered_to?: string;
  min_identifiers?: number;
  max_identifiers?: number;
  status?: CustomerListStatus;
}

/** CustomerListPage is a page of the customer list; total on the first page only. */
export interface CustomerListPage extends Page<CustomerListItem> {
  total?: number;
  /** false: counting stopped at 10000 and there are at least total. */
  total_exact: boolean;
}

export interface CustomerEvent {
  id: string;
  type: string;
  touchpoint_id: string;
  occurred_at: string;
  received_at: string;
  identifiers: Record<string, string>;
  properties?: Record<string, unknown> | null;
}

export type MergeKind = 'auto' | 'manual' | 'fuzzy';

export interface CustomerMerge {
  id: string;
  survivor_id: string;
  absorbed_id: string;
  kind: MergeKind | string;
  reason?: string | null;
  created_at: string;
  undone_at?: string | null;
}

export interface MergeRequest {
  customer_ids: string[];
  note?: string;
}

export interface UnmergeResponse {
  survivor: Customer;
  restored: Customer;
}

export interface ErasedCustomer {
  id: string;
  status: 'erased';
  erased_at: string;
}

export type ReviewStatus = 'open' | 'resolved';
export type ReviewAction = 'merge' | 'separate';

/** ScoreTerm is one comparison's share of a fuzzy score, in bits. */
export interface ScoreTerm {
  comparison: string;
  level: string;
  weight: number;
}

/** ReviewReason is one reason of a review as a stable code with its parameters. */
export interface ReviewReason {
  code: string;
  type?: string;
  count?: number;
  limit?: number;
  score?: number;
}

export interface IdentityReview {
  id: string;
  event_id: string;
  customer_id: string;
  candidates: string[];
  /** English developer text: show reasons instead. */
  reason: string;
  reasons?: ReviewReason[];
  /** The live customer the event's customer is now. */
  left?: string;
  /** The other live candidates, never left; empty: the other side is the event. */
  right?: string[];
  /** 0..1 for fuzzy matches, else null. */
  score?: number | null;
  /** Fuzzy matches: the score's terms; their weights (bits) sum to logit2(score). */
  explanation?: ScoreTerm[] | null;
  status: ReviewStatus | string;
  created_at: string;
  resolved_at?: string | null;
  resolution?: string | null;
}

export interface ReviewFilter extends PageParams {
  status?: ReviewStatus;
  min_score?: number;
  reason?: string;
}

export type BulkOutcome = 'resolved' | 'unchanged' | 'conflict' | 'not_found';

export interface BulkResolveResponse {
  items: { review_id: string; outcome: BulkOutcome | string; message?: string }[];
}

export interface ResolveReviewRequest {
  action: ReviewAction;
  note?: string;
}
