import { useQuery } from '@tanstack/react-query';
import { Card, Collapse, Descriptions, Empty, Space, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchAll } from '../../api';
import { useHasScope } from '../../api/customers';
import { inventoryApi, type StockLocation } from '../../api/inventory';
import {
  routingOf,
  type OrderDetail,
  type OrderLine,
  type RoutingDecision,
  type RoutingNote,
  type RoutingShipment,
} from '../../api/orders';
import { formatFen } from '../../lib/money';
import { formatInZone, formatQty, shortId } from './parts';

/** ROUTING_CODES are the codes of internal/order/routing/decision.go the console words. */
export const ROUTING_CODES = [
  'chosen',
  'split_member',
  'ranked_lower',
  'not_needed',
  'kind_not_allowed',
  'out_of_radius',
  'at_capacity',
  'lacks_stock',
  'no_stock',
  'not_pickup_store',
  'opens_later',
  'past_cut_off',
  'closed',
  'single',
  'split',
  'insufficient_stock',
  'too_many_shipments',
  'pickup_store_lacks',
  'pickup_store_full',
] as const;

const CODE_COLORS: Record<string, string> = {
  chosen: 'green',
  split_member: 'green',
  single: 'green',
  split: 'blue',
  ranked_lower: 'default',
  not_needed: 'default',
  kind_not_allowed: 'orange',
  out_of_radius: 'orange',
  at_capacity: 'orange',
  lacks_stock: 'gold',
  no_stock: 'gold',
  not_pickup_store: 'default',
  opens_later: 'purple',
  past_cut_off: 'purple',
  closed: 'purple',
  insufficient_stock: 'red',
  too_many_shipments: 'red',
  pickup_store_lacks: 'red',
  pickup_store_full: 'red',
};

/** RoutingCode shows a routing code as a tag in the console's language; an unknown code shows as it is. */
export function RoutingCode({ code }: { code: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={CODE_COLORS[code] ?? 'default'} data-testid="routing-code">
      {t(`orders.routing.codes.${code}`, { defaultValue: code })}
    </Tag>
  );
}

/** formatKm renders a distance with one decimal ("1.2 km"). */
export function formatKm(km: number | undefined): string {
  return typeof km === 'number' && Number.isFinite(km) ? `${km.toFixed(1)} km` : '—';
}

/**
 * formatWindow renders a promised window in the order's time zone: the end's
 * date is left out when it is the start's ("2026-12-07 10:05–11:05").
 */
