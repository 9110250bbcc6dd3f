// The order center's API (issue 12): the order list and detail, payment, the
// lifecycle, cancellation, returns and short picks as change sets, after-sales
// complaints. Types come straight from the OpenAPI document (schema.d.ts), so
// they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data } from './client';
import { useCursorList } from './hooks';
import type { components, operations } from './schema';

type S = components['schemas'];
export type OrderSummary = S['OrderSummary'];
export type OrderDetail = S['OrderDetail'];
export type OrderLine = S['OrderLine'];
export type OrderPayment = S['OrderPayment'];
export type OrderChange = S['OrderChange'];
export type OrderException = S['OrderException'];
export type OrderComplaint = S['OrderComplaint'];
export type OrderTimelineEntry = S['OrderTimelineEntry'];
export type OrderChangeRequest = S['OrderChangeRequest'];
export type OrderChangeResult = S['OrderChangeResult'];
export type OrderPaymentRequest = S['OrderPaymentRequest'];
export type ComplaintRequest = S['ComplaintRequest'];
export type ComplaintUpdateRequest = S['ComplaintUpdateRequest'];
export type OrderStatus = OrderDetail['status'];
export type OrderChannel = OrderDetail['channel'];
export type OrderFulfilment = OrderDetail['fulfilment'];
export type OrderAction = S['OrderTransitionRequest']['action'];
export type ComplaintKind = ComplaintRequest['kind'];
export type OrderFilter = NonNullable<operations['list-orders']['parameters']['query']>;
export type DailySalesRow = S['DailySalesRow'];
export type DailySalesQuery = operations['get-order-daily-sales']['parameters']['query'];
export type InboxEntry = S['InboxEntryResponse'];
export type PickList = S['PickListResponse'];
export type PickListLine = S['PickListLine'];
export type InboxFilter = NonNullable<operations['list-order-inbox']['parameters']['query']>;
export type PlatformApp = S['PlatformAppResponse'];
export type PlatformAppRequest = S['PlatformAppRequest'];
export type Platform = PlatformApp['platform'];

/** PLATFORMS lists the delivery platforms whose pushes the order center accepts. */
export const PLATFORMS: Platform[] = ['meituan', 'eleme'];

/**
 * RoutingDecision is OrderDetail.routing: where the order is fulfilled from and why
 * (internal/order/routing.Decision; the schema leaves it an open object).
 */
export interface RoutingDecision {
  fulfillable: boolean;
  fulfilment: string;
  code: string;
  summary: string;
  shipments?: RoutingShipment[] | null;
  cost?: number;
  from?: string;
  to?: string;
  search?: string;
  candidates?: RoutingNote[] | null;
  shortages?: RoutingShortage[] | null;
}

/** RoutingShipment is the part of an order one location fulfils, with its promised window. */
export interface RoutingShipment {
  location_id: string;
  location_name?: string;
  kind: string;
  distance_km: number;
  lines?: { line_id: string; sku_id: string; qty: number }[] | null;
  from?: string;
  to?: string;
  cost?: number;
}

/** RoutingNote explains one candidate location: a code and message, and every reason that applied. */
export interface RoutingNote {
  location_id: string;
  kind: string;
  distance_km: number;
  code: string;
  message: string;
  details?: { code: string; message: string }[] | null;
}

/** RoutingShortage is a SKU the order cannot get. */
export interface RoutingShortage {
  sku_id: string;
  ordered: number;
  available: number;
  code: string;
  message: string;
  transfer_from?: string[] | null;
}

/** routingOf reads an order's routing decision, or undefined when there is none (or it is unreadable). */
export function routingOf(o: Pick<OrderDetail, 'routing'>): RoutingDecision | undefined {
  const r = o.routing as Partial<RoutingDecision> | undefined;
  if (!r || typeof r !== 'object' || typeof r.code !== 'string') return undefined;
  return r as RoutingDecision;
}

/** ORDER_STATUSES lists the statuses in lifecycle order. */
export const ORDER_STATUSES: OrderStatus[] = [
  'created',
  'paid',
  'allocated',
  'picking',
  'ready',
  'out_for_delivery',
  'completed',
  'cancelled',
];

