import { ArrowLeftOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Row, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api';
import { useCategories, useNameLookup } from '../api/hooks';
import { useCanManage } from '../api/manage';
import { ErrorAlert } from '../components/ErrorAlert';
import { SkuTable } from '../components/SkuTable';
import { StatusTag } from '../components/StatusTag';
import { ProductForm, SkuForm } from './manage/CatalogForms';

/** ProductDetailPage shows a product and its SKUs (/catalog/products/:id). */
export default function ProductDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const product = useQuery({ queryKey: ['products', 'detail', id], queryFn: () => api.product(id) });
  const categoryNames = useNameLookup(useCategories().data);
  const p = product.data;
  const can = useCanManage();
  const [editing, setEditing] = useState(false);
  const [newSku, setNewSku] = useState(false);

  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate('/catalog/products')} style={{ paddingLeft: 0 }}>
        {t('nav.products')}
      </Button>
      <Row justify="space-between" align="middle">
        <Typography.Title level={4} style={{ marginTop: 8 }}>
          {t('products.detail')}
          {p ? ` · ${p.name}` : ''}
        </Typography.Title>
        {can.catalog && p ? (
          <Space>
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="edit-product">
              {t('common.edit')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setNewSku(true)} data-testid="new-sku">
              {t('manage.newSku')}
            </Button>
          </Space>
        ) : null}
      </Row>
      {product.error ? <ErrorAlert error={product.error} /> : null}
      <Card style={{ marginBottom: 16 }}>
        {product.isPending ? (
          <Skeleton active />
        ) : (
          p && (
            <Descriptions
              bordered
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                { key: 'code', label: t('field.code'), children: p.code },
                { key: 'name', label: t('field.name'), children: p.name },
                { key: 'category', label: t('field.category'), children: categoryNames.get(p.category_id) ?? p.category_id },
                {
                  key: 'brand',
                  label: t('field.brand'),
                  children: p.brand_name || '—',
                },
                { key: 'description', label: t('products.description'), children: p.description || '—', span: 'filled' },
                { key: 'unit', label: t('field.unit'), children: t(`unit.${p.unit}`, { defaultValue: p.unit }) },
                { key: 'status', label: t('field.status'), children: <StatusTag status={p.status} /> },
                { key: 'skus', label: t('products.skuCount'), children: p.sku_count ?? p.skus?.length ?? 0 },
                { key: 'id', label: t('field.id'), children: <code>{p.id}</code> },
              ]}
            />
          )
        )}
      </Card>
      <Card title={t('products.skus')} size="small">
        <SkuTable skus={p?.skus ?? []} loading={product.isPending} />
      </Card>
      {p ? <ProductForm open={editing} item={p} onClose={() => setEditing(false)} /> : null}
      <SkuForm open={newSku} productId={id} onClose={() => setNewSku(false)} />
    </>
  );
}
