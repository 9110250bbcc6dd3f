// Writes to the organisation and the catalog (issue 16): brands, regions,
// stores, categories, products, SKUs, price zones and price overrides. The
// request types come from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { client, data, done } from './client';
import { fetchAll } from './index';
import type { components } from './schema';
import type { PageParams } from './types';
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

const path = (id: string) => ({ params: { path: { id } } });
const price = (id: string, scope_type: PriceScopeType, scope_id: string) => ({ params: { path: { id, scope_type, scope_id } } });

export const manageApi = {
  createBrand: (body: BrandCreate) => data(client.POST('/api/v1/brands', { body })),
  updateBrand: (id: string, body: BrandUpdate) => data(client.PATCH('/api/v1/brands/{id}', { ...path(id), body })),
  createRegion: (body: RegionCreate) => data(client.POST('/api/v1/regions', { body })),
  updateRegion: (id: string, body: RegionUpdate) => data(client.PATCH('/api/v1/regions/{id}', { ...path(id), body })),
  /** deleteRegion removes a region without stores or users scoped to it (409 otherwise). */
  deleteRegion: (id: string) => done(client.DELETE('/api/v1/regions/{id}', path(id))),
  createStore: (body: StoreCreate) => data(client.POST('/api/v1/stores', { body })),
  updateStore: (id: string, body: StoreUpdate) => data(client.PATCH('/api/v1/stores/{id}', { ...path(id), body })),
  createCategory: (body: CategoryCreate) => data(client.POST('/api/v1/categories', { body })),
  updateCategory: (id: string, body: CategoryUpdate) => data(client.PATCH('/api/v1/categories/{id}', { ...path(id), body })),
  /** deleteCategory removes a category without sub-categories or products (409 otherwise). */
  deleteCategory: (id: string) => done(client.DELETE('/api/v1/categories/{id}', path(id))),
  createProduct: (body: ProductCreate) => data(client.POST('/api/v1/products', { body })),
  updateProduct: (id: string, body: ProductUpdate) => data(client.PATCH('/api/v1/products/{id}', { ...path(id), body })),
  createSku: (body: SkuCreate) => data(client.POST('/api/v1/skus', { body })),
  updateSku: (id: string, body: SkuUpdate) => data(client.PATCH('/api/v1/skus/{id}', { ...path(id), body })),
  setPrice: (skuId: string, scope: PriceScopeType, scopeId: string, priceFen: number) =>
    data(
      client.PUT('/api/v1/skus/{id}/prices/{scope_type}/{scope_id}', { ...price(skuId, scope, scopeId), body: { price_fen: priceFen } }),
    ),
  deletePrice: (skuId: string, scope: PriceScopeType, scopeId: string) =>
    done(client.DELETE('/api/v1/skus/{id}/prices/{scope_type}/{scope_id}', price(skuId, scope, scopeId))),
  priceZones: (p?: PageParams) => data(client.GET('/api/v1/price-zones', { params: { query: p } })),
  createPriceZone: (body: PriceZoneCreate) => data(client.POST('/api/v1/price-zones', { body })),
  updatePriceZone: (id: string, body: PriceZoneUpdate) => data(client.PATCH('/api/v1/price-zones/{id}', { ...path(id), body })),
  /** deletePriceZone removes a zone without stores or prices (409 otherwise). */
  deletePriceZone: (id: string) => done(client.DELETE('/api/v1/price-zones/{id}', path(id))),
  setPriceZoneStores: (id: string, storeIds: string[]) =>
    data(client.PUT('/api/v1/price-zones/{id}/stores', { ...path(id), body: { store_ids: storeIds } })),
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
