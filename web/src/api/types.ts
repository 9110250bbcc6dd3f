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
  created_at?: string;
}

/** Me is the caller: a console user, or an API key (no login, empty role). */
export interface Me extends Omit<User, 'role'> {
  role: Role | '';
  scopes: string[];
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

export interface Category {
  id: string;
  parent_id?: string | null;
  code: string;
  name: string;
  level: number;
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

export interface SkuDetail extends Sku {
  price_overrides: PriceOverride[];
}

export interface CatalogSummary {
  categories: number;
  products: number;
  skus: number;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
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
