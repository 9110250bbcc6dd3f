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
    onSuccess: (b) => queryClient.setQueryData(['stock', 'balance', b.location_id, b.sku_id], b),
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
