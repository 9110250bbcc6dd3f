// The inventory API (issue 12): stock locations, balances, stock changes. Types come
// straight from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data } from './client';
import type { components } from './schema';
import type { PageParams } from './types';

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

const location = (id: string) => ({ params: { path: { id } } });
const balance = (id: string, sku_id: string) => ({ params: { path: { id, sku_id } } });

export const inventoryApi = {
  locations: (p?: PageParams) => data(client.GET('/api/v1/stock-locations', { params: { query: p } })),
  createLocation: (body: StockLocationCreateRequest) => data(client.POST('/api/v1/stock-locations', { body })),
  balance: (locationId: string, skuId: string) =>
    data(client.GET('/api/v1/stock-locations/{id}/balances/{sku_id}', balance(locationId, skuId))),
  recordChange: (locationId: string, body: StockChangeRequest) =>
    data(client.POST('/api/v1/stock-locations/{id}/changes', { ...location(locationId), body })),
  fulfilment: (locationId: string) => data(client.GET('/api/v1/stock-locations/{id}/fulfilment', location(locationId))),
  setFulfilment: (locationId: string, body: LocationFulfilmentSettings) =>
    data(client.PUT('/api/v1/stock-locations/{id}/fulfilment', { ...location(locationId), body })),
  batches: (locationId: string, skuId: string) =>
    data(client.GET('/api/v1/stock-locations/{id}/balances/{sku_id}/batches', balance(locationId, skuId))),
  expiring: (id: string, withinDays: number) =>
    data(
      client.GET('/api/v1/stock-locations/{id}/expiring-batches', {
        params: { path: { id }, query: { within_days: withinDays } },
      }),
    ),
  quotas: (locationId: string, skuId: string) =>
    data(client.GET('/api/v1/stock-locations/{id}/balances/{sku_id}/quotas', balance(locationId, skuId))),
  balances: ({ locationId, q, status, ...p }: BalanceFilter & PageParams) =>
    data(
      client.GET('/api/v1/stock-locations/{id}/balances', {
        params: {
          path: { id: locationId },
          query: { ...p, q: q || undefined, status: status && status !== 'all' ? status : undefined },
        },
      }),
    ),
  movements: ({ locationId, skuId, ...p }: { locationId: string; skuId: string } & PageParams) =>
    data(
      client.GET('/api/v1/stock-locations/{id}/balances/{sku_id}/movements', {
        params: { path: { id: locationId, sku_id: skuId }, query: p },
      }),
    ),
  setQuotas: (locationId: string, skuId: string, quotas: StockQuotaSetting[]) =>
    data(client.PUT('/api/v1/stock-locations/{id}/balances/{sku_id}/quotas', { ...balance(locationId, skuId), body: { quotas } })),
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
