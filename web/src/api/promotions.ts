// The promotion console's API calls and react-query hooks (issue 5).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from './client';
import { useCursorList } from './hooks';
import { fetchAll } from './index';
import type {
  BasketSet,
  BasketSetImport,
  CalendarFilter,
  CalendarItem,
  CartPriceRequest,
  CartPriceResponse,
  CartReturnQuoteRequest,
  CartReturnQuoteResponse,
  CreatePromotionRequest,
  CreateSimulationRequest,
  Page,
  PageParams,
  ProblemDetail,
  Promotion,
  PromotionFilter,
  Simulation,
  UpdatePromotionRequest,
} from './types';

const id = (v: string) => encodeURIComponent(v);

/** PROMOTION_ACTIONS are the life-cycle transitions of a promotion. */
export type PromotionAction = 'activate' | 'pause' | 'end';

export const promotionsApi = {
  pricingSettings: () => request<{ time_zone?: string }>('GET', '/pricing-settings'),
  list: (f?: PromotionFilter) => request<Page<Promotion>>('GET', '/promotions', { query: f }),
  get: (promotionId: string) => request<Promotion>('GET', `/promotions/${id(promotionId)}`),
  create: (body: CreatePromotionRequest) => request<Promotion>('POST', '/promotions', { body }),
  update: (promotionId: string, body: UpdatePromotionRequest) =>
    request<Promotion>('PATCH', `/promotions/${id(promotionId)}`, { body }),
  transition: (promotionId: string, action: PromotionAction) =>
    request<Promotion>('POST', `/promotions/${id(promotionId)}/${action}`),
  preview: (promotionId: string, body: CartPriceRequest) =>
    request<CartPriceResponse>('POST', `/promotions/${id(promotionId)}/preview`, { body }),
  calendar: (f: CalendarFilter) => request<{ items: CalendarItem[] }>('GET', '/promotions/calendar', { query: f }),

  price: (body: CartPriceRequest) => request<CartPriceResponse>('POST', '/carts/price', { body }),
  returnQuote: (body: CartReturnQuoteRequest) =>
    request<CartReturnQuoteResponse>('POST', '/carts/return-quote', { body }),

  basketSets: (p?: PageParams) => request<Page<BasketSet>>('GET', '/basket-sets', { query: p }),
  uploadBasketSet: (name: string, csv: string) => postText<BasketSetImport>(`/basket-sets?name=${id(name)}`, csv),
  simulate: (body: CreateSimulationRequest) => request<Simulation>('POST', '/promotion-simulations', { body }),
  simulation: (simulationId: string) => request<Simulation>('GET', `/promotion-simulations/${id(simulationId)}`),
};

/** postText posts a text/csv body (the JSON client only sends JSON) and decodes the JSON answer. */
async function postText<T>(path: string, body: string): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', Accept: 'application/json, application/problem+json' },
    body,
    credentials: 'same-origin',
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const problem = parsed as ProblemDetail | undefined;
    throw new ApiError(res.status, problem?.detail || problem?.title || res.statusText || `HTTP ${res.status}`, problem);
  }
  return parsed as T;
}

/** DEFAULT_TIME_ZONE is the tenant's time zone when its pricing settings name none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/**
 * useTenantZone is the tenant's time zone (pricing settings, default Asia/Shanghai):
 * the zone promotion windows are typed and read in.
 */
export function useTenantZone(): string {
  const q = useQuery({ queryKey: ['pricing-settings'], queryFn: promotionsApi.pricingSettings, staleTime: 300_000, retry: false });
  return q.data?.time_zone || DEFAULT_TIME_ZONE;
}

/** usePromotions pages through the promotions matching filter. */
export function usePromotions(filter: Omit<PromotionFilter, 'limit' | 'cursor'>) {
  return useCursorList('promotions', filter, promotionsApi.list);
}

/** useAllPromotions loads every promotion (names for explanations, groups for the editor). */
export function useAllPromotions() {
  return useQuery({
    queryKey: ['promotions', 'all'],
    queryFn: () => fetchAll<Promotion>(promotionsApi.list, { max: 2000 }),
    staleTime: 30_000,
  });
}

/** usePromotion loads one promotion; disabled without an id. */
export function usePromotion(promotionId: string | undefined) {
  return useQuery({
    queryKey: ['promotions', 'one', promotionId],
    queryFn: () => promotionsApi.get(promotionId!),
    enabled: !!promotionId,
  });
}

/** usePromotionCalendar loads the expanded windows between from and to. */
export function usePromotionCalendar(filter: CalendarFilter) {
  return useQuery({ queryKey: ['promotions', 'calendar', filter], queryFn: () => promotionsApi.calendar(filter) });
}

/** useSavePromotion creates (no id) or updates a promotion and refreshes the promotion lists. */
export function useSavePromotion(promotionId: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreatePromotionRequest) =>
      promotionId
        ? promotionsApi.update(promotionId, { name: body.name, definition: body.definition, limits: body.limits })
        : promotionsApi.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['promotions'] }),
  });
}

/** usePromotionTransition activates, pauses or ends a promotion. */
export function usePromotionTransition() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ promotionId, action }: { promotionId: string; action: PromotionAction }) =>
      promotionsApi.transition(promotionId, action),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['promotions'] }),
  });
}

/** useBasketSets loads the uploaded basket sets. */
export function useBasketSets() {
  return useQuery({
    queryKey: ['basket-sets', 'all'],
    queryFn: () => fetchAll<BasketSet>(promotionsApi.basketSets, { max: 1000 }),
  });
}

/** useUploadBasketSet uploads a basket CSV as a new basket set. */
export function useUploadBasketSet() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, csv }: { name: string; csv: string }) => promotionsApi.uploadBasketSet(name, csv),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['basket-sets'] }),
  });
}

/** useSimulation loads a stored simulation report; disabled without an id. */
export function useSimulation(simulationId: string | undefined) {
  return useQuery({
    queryKey: ['promotion-simulations', simulationId],
    queryFn: () => promotionsApi.simulation(simulationId!),
    enabled: !!simulationId,
  });
}