export function formatWindow(from: string | undefined, to: string | undefined, timeZone: string): string {
  if (!from && !to) return '—';
  const a = formatInZone(from, timeZone).slice(0, 16);
  const b = formatInZone(to, timeZone).slice(0, 16);
  if (!from) return `— ${b}`;
  if (!to) return `${a} —`;
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}–${b.slice(11)}` : `${a} – ${b}`;
}

/** useLocationNames maps stock location ids to names (with inventory:read and when wanted; empty otherwise). */
function useLocationNames(wanted: boolean) {
  const canRead = useHasScope('inventory:read') && wanted;
  const locations = useQuery({
    queryKey: ['stock-locations', 'all'],
    queryFn: () => fetchAll<StockLocation>(inventoryApi.locations, { max: 5000 }),
    staleTime: 60_000,
    enabled: canRead,
  });
  return useMemo(() => new Map((locations.data ?? []).map((l) => [l.id, l.name])), [locations.data]);
}

/**
 * RoutingCard shows where the order is fulfilled from and why: the decision's
 * summary, each shipment with its promised window and lines, the shortages of an
 * unfulfillable order and, folded, a note on every location considered.
 */
export function RoutingCard({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const decision = routingOf(o);
  const stockNames = useLocationNames(!!decision && (decision.candidates ?? []).length > 0);
  if (!decision) return null;
  const names = new Map(stockNames);
  for (const s of decision.shipments ?? []) if (s.location_name) names.set(s.location_id, s.location_name);
  const lines = new Map(o.lines.map((l) => [l.id, l]));
  const shipments = decision.shipments ?? [];
  const candidates = decision.candidates ?? [];
  return (
    <Card
      size="small"
      title={
        <Space wrap>
          <span>{t('orders.routing.title')}</span>
          <RoutingCode code={decision.code} />
          {decision.fulfilment ? <Tag>{t(`orders.fulfilments.${decision.fulfilment}`, { defaultValue: decision.fulfilment })}</Tag> : null}
        </Space>
      }
      style={{ marginBottom: 16 }}
      data-testid="order-routing"
    >
      <Typography.Paragraph data-testid="routing-summary" style={{ marginBottom: 8 }}>
        {decision.summary}
      </Typography.Paragraph>
      {decision.fulfillable ? (
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 8 }}>
          <Descriptions.Item label={t('orders.routing.promise')}>
            <span data-testid="routing-promise">{formatWindow(decision.from, decision.to, o.time_zone)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('orders.routing.shipmentCount')}>{shipments.length}</Descriptions.Item>
          {typeof decision.cost === 'number' ? (
            <Descriptions.Item label={t('orders.routing.cost')}>{formatFen(decision.cost)}</Descriptions.Item>
          ) : null}
        </Descriptions>
      ) : null}
      {shipments.length > 0 ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {shipments.map((s, i) => (
            <ShipmentItem key={s.location_id} index={i} shipment={s} lines={lines} timeZone={o.time_zone} />
          ))}
        </Space>
      ) : null}
      <Shortages decision={decision} names={names} />
      {candidates.length > 0 ? (
        <Collapse
          size="small"
          style={{ marginTop: 12 }}
          data-testid="routing-candidates"
          items={[
            {
              key: 'candidates',
              label: t('orders.routing.candidates', { count: candidates.length }),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {candidates.map((c) => (
                    <CandidateItem key={c.location_id} note={c} names={names} />
                  ))}
                </Space>
              ),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}

function KindTag({ kind }: { kind: string }) {
  const { t } = useTranslation();
  return <Tag>{t(`inventory.kinds.${kind}`, { defaultValue: kind })}</Tag>;
}

function ShipmentItem({
  index,
  shipment: s,
  lines,
  timeZone,
}: {
  index: number;
  shipment: RoutingShipment;
  lines: Map<string, OrderLine>;
  timeZone: string;
}) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      type="inner"
      data-testid={`routing-shipment-${s.location_id}`}
      title={
        <Space wrap>
          <span>{t('orders.routing.shipment', { n: index + 1 })}</span>
          <Typography.Text strong>{s.location_name || shortId(s.location_id)}</Typography.Text>
          <KindTag kind={s.kind} />
          <Typography.Text type="secondary" data-testid="routing-distance">
            {formatKm(s.distance_km)}
          </Typography.Text>
        </Space>
      }
      extra={
        <Typography.Text data-testid="routing-window">
          {t('orders.routing.window', { window: formatWindow(s.from, s.to, timeZone) })}
        </Typography.Text>
      }
    >
      <ul style={{ margin: 0, paddingLeft: 20 }}>
        {(s.lines ?? []).map((a, i) => {
          const line = lines.get(a.line_id);
          return (
            <li key={`${a.line_id}-${i}`} data-testid="routing-line">
              {line ? `${line.name} × ${formatQty(a.qty, line.unit)}` : `${a.line_id} × ${a.qty}`}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function Shortages({ decision, names }: { decision: RoutingDecision; names: Map<string, string> }) {
  const { t } = useTranslation();
  const shortages = decision.shortages ?? [];
  if (decision.fulfillable || shortages.length === 0) {
    return decision.fulfillable || (decision.shipments ?? []).length > 0 ? null : (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('orders.routing.noShipment')} />
    );
  }
  return (
    <div data-testid="routing-shortages">
      <Typography.Text strong>{t('orders.routing.shortages')}</Typography.Text>
      <ul style={{ margin: '4px 0', paddingLeft: 20 }}>
        {shortages.map((s) => (
          <li key={s.sku_id}>
            <RoutingCode code={s.code} />
            {t('orders.routing.shortage', { sku: s.sku_id, ordered: s.ordered, available: s.available })}
            <div>
              <Typography.Text type="secondary">{s.message}</Typography.Text>
            </div>
            {s.transfer_from?.length ? (
              <div>
                {t('orders.routing.transferFrom', {
                  locations: s.transfer_from.map((id) => names.get(id) ?? shortId(id)).join(t('orders.routing.listSeparator')),
                })}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function CandidateItem({ note: c, names }: { note: RoutingNote; names: Map<string, string> }) {
  const details = (c.details ?? []).filter((d) => d.code !== c.code || d.message !== c.message);
  return (
    <div data-testid={`routing-candidate-${c.location_id}`}>
      <Space wrap size={4}>
        <Typography.Text strong>{names.get(c.location_id) ?? shortId(c.location_id)}</Typography.Text>
        <KindTag kind={c.kind} />
        <Typography.Text type="secondary">{formatKm(c.distance_km)}</Typography.Text>
        <RoutingCode code={c.code} />
        <span data-testid="routing-message">{c.message}</span>
      </Space>
      {details.length > 0 ? (
        <ul style={{ margin: '2px 0', paddingLeft: 20 }}>
          {details.map((d, i) => (
            <li key={i}>
              <RoutingCode code={d.code} />
              <Typography.Text type="secondary">{d.message}</Typography.Text>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
