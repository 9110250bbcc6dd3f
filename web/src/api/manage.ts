// Writes to the organisation and the catalog (issue 16): brands, regions,
// stores, categories, products, SKUs, price zones and price overrides. The
// request types come from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { request } from './client';
import { fetchAll } from './index';
import type { components } from './schema';
import type { Brand, Category, Page, PageParams, PriceOverride, Product, Region, Sku, Store } from './types';
import { useMe } from './hooks';

type S = components['schemas'];
export type BrandCreate = S['BrandCreateRequest'];
export type BrandUpdate = S['BrandUpdateRequest'];
export type RegionCreate = S['RegionCreateRequest'];
export type RegionUpdate = S['RegionUpdateRequest'];
export type StoreCreate = S['StoreCreateRequest'];
export type StoreUpdate = S['StoreUpdateRequest'];
export type CategoryCreate = S['CategoryCreateRequest'];
export type CategoryUpdate = S['CategoryUpdateRequest'];
export type ProductCreate = S['ProductCreateRequest'];
export type ProductUpdate = S['ProductUpdateRequest'];
export type SkuCreate = S['SKUCreateRequest'];
export type SkuUpdate = S['SKUUpdateRequest'];
export type PriceZone = S['PriceZoneResponse'];
export type PriceZoneCreate = S['PriceZoneCreateRequest'];
export type PriceZoneUpdate = S['PriceZoneUpdateRequest'];
export type PriceScopeType = 'store' | 'price_zone';

const id = (v: string) => encodeURIComponent(v);

export const manageApi = {
  createBrand: (body: BrandCreate) => request<Brand>('POST', '/brands', { body }),
  updateBrand: (brandId: string, body: BrandUpdate) => request<Brand>('PATCH', `/brands/${id(brandId)}`, { body }),
  createRegion: (body: RegionCreate) => request<Region>('POST', '/regions', { body }),
  updateRegion: (regionId: string, body: RegionUpdate) => request<Region>('PATCH', `/regions/${id(regionId)}`, { body }),
  /** deleteRegion removes a region without stores or users scoped to it (409 otherwise). */
  deleteRegion: (regionId: string) => request<void>('DELETE', `/regions/${id(regionId)}`),
  createStore: (body: StoreCreate) => request<Store>('POST', '/stores', { body }),
  updateStore: (storeId: string, body: StoreUpdate) => request<Store>('PATCH', `/stores/${id(storeId)}`, { body }),
  createCategory: (body: CategoryCreate) => request<Category>('POST', '/categories', { body }),
  updateCategory: (categoryId: string, body: CategoryUpdate) =>
    request<Category>('PATCH', `/categories/${id(categoryId)}`, { body }),
  /** deleteCategory removes a category without sub-categories or products (409 otherwise). */
  deleteCategory: (categoryId: string) => request<void>('DELETE', `/categories/${id(categoryId)}`),
  createProduct: (body: ProductCreate) => request<Product>('POST', '/products', { body }),
  updateProduct: (productId: string, body: ProductUpdate) => request<Product>('PATCH', `/products/${id(productId)}`, { body }),
  createSku: (body: SkuCreate) => request<Sku>('POST', '/skus', { body }),
  updateSku: (skuId: string, body: SkuUpdate) => request<Sku>('PATCH', `/skus/${id(skuId)}`, { body }),
  setPrice: (skuId: string, scope: PriceScopeType, scopeId: string, priceFen: number) =>
    request<PriceOverride>('PUT', `/skus/${id(skuId)}/prices/${scope}/${id(scopeId)}`, { body: { price_fen: priceFen } }),
  deletePrice: (skuId: string, scope: PriceScopeType, scopeId: string) =>
    request<void>('DELETE', `/skus/${id(skuId)}/prices/${scope}/${id(scopeId)}`),
  priceZones: (p?: PageParams) => request<Page<PriceZone>>('GET', '/price-zones', { query: p }),
  createPriceZone: (body: PriceZoneCreate) => request<PriceZone>('POST', '/price-zones', { body }),
  updatePriceZone: (zoneId: string, body: PriceZoneUpdate) => request<PriceZone>('PATCH', `/price-zones/${id(zoneId)}`, { body }),
  /** deletePriceZone removes a zone without stores or prices (409 otherwise). */
  deletePriceZone: (zoneId: string) => request<void>('DELETE', `/price-zones/${id(zoneId)}`),
  setPriceZoneStores: (zoneId: string, storeIds: string[]) =>
    request<PriceZone>('PUT', `/price-zones/${id(zoneId)}/stores`, { body: { store_ids: storeIds } }),
};

/** usePriceZones loads every price zone with its stores (a small reference list). */
export function usePriceZones() {
  return useQuery({ queryKey: ['price-zones', 'all'], queryFn: () => fetchAll<PriceZone>(manageApi.priceZones) });
}

/**
 * useSave wraps a write in a mutation that refreshes the lists it changes:
 * every query whose key starts with one of keys.
 */
export function useSave<TVars, TResult>(fn: (v: TVars) => Promise<TResult>, keys: QueryKey[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

/** OrgKeys and CatalogKeys are the query keys a write to the organisation or the catalog refreshes. */
export const ORG_KEYS: QueryKey[] = [['brands'], ['regions'], ['stores'], ['store-summary']];
export const CATALOG_KEYS: QueryKey[] = [['categories'], ['products'], ['skus'], ['price-zones'], ['catalog-summary']];

/**
 * useCanManage says which writes the signed-in user's role allows: the
 * organisation's structure (brands, regions, creating stores) needs org:write
 * and the whole tenant; editing a store needs org:write (a store manager edits
 * their own store); the catalog needs catalog:write.
 */
export function useCanManage() {
  const me = useMe();
  const scopes = me.data?.scopes ?? [];
  const orgWrite = scopes.includes('org:write');
  const tenant = me.data?.scope_type === 'tenant';
  return {
    structure: orgWrite && tenant,
    stores: orgWrite,
    /** storeStructure says whether the user may move a store or change its code (tenant, brand or region scope). */
    storeStructure: orgWrite && me.data?.scope_type !== 'store',
    catalog: scopes.includes('catalog:write'),
  };
}

/**
 * changed keeps the fields of next that differ from before (JSON-equal), for a
 * PATCH that carries only what the user changed.
 */
export function changed<T extends object>(before: Partial<T>, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(next) as (keyof T)[]) {
    if (next[k] === undefined) continue;
    if (JSON.stringify(next[k]) !== JSON.stringify(before[k])) out[k] = next[k];
  }
  return out;
}
