// Small pieces the order pages share: status tags, localized labels, local times
// in the order's time zone, and name lookups for stores and promotions.
import { useQuery } from '@tanstack/react-query';
import { Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fetchAll } from '../../api';
import { useHasScope } from '../../api/customers';
import type { OrderChannel, OrderFulfilment, OrderStatus } from '../../api/orders';
import { promotionsApi } from '../../api/promotions';
import type { Promotion } from '../../api/types';

const STATUS_COLORS: Record<OrderStatus, string> = {
  created: 'default',
  paid: 'blue',
  allocated: 'cyan',
  picking: 'geekblue',
  ready: 'purple',
  out_for_delivery: 'orange',
  completed: 'green',
  cancelled: 'red',
};

/** OrderStatusTag shows an order's status in the console's language. */
export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status] ?? 'default'} data-testid="order-status">
      {t(`orders.statuses.${status}`, { defaultValue: status })}
    </Tag>
  );
}

/** ChannelLabel names an order's channel. */
export function ChannelLabel({ channel }: { channel: OrderChannel }) {
  const { t } = useTranslation();
  return <>{t(`orders.channels.${channel}`, { defaultValue: channel })}</>;
}

/** FulfilmentLabel names how an order is fulfilled. */
export function FulfilmentLabel({ fulfilment }: { fulfilment: OrderFulfilment }) {
  const { t } = useTranslation();
  return <>{t(`orders.fulfilments.${fulfilment}`, { defaultValue: fulfilment })}</>;
}

/**
 * formatInZone renders an RFC 3339 instant as local time in an IANA time zone
 * ("2026-12-07 14:05:09"), or "—"; an unknown zone falls back to the browser's.
 */
export function formatInZone(value: string | null | undefined, timeZone: string | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const opts: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  };
  try {
    return new Intl.DateTimeFormat('sv-SE', { ...opts, timeZone: timeZone || undefined }).format(d);
  } catch {
    return new Intl.DateTimeFormat('sv-SE', opts).format(d);
  }
}

/** formatQty renders a line's quantity: units, or grams for weighed goods. */
export function formatQty(qty: number, unit: 'each' | 'weight'): string {
  return unit === 'weight' ? `${qty} g` : String(qty);
}

/** shortId is the first characters of an id, shown only when no name can be read. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** usePromotionNames maps promotion ids to names (with promotions:read; empty otherwise). */
export function usePromotionNames() {
  const canRead = useHasScope('promotions:read');
  const promotions = useQuery({
    queryKey: ['promotions', 'all'],
    queryFn: () => fetchAll<Promotion>(promotionsApi.list, { max: 2000 }),
    staleTime: 30_000,
    enabled: canRead,
  });
  return useMemo(() => new Map((promotions.data ?? []).map((p) => [p.id, p.name])), [promotions.data]);
}

/** StoreName links a store by name; without a readable name it shows a short id. */
export function StoreName({ id, names }: { id?: string; names: Map<string, string> }) {
  if (!id) return <>—</>;
  const name = names.get(id);
  return (
    <Link to={`/org/stores/${encodeURIComponent(id)}`} title={name ? undefined : id}>
      {name ?? <Typography.Text type="secondary">{shortId(id)}</Typography.Text>}
    </Link>
  );
}

/** PromotionName names a promotion, linking to it; without a readable name it shows a short id. */
export function PromotionName({ id, names }: { id: string; names: Map<string, string> }) {
  const { t } = useTranslation();
  const name = names.get(id);
  return (
    <Link to={`/promotions/${encodeURIComponent(id)}`} title={name ? undefined : id}>
      {name ?? t('orders.promotionFallback', { id: shortId(id) })}
    </Link>
  );
}
