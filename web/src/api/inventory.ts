// The inventory API (issue 12): stock locations, balances, stock changes. Types come
// straight from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { components } from './schema';
import type { Page, PageParams } from './types';

type S = components['schemas'];
export type StockLocation = S['StockLocation'];
export type StockBalance = S['StockBalance'];
export type StockChangeRequest = S['StockChangeRequest'];
export type StockLocationCreateRequest = S['StockLocationCreateRequest'];
export type StockChangeKind = StockChangeRequest['kind'];
export type LocationFulfilment = S['LocationFulfilmentResponse'];
export type LocationFulfilmentSettings = S['LocationFulfilmentSettings'];
export type StockBatch = S['StockBatch'];
export type StockBatches = S['StockBatches'];
export type StockAllocation = S['StockAllocation'];
export type StockQuotaSetting = S['StockQuotaSetting'];
export type StockBalanceRow = S['StockBalanceRow'];
export type StockMovement = S['StockMovement'];
/** BalanceStatus filters a location's balance list (docs/inventory.md, "Balance list"). */
export type BalanceStatus = 'all' | 'negative' | 'low' | 'out_of_stock';
export const BALANCE_STATUSES: BalanceStatus[] = ['all', 'negative', 'low', 'out_of_stock'];
/** BalanceFilter is the balance list's query: the location, a SKU search and a status. */
export interface BalanceFilter {
  locationId: string;
  q?: string;
  status?: BalanceStatus;
}

/** STOCK_CHANGE_KINDS are the changes a person records at a location. */
export const STOCK_CHANGE_KINDS: StockChangeKind[] = ['receipt', 'count', 'adjustment', 'write_off', 'return', 'sale'];

const id = (v: string) => encodeURIComponent(v);

export const inventoryApi = {
  locations: (p?: PageParams) => request<Page<StockLocation>>('GET', '/stock-locations', { query: p }),
  createLocation: (body: StockLocationCreateRequest) => request<StockLocation>('POST', '/stock-locations', { body }),
  balance: (locationId: string, skuId: string) =>
    request<StockBalance>('GET', `/stock-locations/${id(locationId)}/balances/${id(skuId)}`),
  recordChange: (locationId: string, body: StockChangeRequest) =>
    request<StockBalance>('POST', `/stock-locations/${id(locationId)}/changes`, { body }),
  fulfilment: (locationId: string) => request<LocationFulfilment>('GET', `/stock-locations/${id(locationId)}/fulfilment`),
  setFulfilment: (locationId: string, body: LocationFulfilmentSettings) =>
    request<LocationFulfilment>('PUT', `/stock-locations/${id(locationId)}/fulfilment`, { body }),
  batches: (locationId: string, skuId: string) =>
    request<StockBatches>('GET', `/stock-locations/${id(locationId)}/balances/${id(skuId)}/batches`),
  expiring: (locationId: string, withinDays: number) =>
    request<S['StockBatchList']>('GET', `/stock-locations/${id(locationId)}/expiring-batches`, { query: { within_days: withinDays } }),
  quotas: (locationId: string, skuId: string) =>
    request<StockAllocation>('GET', `/stock-locations/${id(locationId)}/balances/${id(skuId)}/quotas`),
  balances: ({ locationId, q, status, ...p }: BalanceFilter & PageParams) =>
    request<Page<StockBalanceRow>>('GET', `/stock-locations/${id(locationId)}/balances`, {
      query: { ...p, q: q || undefined, status: status && status !== 'all' ? status : undefined },
    }),
  movements: ({ locationId, skuId, ...p }: { locationId: string; skuId: string } & PageParams) =>
    request<Page<StockMovement>>('GET', `/stock-locations/${id(locationId)}/balances/${id(skuId)}/movements`, { query: p }),
  setQuotas: (locationId: string, skuId: string, quotas: StockQuotaSetting[]) =>
    request<StockAllocation>('PUT', `/stock-locations/${id(locationId)}/balances/${id(skuId)}/quotas`, { body: { quotas } }),
};

/** useLocationFulfilment reads a location's routing settings and its load now. */
export function useLocationFulfilment(locationId: string) {
  return useQuery({
    queryKey: ['stock', 'fulfilment', locationId],
    queryFn: () => inventoryApi.fulfilment(locationId),
  });
}

/** useSetLocationFulfilment replaces a location's routing settings. */
export function useSetLocationFulfilment(locationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LocationFulfilmentSettings) => inventoryApi.setFulfilment(locationId, body),
    onSuccess: (f) => queryClient.setQueryData(['stock', 'fulfilment', locationId], f),
  });
}

/** useStockBatches reads a balance's batches (lots), first to expire first. */
export function useStockBatches(locationId?: string, skuId?: string) {
  return useQuery({
    queryKey: ['stock', 'batches', locationId, skuId],
    queryFn: () => inventoryApi.batches(locationId!, skuId!),
    enabled: !!locationId && !!skuId,
  });
}

/** useExpiringBatches reads a location's near-expiry (临期) list. */
export function useExpiringBatches(locationId: string, withinDays: number) {
  return useQuery({
    queryKey: ['stock', 'expiring', locationId, withinDays],
    queryFn: () => inventoryApi.expiring(locationId, withinDays),
  });
}

/** useStockQuotas reads a balance's channel quotas and shared pool. */
export function useStockQuotas(locationId?: string, skuId?: string) {
  return useQuery({
    queryKey: ['stock', 'quotas', locationId, skuId],
    queryFn: () => inventoryApi.quotas(locationId!, skuId!),
    enabled: !!locationId && !!skuId,
  });
}

/** useSetStockQuotas replaces a balance's channel quotas. */
export function useSetStockQuotas(locationId: string, skuId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (quotas: StockQuotaSetting[]) => inventoryApi.setQuotas(locationId, skuId, quotas),
    onSuccess: (a) => {
      queryClient.setQueryData(['stock', 'quotas', locationId, skuId], a);
      queryClient.setQueryData(['stock', 'balance', locationId, skuId], a.balance);
    },
  });
}

/** useStockBalance reads the stock of a SKU at a location once both are chosen. */
export function useStockBalance(locationId?: string, skuId?: string) {
  return useQuery({
    queryKey: ['stock', 'balance', locationId, skuId],
    queryFn: () => inventoryApi.balance(locationId!, skuId!),
    enabled: !!locationId && !!skuId,
  });
}

/** useRecordStockChange records a change and refreshes that balance. */
export function useRecordStockChange(locationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StockChangeRequest) => inventoryApi.recordChange(locationId, body),
    onSuccess: (b) => {
      queryClient.setQueryData(['stock', 'balance', b.location_id, b.sku_id], b);
      void queryClient.invalidateQueries({ queryKey: ['stock', 'batches', b.location_id, b.sku_id] });
      void queryClient.invalidateQueries({ queryKey: ['stock', 'expiring', b.location_id] });
      // The location's list and the balance's ledger now hold the change.
      void queryClient.invalidateQueries({ queryKey: ['stock-balances'] });
      void queryClient.invalidateQueries({ queryKey: ['stock-movements'] });
    },
  });
}

/** useCreateStockLocation adds a location and refreshes the list. */
export function useCreateStockLocation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StockLocationCreateRequest) => inventoryApi.createLocation(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['stock-locations'] }),
  });
}