/** ORDER_CHANNELS lists every channel an order comes from. */
export const ORDER_CHANNELS: OrderChannel[] = ['pos', 'mini_program', 'app', 'web', 'meituan', 'eleme', 'marketplace'];

/** COMPLAINT_KINDS lists the kinds of after-sales case. */
export const COMPLAINT_KINDS: ComplaintKind[] = ['quality', 'missing_item', 'wrong_item', 'late', 'damaged', 'service', 'other'];

/** PAYMENT_METHODS are the methods the console offers when paying an order. */
export const PAYMENT_METHODS = ['wechat_pay', 'alipay', 'unionpay', 'card', 'cash'] as const;

/** CANCELLABLE lists the statuses an order may be cancelled from (before it leaves). */
export const CANCELLABLE: OrderStatus[] = ['created', 'paid', 'allocated', 'picking'];

/**
 * nextActions lists the transitions an order in its status may take: dispatch only
 * for delivery and shipping, complete from ready (collected) or out for delivery.
 */
export function nextActions(status: OrderStatus, fulfilment: OrderFulfilment): OrderAction[] {
  switch (status) {
    case 'paid':
      return ['allocate'];
    case 'allocated':
      return ['start_picking'];
    case 'picking':
      return ['ready'];
    case 'ready':
      return fulfilment === 'delivery' || fulfilment === 'ship' ? ['dispatch', 'complete'] : ['complete'];
    case 'out_for_delivery':
      return ['complete'];
    default:
      return [];
  }
}

export const ordersApi = {
  list: (f?: OrderFilter) => data(client.GET('/api/v1/orders', { params: { query: f } })),
  get: (id: string) => data(client.GET('/api/v1/orders/{id}', { params: { path: { id } } })),
  pay: (id: string, body: OrderPaymentRequest) =>
    data(client.POST('/api/v1/orders/{id}/pay', { params: { path: { id } }, body })),
  transition: (id: string, action: OrderAction) =>
    data(client.POST('/api/v1/orders/{id}/transitions', { params: { path: { id } }, body: { action } })),
  cancel: (id: string, reason: string) =>
    data(client.POST('/api/v1/orders/{id}/cancel', { params: { path: { id } }, body: { reason } })),
  previewChange: (id: string, body: OrderChangeRequest) =>
    data(client.POST('/api/v1/orders/{id}/changes/preview', { params: { path: { id } }, body })),
  confirmChange: (id: string, body: OrderChangeRequest) =>
    data(client.POST('/api/v1/orders/{id}/changes', { params: { path: { id } }, body })),
  openComplaint: (id: string, body: ComplaintRequest) =>
    data(client.POST('/api/v1/orders/{id}/complaints', { params: { path: { id } }, body })),
  updateComplaint: (id: string, body: ComplaintUpdateRequest) =>
    data(client.POST('/api/v1/order-complaints/{id}', { params: { path: { id } }, body })),
  dailySales: (q: DailySalesQuery) => data(client.GET('/api/v1/order-daily-sales', { params: { query: q } })),
  pickList: (locationId: string) =>
    data(client.GET('/api/v1/pick-lists', { params: { query: { location_id: locationId } } })),
  inbox: (f?: InboxFilter) => data(client.GET('/api/v1/order-inbox', { params: { query: f } })),
  channelApps: () => data(client.GET('/api/v1/order-channel-apps')),
  saveChannelApp: (platform: Platform, appId: string, body: PlatformAppRequest) =>
    data(
      client.PUT('/api/v1/order-channel-apps/{platform}/{app_id}', { params: { path: { platform, app_id: appId } }, body }),
    ),
};

/** useDailySales reads orders, payable and refunded per local day and channel over [from, to). */
export function useDailySales(q: DailySalesQuery) {
  return useQuery({
    queryKey: ['orders', 'daily-sales', q],
    queryFn: () => ordersApi.dailySales(q),
    placeholderData: (prev) => prev,
  });
}

