import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Product, type ProductFilter } from '../api';
import { useCategories, useCursorList, useNameLookup } from '../api/hooks';
import { CursorTable } from './CursorTable';
import { StatusTag } from './StatusTag';

/** ProductTable lists products matching a filter, page by page. */
export function ProductTable({ filter, enabled = true }: { filter: Omit<ProductFilter, 'limit' | 'cursor'>; enabled?: boolean }) {
  const { t } = useTranslation();
  const list = useCursorList('products', filter, api.products, { enabled });
  const categoryNames = useNameLookup(useCategories().data);

  const columns: TableColumnsType<Product> = [
    { title: t('field.code'), dataIndex: 'code', key: 'code' },
    {
      title: t('field.name'),
      dataIndex: 'name',
      key: 'name',
      render: (name: string, p) => (
        <Link to={`/catalog/products/${encodeURIComponent(p.id)}`} data-testid="product-link">
          {name}
        </Link>
      ),
    },
    { title: t('field.category'), key: 'category', render: (_, p) => categoryNames.get(p.category_id) ?? p.category_id },
    {
      title: t('field.brand'),
      key: 'brand',
      render: (_, p) => p.brand_name || '—',
    },
    { title: t('field.unit'), key: 'unit', render: (_, p) => t(`unit.${p.unit}`, { defaultValue: p.unit }) },
    { title: t('products.skuCount'), dataIndex: 'sku_count', key: 'skus', align: 'right' },
    { title: t('field.status'), key: 'status', render: (_, p) => <StatusTag status={p.status} /> },
  ];

  return (
    <CursorTable<Product>
      rowKey="id"
      columns={columns}
      items={list.items}
      isLoading={list.isPending && list.fetchStatus !== 'idle'}
      error={list.error}
      hasNextPage={list.hasNextPage}
      isFetchingNextPage={list.isFetchingNextPage}
      fetchNextPage={list.fetchNextPage}
      data-testid="products-table"
    />
  );
}
