import { Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Sku } from '../api';
import { formatFen, marginPercent } from '../lib/money';
import { StatusTag } from './StatusTag';

/** SkuTable lists the SKUs of a product with their prices. */
export function SkuTable({ skus, loading }: { skus: Sku[]; loading?: boolean }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Sku> = [
    { title: t('field.code'), dataIndex: 'code', key: 'code' },
    {
      title: t('field.name'),
      dataIndex: 'name',
      key: 'name',
      render: (name: string, s) => (
        <Link to={`/catalog/skus/${encodeURIComponent(s.id)}`} data-testid="sku-link">
          {name}
        </Link>
      ),
    },
    {
      title: t('skus.barcodes'),
      key: 'barcodes',
      render: (_, s) => (s.barcodes ?? []).map((b) => <Tag key={b}>{b}</Tag>),
    },
    { title: t('field.unit'), key: 'unit', render: (_, s) => t(`unit.${s.unit}`, { defaultValue: s.unit }) },
    { title: t('skus.spec'), dataIndex: 'spec', key: 'spec', render: (v?: string) => v || '—' },
    { title: t('skus.listPrice'), key: 'price', align: 'right', render: (_, s) => formatFen(s.list_price_fen) },
    { title: t('skus.cost'), key: 'cost', align: 'right', render: (_, s) => formatFen(s.cost_fen) },
    {
      title: t('skus.margin'),
      key: 'margin',
      align: 'right',
      render: (_, s) => marginPercent(s.list_price_fen, s.cost_fen),
    },
    { title: t('field.status'), key: 'status', render: (_, s) => <StatusTag status={s.status} /> },
  ];
  return (
    <Table<Sku>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={skus}
      loading={loading}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid="skus-table"
    />
  );
}