/** useOrderInbox pages through the notifications the delivery platforms pushed, newest first. */
export function useOrderInbox(filter: Omit<InboxFilter, 'limit' | 'cursor'>) {
  return useCursorList('order-inbox', filter, ordersApi.inbox);
}

/** usePickList reads what a stock location has to pick now, once one is chosen. */
export function usePickList(locationId?: string) {
  return useQuery({
    queryKey: ['pick-list', locationId],
    queryFn: () => ordersApi.pickList(locationId!),
    enabled: !!locationId,
  });
}

/** useChannelApps lists the registered delivery platform apps. */
export function useChannelApps() {
  return useQuery({ queryKey: ['order-channel-apps'], queryFn: async () => (await ordersApi.channelApps()) ?? [] });
}

/** useSaveChannelApp registers (or replaces) a delivery platform app and refreshes the list. */
export function useSaveChannelApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ platform, appId, body }: { platform: Platform; appId: string; body: PlatformAppRequest }) =>
      ordersApi.saveChannelApp(platform, appId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['order-channel-apps'] }),
  });
}

/** useOrders pages through the orders matching filter, newest first. */
export function useOrders(filter: Omit<OrderFilter, 'limit' | 'cursor'>, opts: { enabled?: boolean; pageSize?: number } = {}) {
  return useCursorList('orders', filter, ordersApi.list, opts);
}

/** useOrder loads one order's detail. */
export function useOrder(orderId: string) {
  return useQuery({ queryKey: ['orders', 'one', orderId], queryFn: () => ordersApi.get(orderId) });
}

/**
 * useOrderMutation runs a change on an order; the answered detail replaces the
 * cached one and the lists are read again.
 */
function useOrderMutation<V>(orderId: string, fn: (v: V) => Promise<OrderDetail>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (o) => {
      queryClient.setQueryData(['orders', 'one', orderId], o);
      return queryClient.invalidateQueries({ queryKey: ['orders', 'list'] });
    },
  });
}

/** usePayOrder pays an order (the amount must be its payable). */
export function usePayOrder(orderId: string) {
  return useOrderMutation(orderId, (body: OrderPaymentRequest) => ordersApi.pay(orderId, body));
}

/** useTransitionOrder moves an order on (allocate, start picking, ready, dispatch, complete). */
export function useTransitionOrder(orderId: string) {
  return useOrderMutation(orderId, (action: OrderAction) => ordersApi.transition(orderId, action));
}

/** useCancelOrder cancels an order with a reason. */
export function useCancelOrder(orderId: string) {
  return useOrderMutation(orderId, (reason: string) => ordersApi.cancel(orderId, reason));
}

/** usePreviewChange previews a return or short pick; nothing is stored. */
export function usePreviewChange(orderId: string) {
  return useMutation({ mutationFn: (body: OrderChangeRequest) => ordersApi.previewChange(orderId, body) });
}

/** useConfirmChange confirms a return or short pick (the same reference again returns the first change). */
export function useConfirmChange(orderId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: OrderChangeRequest) => ordersApi.confirmChange(orderId, body),
    onSuccess: (r) => {
      queryClient.setQueryData(['orders', 'one', orderId], r.order);
      return queryClient.invalidateQueries({ queryKey: ['orders', 'list'] });
    },
  });
}

/** useOpenComplaint opens an after-sales case on an order. */
export function useOpenComplaint(orderId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ComplaintRequest) => ordersApi.openComplaint(orderId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['orders', 'one', orderId] }),
  });
}

/** useUpdateComplaint answers or resolves an after-sales case of an order. */
export function useUpdateComplaint(orderId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ complaintId, body }: { complaintId: string; body: ComplaintUpdateRequest }) =>
      ordersApi.updateComplaint(complaintId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['orders', 'one', orderId] }),
  });
}

/** newReference makes a fresh id for a change, so confirming twice does not return twice. */
export function newReference(prefix: string): string {
  const c = globalThis.crypto as Crypto | undefined;
  const rand =
    c && typeof c.randomUUID === 'function'
      ? c.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  return `${prefix}-${rand}`.slice(0, 64);
}
