import { Card, Empty, Radio, Space, Spin, Typography } from 'antd';
import { LineChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDailySales } from '../../api/orders';
import { Chart } from '../../components/Chart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatNumber } from '../../lib/format';
import { formatFen } from '../../lib/money';
import { bucketSales, SALES_PRESETS, salesOption, salesRange, type SalesPreset } from './salesChart';

// The sales chart draws lines; the shared Chart registers bars, pies and scatters.
echarts.use([LineChart]);

/**
 * SalesCard charts the payable per day by channel (per week beyond 120 days) over
 * the last 30 days to 2 years, with the range's orders and sales; storeId narrows
 * it to one store (the list's store filter).
 */
export function SalesCard({ storeId }: { storeId?: string }) {
  const { t } = useTranslation();
  const [days, setDays] = useState<SalesPreset>(90);
  const range = useMemo(() => salesRange(days), [days]);
  const sales = useDailySales({ from: range.from, to: range.to, store_id: storeId || undefined });
  const series = useMemo(() => bucketSales(sales.data?.days ?? [], range), [sales.data, range]);
  const option = useMemo(
    () =>
      salesOption(series, {
        weekly: range.weekly,
        channelName: (c) => t(`orders.channels.${c}`, { defaultValue: c }),
        bucketName: (d) => (range.weekly ? t('orders.sales.weekOf', { day: d }) : d),
      }),
    [series, range, t],
  );
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="orders-sales"
      title={
        <Space wrap>
          <span>{t('orders.sales.title')}</span>
          <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
            {range.weekly ? t('orders.sales.weekly') : t('orders.sales.daily')}
          </Typography.Text>
        </Space>
      }
      extra={
        <Radio.Group
          size="small"
          optionType="button"
          value={days}
          onChange={(e) => setDays(e.target.value as SalesPreset)}
          options={SALES_PRESETS.map((d) => ({ value: d, label: t(`orders.sales.presets.${d}`) }))}
          data-testid="sales-range"
        />
      }
    >
      {sales.error ? <ErrorAlert error={sales.error} /> : null}
      <Spin spinning={sales.isFetching}>
        <Typography.Paragraph style={{ marginBottom: 8 }} data-testid="sales-totals">
          {t('orders.sales.totals', {
            first: range.first,
            last: range.last,
            orders: formatNumber(series.totals.orders),
            payable: formatFen(series.totals.payable_fen),
            refunded: formatFen(series.totals.refunded_fen),
          })}
        </Typography.Paragraph>
        {series.channels.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={sales.isPending ? ' ' : t('orders.sales.none')} style={{ height: 200 }} />
        ) : (
          <Chart testId="chart-orders-sales" height={280} option={option} />
        )}
      </Spin>
    </Card>
  );
}
