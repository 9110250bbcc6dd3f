import { Empty, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCouponTemplates, useCustomerCoupons, type Coupon } from '../../api/coupons';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../lib/format';

const statusColor: Record<string, string> = { issued: 'green', locked: 'orange', redeemed: 'blue', expired: 'default' };

/** CustomerCoupons lists a customer's coupons on the loyalty card: code, template, state, expiry. */
export function CustomerCoupons({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const coupons = useCustomerCoupons(customerId);
  const templates = useCouponTemplates();
  const names = new Map((templates.data?.items ?? []).map((tm) => [tm.id, tm.name]));
  const columns: TableColumnsType<Coupon> = [
    { title: t('coupons.code'), dataIndex: 'code', key: 'code', render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
    { title: t('coupons.name'), key: 'template', render: (_, c) => names.get(c.template_id) ?? c.template_id },
    {
      title: t('coupons.status'),
      key: 'status',
      render: (_, c) => <Tag color={statusColor[c.status]}>{t(`coupons.couponStatuses.${c.status}`)}</Tag>,
    },
    { title: t('coupons.expires'), key: 'expires', render: (_, c) => formatDateTime(c.expires_at) },
  ];
  return (
    <div style={{ marginTop: 16 }} data-testid="customer-coupons">
      <Typography.Text strong>{t('coupons.customerCoupons')}</Typography.Text>
      {coupons.error && <ErrorAlert error={coupons.error} />}
      {(coupons.data?.items ?? []).length === 0 && !coupons.isPending ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('coupons.noCoupons')} />
      ) : (
        <Table<Coupon> rowKey="id" size="small" pagination={false} columns={columns} dataSource={coupons.data?.items} />
      )}
    </div>
  );
}
