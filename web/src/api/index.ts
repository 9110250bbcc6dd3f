// Package api is the console's single access point to the OneRetail HTTP API.
import { request } from './client';
import type {
  ApiKey,
  AuditEvent,
  AuditFilter,
  Brand,
  CatalogSummary,
  Category,
  ChangePasswordRequest,
  CreateApiKeyRequest,
  CreateUserRequest,
  CreateTouchpointRequest,
  CreatedApiKey,
  DomainEvent,
  DomainEventFilter,
  DomainEventLag,
  LoginRequest,
  LoginResponse,
  Maturity,
  Me,
  Page,
  PageParams,
  ProductDetail,
  Product,
  ProductFilter,
  Region,
  SetupRequest,
  SetupResult,
  SetupStatus,
  Sku,
  SkuDetail,
  PriceOverride,
  SkuFilter,
  Store,
  StoreFilter,
  StoreSummary,
  TouchpointCounts,
  Touchpoint,
  TouchpointFilter,
  UpdateTouchpointRequest,
  UpdateUserRequest,
  User,
  TouchpointKey,
} from './types';

export * from './types';
export { ApiError, isPasswordChangeRequired, isUnauthorized } from './client';

const id = (v: string) => encodeURIComponent(v);

export const api = {
  login: (body: LoginRequest) => request<LoginResponse>('POST', '/auth/login', { body }),
  logout: () => request<void>('POST', '/auth/logout'),
  setupStatus: () => request<SetupStatus>('GET', '/setup'),
  setup: (body: SetupRequest) => request<SetupResult>('POST', '/setup', { body }),
  me: () => request<Me>('GET', '/me'),
  changePassword: (body: ChangePasswordRequest) => request<void>('POST', '/me/password', { body }),

  brands: (p?: PageParams) => request<Page<Brand>>('GET', '/brands', { query: p }),
  regions: (p?: PageParams) => request<Page<Region>>('GET', '/regions', { query: p }),
  stores: (f?: StoreFilter) => request<Page<Store>>('GET', '/stores', { query: f }),
  store: (storeId: string) => request<Store>('GET', `/stores/${id(storeId)}`),
  storeSummary: () => request<StoreSummary>('GET', '/store-summary'),
  /** storeCounts counts the stores matching the list's filters (the same endpoint with a filter). */
  storeCounts: (f: Omit<StoreFilter, 'limit' | 'cursor'>) => request<StoreSummary>('GET', '/store-summary', { query: f }),

  categories: (p?: PageParams) => request<Page<Category>>('GET', '/categories', { query: p }),
  products: (f?: ProductFilter) => request<Page<Product>>('GET', '/products', { query: f }),
  product: (productId: string) => request<ProductDetail>('GET', `/products/${id(productId)}`),
  skus: (f?: SkuFilter) => request<Page<Sku>>('GET', '/skus', { query: f }),
  sku: (skuId: string) => request<SkuDetail>('GET', `/skus/${id(skuId)}`),
  skuPrices: (skuId: string, p?: PageParams) => request<Page<PriceOverride>>('GET', `/skus/${id(skuId)}/prices`, { query: p }),
  catalogSummary: () => request<CatalogSummary>('GET', '/catalog-summary'),

  users: (p?: PageParams) => request<Page<User>>('GET', '/users', { query: p }),
  createUser: (body: CreateUserRequest) => request<User>('POST', '/users', { body }),
  updateUser: (userId: string, body: UpdateUserRequest) => request<User>('PATCH', `/users/${id(userId)}`, { body }),
  apiKeys: (p?: PageParams) => request<Page<ApiKey>>('GET', '/api-keys', { query: p }),
  createApiKey: (body: CreateApiKeyRequest) => request<CreatedApiKey>('POST', '/api-keys', { body }),
  revokeApiKey: (keyId: string) => request<void>('DELETE', `/api-keys/${id(keyId)}`),
  auditEvents: (f?: AuditFilter) => request<Page<AuditEvent>>('GET', '/audit-events', { query: f }),
  domainEvents: (f?: DomainEventFilter) => request<Page<DomainEvent>>('GET', '/domain-events', { query: f }),
  domainEventLag: () => request<DomainEventLag>('GET', '/domain-events/lag'),
  retryDomainEvent: (eventId: string) => request<void>('POST', `/domain-events/${id(eventId)}/retry`),

  touchpoints: (f?: TouchpointFilter) => request<Page<Touchpoint>>('GET', '/touchpoints', { query: f }),
  touchpoint: (touchpointId: string) => request<Touchpoint>('GET', `/touchpoints/${id(touchpointId)}`),
  createTouchpoint: (body: CreateTouchpointRequest) => request<Touchpoint>('POST', '/touchpoints', { body }),
  updateTouchpoint: (touchpointId: string, body: UpdateTouchpointRequest) =>
    request<Touchpoint>('PATCH', `/touchpoints/${id(touchpointId)}`, { body }),
  touchpointCounts: (f?: Omit<TouchpointFilter, 'limit' | 'cursor'>) =>
    request<TouchpointCounts>('GET', '/touchpoint-counts', { query: f }),
  touchpointMaturity: (days?: number) => request<Maturity>('GET', '/touchpoints/maturity', { query: { days } }),
  issueTouchpointKey: (touchpointId: string, body: { name?: string } = {}) =>
    request<TouchpointKey>('POST', `/touchpoints/${id(touchpointId)}/api-keys`, { body }),
};

/**
 * fetchAll follows next_cursor until the end or until max items were read,
 * for small reference lists (brands, regions, categories, chart data).
 */
export async function fetchAll<T>(
  fetchPage: (p: PageParams) => Promise<Page<T>>,
  opts: { pageSize?: number; max?: number } = {},
): Promise<T[]> {
  const pageSize = opts.pageSize ?? 100;
  const max = opts.max ?? 5000;
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage({ limit: pageSize, cursor });
    items.push(...(page.items ?? []));
    cursor = page.next_cursor || undefined;
  } while (cursor && items.length < max);
  return items;
}
