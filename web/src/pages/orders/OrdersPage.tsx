import { InboxOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Form, Select, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useHasScope } from '../../api/customers';
import { ORDER_CHANNELS, ORDER_STATUSES, useOrders, type OrderFilter, type OrderSummary } from '../../api/orders';
import { useStoreNamesOf } from '../../api/hooks';
import { CursorTable } from '../../components/CursorTable';
import { StorePicker } from '../../components/StorePicker';
import { formatFen } from '../../lib/money';
import { ChannelLabel, FulfilmentLabel, formatInZone, OrderStatusTag, StoreName } from './parts';
import { SalesCard } from './SalesCard';

type ListFilter = Omit<OrderFilter, 'limit' | 'cursor'>;

interface FilterForm {
  store_id?: string;
  status?: ListFilter['status'];
  channel?: ListFilter['channel'];
  range?: [Dayjs | null, Dayjs | null] | null;
}

/** toFilter turns the filter form into the list's query: whole local days, to exclusive. */
export function toFilter(v: FilterForm): ListFilter {
  const [from, to] = v.range ?? [null, null];
  return {
    store_id: v.store_id || undefined,
    status: v.status || undefined,
    channel: v.channel || undefined,
    from: from ? from.startOf('day').toISOString() : undefined,
    to: to ? to.add(1, 'day').startOf('day').toISOString() : undefined,
  };
}

const FILTER_KEYS = ['store_id', 'customer_id', 'status', 'channel', 'from', 'to'] as const;

/** fromParams reads the list's filter from the page's query string (links may carry one). */
export function fromParams(params: URLSearchParams): ListFilter {
  const f: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f as ListFilter;
}

/** formValues shows a filter in the form: the range's end day is the day before the exclusive `to`. */
function formValues(f: ListFilter): FilterForm {
  const from = f.from ? dayjs(f.from) : null;
  const to = f.to ? dayjs(f.to).subtract(1, 'day') : null;
  return { store_id: f.store_id, status: f.status, channel: f.channel, range: from || to ? [from, to] : null };
}

/**
 * OrdersPage charts the sales by channel and searches every channel's orders,
 * newest first: by store, status, channel and the days they were placed; each
 * row opens the order's detail. The header links the delivery platforms' inbox.
 */
export default function OrdersPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form] = Form.useForm<FilterForm>();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => fromParams(params), [params]);
  const setFilter = (f: ListFilter) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) next.set(k, String(v));
    setParams(next, { replace: true });
  };
  const list = useOrders(filter);
  const names = useStoreNamesOf(list.items.map((o) => o.store_id));
  const canRead = useHasScope('orders:read');

  const columns: TableColumnsType<OrderSummary> = [
    {
      title: t('orders.number'),
      key: 'number',
      render: (_, o) => (
        <Link to={`/orders/${encodeURIComponent(o.id)}`} data-testid="order-link">
          {o.number}
        </Link>
      ),
    },
    { title: t('orders.placedAt'), key: 'placed', render: (_, o) => formatInZone(o.placed_at, o.time_zone) },
    { title: t('orders.store'), key: 'store', render: (_, o) => <StoreName id={o.store_id} names={names} /> },
    { title: t('orders.channel'), key: 'channel', render: (_, o) => <ChannelLabel channel={o.channel} /> },
    { title: t('orders.fulfilment'), key: 'fulfilment', render: (_, o) => <FulfilmentLabel fulfilment={o.fulfilment} /> },
    { title: t('orders.status'), key: 'status', render: (_, o) => <OrderStatusTag status={o.status} /> },
    { title: t('orders.payable'), key: 'payable', align: 'right', render: (_, o) => formatFen(o.totals.payable_fen) },
    { title: t('orders.paid'), key: 'paid', align: 'right', render: (_, o) => formatFen(o.paid_fen) },
    {
      title: t('orders.refunded'),
      key: 'refunded',
      align: 'right',
      render: (_, o) => (o.refunded_fen > 0 ? <Typography.Text type="danger">{formatFen(o.refunded_fen)}</Typography.Text> : formatFen(0)),
    },
    {
      title: t('orders.customer'),
      key: 'customer',
      render: (_, o) =>
        o.customer_id ? (
          <Link to={`/customers/${encodeURIComponent(o.customer_id)}`} onClick={(e) => e.stopPropagation()}>
            {t('orders.customer360')}
          </Link>
        ) : (
          <Tag>{t('orders.anonymous')}</Tag>
        ),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} align="start">
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('orders.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('orders.subtitle')}</Typography.Text>
        </div>
        {canRead ? (
          <Space>
            <Button icon={<UnorderedListOutlined />} onClick={() => navigate('/orders/pick-list')} data-testid="orders-pick-list-link">
              {t('orders.pickList.title')}
            </Button>
            <Button icon={<InboxOutlined />} onClick={() => navigate('/orders/inbox')} data-testid="orders-inbox-link">
              {t('orders.inbox.title')}
            </Button>
          </Space>
        ) : null}
      </Space>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form
          form={form}
          layout="inline"
          initialValues={formValues(filter)}
          onFinish={(v) => setFilter({ ...toFilter(v), customer_id: filter.customer_id })}
          data-testid="orders-filter"
        >
          <Form.Item name="store_id" label={t('orders.store')}>
            <StorePicker style={{ width: 200 }} placeholder={t('common.all')} testId="orders-filter-store" />
          </Form.Item>
          <Form.Item name="status" label={t('orders.status')}>
            <Select
              allowClear
              style={{ width: 140 }}
              placeholder={t('common.all')}
              options={ORDER_STATUSES.map((s) => ({ value: s, label: t(`orders.statuses.${s}`) }))}
              data-testid="orders-filter-status"
            />
          </Form.Item>
          <Form.Item name="channel" label={t('orders.channel')}>
            <Select
              allowClear
              style={{ width: 140 }}
              placeholder={t('common.all')}
              options={ORDER_CHANNELS.map((c) => ({ value: c, label: t(`orders.channels.${c}`) }))}
              data-testid="orders-filter-channel"
            />
          </Form.Item>
          <Form.Item name="range" label={t('orders.placedBetween')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} data-testid="orders-filter-range" />
          </Form.Item>
          {filter.customer_id ? (
            <Form.Item>
              <Tag closable onClose={() => setFilter({ ...filter, customer_id: undefined })} data-testid="orders-filter-customer">
                <Link to={`/customers/${encodeURIComponent(filter.customer_id)}`}>{t('orders.oneCustomer')}</Link>
              </Tag>
            </Form.Item>
          ) : null}
          <Space>
            <Button type="primary" htmlType="submit" data-testid="orders-search">
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.setFieldsValue({ store_id: undefined, status: undefined, channel: undefined, range: null });
                setFilter({});
              }}
              data-testid="orders-reset"
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form>
      </Card>
      <SalesCard storeId={filter.store_id} />
      <Card size="small">
        <CursorTable<OrderSummary>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          locale={{ emptyText: t('orders.none') }}
          onRow={(o) => ({ onDoubleClick: () => navigate(`/orders/${encodeURIComponent(o.id)}`) })}
          data-testid="orders-table"
        />
      </Card>
    </>
  );
}
