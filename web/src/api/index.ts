// Package api is the console's single access point to the OneRetail HTTP API. Every call
// goes through the typed client: paths, parameters, bodies and answers are checked
// against the server's OpenAPI document (schema.d.ts).
import { client, data, done } from './client';
import type {
  AuditFilter,
  ChangePasswordRequest,
  CreateApiKeyRequest,
  CreateUserRequest,
  CreateTouchpointRequest,
  DomainEventFilter,
  LoginRequest,
  Page,
  PageParams,
  ProductFilter,
  SetupRequest,
  SkuFilter,
  StoreFilter,
  TouchpointFilter,
  UpdateTouchpointRequest,
  UpdateUserRequest,
} from './types';

export * from './types';
export { ApiError, isPasswordChangeRequired, isUnauthorized } from './client';

export const api = {
  login: (body: LoginRequest) => data(client.POST('/api/v1/auth/login', { body })),
  logout: () => done(client.POST('/api/v1/auth/logout')),
  setupStatus: () => data(client.GET('/api/v1/setup')),
  setup: (body: SetupRequest) => data(client.POST('/api/v1/setup', { body })),
  me: () => data(client.GET('/api/v1/me')),
  changePassword: (body: ChangePasswordRequest) => done(client.POST('/api/v1/me/password', { body })),

  brands: (p?: PageParams) => data(client.GET('/api/v1/brands', { params: { query: p } })),
  regions: (p?: PageParams) => data(client.GET('/api/v1/regions', { params: { query: p } })),
  stores: (f?: StoreFilter) => data(client.GET('/api/v1/stores', { params: { query: f } })),
  store: (id: string) => data(client.GET('/api/v1/stores/{id}', { params: { path: { id } } })),
  storeSummary: () => data(client.GET('/api/v1/store-summary')),
  /** storeMap counts the located stores matching the list's filters by format and map cell. */
  storeMap: (f: Omit<StoreFilter, 'limit' | 'cursor' | 'page'>) => data(client.GET('/api/v1/store-map', { params: { query: f } })),
  storeNames: (ids: string[]) => data(client.GET('/api/v1/store-names', { params: { query: { ids } } })),
  /** storeCounts counts the stores matching the list's filters (the same endpoint with a filter). */
  storeCounts: (f: Omit<StoreFilter, 'limit' | 'cursor'>) =>
    data(client.GET('/api/v1/store-summary', { params: { query: f } })),

  categories: (p?: PageParams) => data(client.GET('/api/v1/categories', { params: { query: p } })),
  products: (f?: ProductFilter) => data(client.GET('/api/v1/products', { params: { query: f } })),
  product: (id: string) => data(client.GET('/api/v1/products/{id}', { params: { path: { id } } })),
  skus: (f?: SkuFilter) => data(client.GET('/api/v1/skus', { params: { query: f } })),
  sku: (id: string) => data(client.GET('/api/v1/skus/{id}', { params: { path: { id } } })),
  skuPrices: (id: string, p?: PageParams) =>
    data(client.GET('/api/v1/skus/{id}/prices', { params: { path: { id }, query: p } })),
  catalogSummary: () => data(client.GET('/api/v1/catalog-summary')),

  users: (p?: PageParams) => data(client.GET('/api/v1/users', { params: { query: p } })),
  createUser: (body: CreateUserRequest) => data(client.POST('/api/v1/users', { body })),
  updateUser: (id: string, body: UpdateUserRequest) =>
    data(client.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body })),
  apiKeys: (p?: PageParams) => data(client.GET('/api/v1/api-keys', { params: { query: p } })),
  createApiKey: (body: CreateApiKeyRequest) => data(client.POST('/api/v1/api-keys', { body })),
  revokeApiKey: (id: string) => done(client.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
  auditEvents: (f?: AuditFilter) => data(client.GET('/api/v1/audit-events', { params: { query: f } })),
  domainEvents: (f?: DomainEventFilter) => data(client.GET('/api/v1/domain-events', { params: { query: f } })),
  domainEventLag: () => data(client.GET('/api/v1/domain-events/lag')),
  retryDomainEvent: (id: string) =>
    done(client.POST('/api/v1/domain-events/{id}/retry', { params: { path: { id } } })),

  touchpoints: (f?: TouchpointFilter) => data(client.GET('/api/v1/touchpoints', { params: { query: f } })),
  touchpoint: (id: string) => data(client.GET('/api/v1/touchpoints/{id}', { params: { path: { id } } })),
  createTouchpoint: (body: CreateTouchpointRequest) => data(client.POST('/api/v1/touchpoints', { body })),
  updateTouchpoint: (id: string, body: UpdateTouchpointRequest) =>
    data(client.PATCH('/api/v1/touchpoints/{id}', { params: { path: { id } }, body })),
  touchpointCounts: (f?: Omit<TouchpointFilter, 'limit' | 'cursor'>) =>
    data(client.GET('/api/v1/touchpoint-counts', { params: { query: f } })),
  touchpointMaturity: (days?: number) =>
    data(client.GET('/api/v1/touchpoints/maturity', { params: { query: { days } } })),
  issueTouchpointKey: (id: string, body: { name?: string } = {}) =>
    data(client.POST('/api/v1/touchpoints/{id}/api-keys', { params: { path: { id } }, body })),
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
