import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { inventoryApi } from '../../api/inventory';
import { usePickList, type PickListLine, type OrderStatus } from '../../api/orders';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OrderStatusTag, formatQty } from './parts';

/** SkuTotal is one row of the shelf walk: a SKU and how much of it to fetch. */
export interface SkuTotal {
  sku_id: string;
  sku_code: string;
  name: string;
  unit: 'each' | 'weight';
  qty: number;
  orders: number;
}

/**
 * shelfWalk turns a pick list into what a picker fetches from the shelves: one row
 * per SKU with the quantity still to pick over every order (the server's totals) and
 * how many orders want it, largest first so the bulky picks come first.
 */
export function shelfWalk(lines: PickListLine[], totals: Record<string, number>): SkuTotal[] {
  const bySku = new Map<string, SkuTotal>();
  for (const l of lines) {
    if (l.to_pick <= 0) continue;
    const row = bySku.get(l.sku_id);
    if (row) {
      row.orders += 1;
      continue;
    }
    bySku.set(l.sku_id, {
      sku_id: l.sku_id,
      sku_code: l.sku_code,
      name: l.name,
      unit: l.unit === 'weight' ? 'weight' : 'each',
      qty: totals[l.sku_id] ?? l.to_pick,
      orders: 1,
    });
  }
  return [...bySku.values()].sort((a, b) => b.qty - a.qty || a.sku_code.localeCompare(b.sku_code));
}

/**
 * PickListPage is a store's picking list: choose a stock location (a store manager
 * sees only theirs) and get the shelf walk — each SKU and how much to fetch over all
 * orders allocated or being picked there — and the lines order by order, oldest
 * first, each linking to its order, where a line not found is recorded as a short
 * pick or replaced by a substitute. The page prints as a paper list.
 */
export default function PickListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const locationId = params.get('location') ?? undefined;
  const locations = useQuery({ queryKey: ['stock-locations', 'pick'], queryFn: () => inventoryApi.locations({ limit: 200 }) });
  const list = usePickList(locationId);
  const items = locations.data?.items;

  // A store manager usually sees one location: open its list straight away.
  useEffect(() => {
    if (!locationId && items?.length === 1) setParams({ location: items[0].id }, { replace: true });
  }, [locationId, items, setParams]);

  const walk = list.data ? shelfWalk(list.data.lines, list.data.totals) : [];
  const walkColumns: TableColumnsType<SkuTotal> = [
    { title: t('orders.pickList.sku'), key: 'sku', render: (_, r) => <Typography.Text code>{r.sku_code}</Typography.Text> },
    { title: t('orders.pickList.name'), dataIndex: 'name', key: 'name' },
    { title: t('orders.pickList.toPick'), key: 'qty', align: 'right', render: (_, r) => <strong>{formatQty(r.qty, r.unit)}</strong> },
    { title: t('orders.pickList.orders'), dataIndex: 'orders', key: 'orders', align: 'right' },
  ];
  const lineColumns: TableColumnsType<PickListLine> = [
    {
      title: t('orders.pickList.order'),
      key: 'order',
      render: (_, l) => (
        <Link to={`/orders/${encodeURIComponent(l.order_id)}`} data-testid="pick-order-link">
          {l.order_number}
        </Link>
      ),
    },
    { title: t('orders.status'), key: 'status', render: (_, l) => <OrderStatusTag status={l.status as OrderStatus} /> },
    { title: t('orders.pickList.sku'), key: 'sku', render: (_, l) => <Typography.Text code>{l.sku_code}</Typography.Text> },
    {
      title: t('orders.pickList.name'),
      key: 'name',
      render: (_, l) => (
        <Space size={4} wrap>
          {l.name}
          {l.substitute_for ? <Tag color="purple">{t('orders.substituteFor', { line: l.substitute_for })}</Tag> : null}
          {l.substituted_qty ? <Tag>{t('orders.substitutedTag', { qty: l.substituted_qty })}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('orders.pickList.toPick'),
      key: 'to_pick',
      align: 'right',
      render: (_, l) => formatQty(l.to_pick, l.unit === 'weight' ? 'weight' : 'each'),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} align="start">
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('orders.pickList.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('orders.pickList.subtitle')}</Typography.Text>
        </div>
        <Space>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/orders')}>
            {t('orders.title')}
          </Button>
          <Button icon={<PrinterOutlined />} disabled={!list.data} onClick={() => window.print()} data-testid="pick-print">
            {t('orders.pickList.print')}
          </Button>
        </Space>
      </Space>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Typography.Text>{t('orders.pickList.location')}</Typography.Text>
          <Select
            showSearch
            optionFilterProp="label"
            style={{ width: 320 }}
            loading={locations.isPending}
            value={locationId}
            placeholder={t('orders.pickList.chooseLocation')}
            onChange={(v: string) => setParams({ location: v })}
            options={(items ?? []).map((l) => ({ value: l.id, label: `${l.code} ${l.name}` }))}
            data-testid="pick-location"
          />
        </Space>
        {locations.error && <ErrorAlert error={locations.error} />}
      </Card>
      {list.error && <ErrorAlert error={list.error} />}
      {!locationId ? (
        <Empty description={t('orders.pickList.chooseLocation')} />
      ) : list.data && list.data.lines.length === 0 ? (
        <Empty description={t('orders.pickList.nothing')} data-testid="pick-empty" />
      ) : (
        <>
          <Card size="small" title={t('orders.pickList.walk')} style={{ marginBottom: 16 }}>
            <Table<SkuTotal>
              size="small"
              rowKey="sku_id"
              pagination={false}
              loading={list.isPending}
              columns={walkColumns}
              dataSource={walk}
              data-testid="pick-walk"
            />
          </Card>
          <Card size="small" title={t('orders.pickList.byOrder')}>
            <Table<PickListLine>
              size="small"
              rowKey={(l) => `${l.order_id}/${l.line_id}`}
              pagination={false}
              loading={list.isPending}
              columns={lineColumns}
              dataSource={list.data?.lines ?? []}
              data-testid="pick-lines"
            />
          </Card>
        </>
      )}
    </>
  );
}
