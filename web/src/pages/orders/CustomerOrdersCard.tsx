import { Card, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useOrders, type OrderSummary } from '../../api/orders';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatFen } from '../../lib/money';
import { useStoreNamesOf } from '../../api/hooks';
import { ChannelLabel, formatInZone, OrderStatusTag, StoreName } from './parts';

/** CustomerOrdersCard lists a customer's recent orders on the 360 page, each linking to its detail. */
export function CustomerOrdersCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const list = useOrders({ customer_id: customerId }, { pageSize: 10 });
  const names = useStoreNamesOf(list.items.map((o) => o.store_id));
  const columns: TableColumnsType<OrderSummary> = [
    {
      title: t('orders.number'),
      key: 'number',
      render: (_, o) => <Link to={`/orders/${encodeURIComponent(o.id)}`}>{o.number}</Link>,
    },
    { title: t('orders.placedAt'), key: 'placed', render: (_, o) => formatInZone(o.placed_at, o.time_zone) },
    { title: t('orders.store'), key: 'store', render: (_, o) => <StoreName id={o.store_id} names={names} /> },
    { title: t('orders.channel'), key: 'channel', render: (_, o) => <ChannelLabel channel={o.channel} /> },
    { title: t('orders.status'), key: 'status', render: (_, o) => <OrderStatusTag status={o.status} /> },
    { title: t('orders.payable'), key: 'payable', align: 'right', render: (_, o) => formatFen(o.totals.payable_fen) },
  ];
  return (
    <Card
      size="small"
      title={t('orders.customerOrders')}
      style={{ marginBottom: 16 }}
      data-testid="customer-orders"
      extra={
        <Space>
          {list.hasNextPage ? (
            <Typography.Link onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {t('common.loadMore')}
            </Typography.Link>
          ) : null}
          <Link to={`/orders?customer_id=${encodeURIComponent(customerId)}`} data-testid="customer-orders-all">
            {t('orders.allOfCustomer')}
          </Link>
        </Space>
      }
    >
      {list.error ? <ErrorAlert error={list.error} /> : null}
      <Table<OrderSummary>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={list.items}
        loading={list.isPending}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('orders.customerNoOrders') }}
      />
    </Card>
  );
}
