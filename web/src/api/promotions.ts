// The promotion console's API calls and react-query hooks (issue 5).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data } from './client';
import { useCursorList } from './hooks';
import { fetchAll } from './index';
import type {
  BasketSet,
  CalendarFilter,
  CartPriceRequest,
  CartReturnQuoteRequest,
  CreatePromotionRequest,
  CreateSimulationRequest,
  PageParams,
  Promotion,
  PromotionFilter,
  UpdatePromotionRequest,
} from './types';

/** PROMOTION_ACTIONS are the life-cycle transitions of a promotion. */
export type PromotionAction = 'activate' | 'pause' | 'end';

/**
 * typed reads a promotion with its definition typed: the server's schema leaves the
 * definition an open object, which the console types by hand (PromotionDefinition).
 */
const typed = async (p: Promise<Omit<Promotion, 'definition'> & { definition: object }>) => (await p) as Promotion;

export const promotionsApi = {
  pricingSettings: () => data(client.GET('/api/v1/pricing-settings')),
  list: async (f?: PromotionFilter) => {
    const page = await data(client.GET('/api/v1/promotions', { params: { query: f } }));
    return { ...page, items: page.items as Promotion[] };
  },
  get: (id: string) => typed(data(client.GET('/api/v1/promotions/{id}', { params: { path: { id } } }))),
  create: (body: CreatePromotionRequest) => typed(data(client.POST('/api/v1/promotions', { body }))),
  update: (id: string, body: UpdatePromotionRequest) =>
    typed(data(client.PATCH('/api/v1/promotions/{id}', { params: { path: { id } }, body }))),
  transition: (id: string, action: PromotionAction) => {
    const init = { params: { path: { id } } };
    switch (action) {
      case 'activate':
        return typed(data(client.POST('/api/v1/promotions/{id}/activate', init)));
      case 'pause':
        return typed(data(client.POST('/api/v1/promotions/{id}/pause', init)));
      case 'end':
        return typed(data(client.POST('/api/v1/promotions/{id}/end', init)));
    }
  },
  preview: (id: string, body: CartPriceRequest) =>
    data(client.POST('/api/v1/promotions/{id}/preview', { params: { path: { id } }, body })),
  calendar: (f: CalendarFilter) => data(client.GET('/api/v1/promotions/calendar', { params: { query: f } })),

  price: (body: CartPriceRequest) => data(client.POST('/api/v1/carts/price', { body })),
  returnQuote: (body: CartReturnQuoteRequest) => data(client.POST('/api/v1/carts/return-quote', { body })),

  basketSets: (p?: PageParams) => data(client.GET('/api/v1/basket-sets', { params: { query: p } })),
  /** uploadBasketSet posts the basket file as it is (text/csv), not as JSON. */
  uploadBasketSet: (name: string, csv: string) =>
    data(
      client.POST('/api/v1/basket-sets', {
        params: { query: { name } },
        body: csv,
        bodySerializer: (b: string) => b,
        headers: { 'Content-Type': 'text/csv' },
      }),
    ),
  simulate: (body: CreateSimulationRequest) => data(client.POST('/api/v1/promotion-simulations', { body })),
  simulation: (id: string) => data(client.GET('/api/v1/promotion-simulations/{id}', { params: { path: { id } } })),
};

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
