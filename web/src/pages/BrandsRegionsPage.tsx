import { useQuery } from '@tanstack/react-query';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Space, Table, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Brand, type Region } from '../api';
import { useBrands, useRegions } from '../api/hooks';
import { ORG_KEYS, manageApi, useCanManage, useSave } from '../api/manage';
import { DeleteButton } from '../components/DeleteButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusTag } from '../components/StatusTag';
import { BrandForm, RegionForm } from './manage/OrgForms';

/** Editing is the form open on the page: a brand or region to edit, or null to create one. */
type Editing<T> = { item: T | null } | undefined;

/** BrandsRegionsPage lists the tenant's brands and regions; an hq_admin creates and edits them. */
export default function BrandsRegionsPage() {
  const { t } = useTranslation();
  const brands = useBrands();
  const regions = useRegions();
  const summary = useQuery({ queryKey: ['store-summary'], queryFn: api.storeSummary });
  const brandStores = new Map((summary.data?.by_brand ?? []).map((b) => [b.key, b.count]));
  const regionStores = new Map((summary.data?.by_region ?? []).map((r) => [r.key, r.count]));
  const can = useCanManage();
  const [brand, setBrand] = useState<Editing<Brand>>();
  const [region, setRegion] = useState<Editing<Region>>();
  const removeRegion = useSave((r: Region) => manageApi.deleteRegion(r.id), ORG_KEYS);
  const editColumn = <T,>(open: (item: T) => void, testId: string, extra?: (item: T) => ReactNode) =>
    can.structure
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: extra ? 160 : 90,
            render: (_: unknown, item: T) => (
              <Space size={0}>
                <Button size="small" type="link" icon={<EditOutlined />} onClick={() => open(item)} data-testid={testId}>
                  {t('common.edit')}
                </Button>
                {extra?.(item)}
              </Space>
            ),
          },
        ]
      : [];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('brandsRegions.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card
            title={t('brandsRegions.brands')}
            size="small"
            extra={
              can.structure ? (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setBrand({ item: null })} data-testid="new-brand">
                  {t('manage.newBrand')}
                </Button>
              ) : null
            }
          >
            {brands.error ? <ErrorAlert error={brands.error} /> : null}
            <Table<Brand>
              rowKey="id"
              size="middle"
              loading={brands.isPending}
              dataSource={brands.data}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              data-testid="brands-table"
              columns={[
                { title: t('field.code'), dataIndex: 'code' },
                { title: t('field.name'), dataIndex: 'name' },
                { title: t('overview.stores'), key: 'stores', align: 'right', render: (_, b) => brandStores.get(b.id) ?? 0 },
                { title: t('field.status'), key: 'status', render: (_, b) => <StatusTag status={b.status} /> },
                ...editColumn<Brand>((b) => setBrand({ item: b }), 'edit-brand'),
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card
            title={t('brandsRegions.regions')}
            size="small"
            extra={
              can.structure ? (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setRegion({ item: null })} data-testid="new-region">
                  {t('manage.newRegion')}
                </Button>
              ) : null
            }
          >
            {regions.error ? <ErrorAlert error={regions.error} /> : null}
            <Table<Region>
              rowKey="id"
              size="middle"
              loading={regions.isPending}
              dataSource={regions.data}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              data-testid="regions-table"
              columns={[
                { title: t('field.code'), dataIndex: 'code' },
                { title: t('field.name'), dataIndex: 'name' },
                { title: t('overview.stores'), key: 'stores', align: 'right', render: (_, r) => regionStores.get(r.id) ?? 0 },
                ...editColumn<Region>(
                  (r) => setRegion({ item: r }),
                  'edit-region',
                  (r) => (
                    <DeleteButton
                      confirm={t('manage.deleteRegion', { name: r.name })}
                      disabled={(regionStores.get(r.id) ?? 0) > 0}
                      onDelete={() => removeRegion.mutateAsync(r)}
                      testId="delete-region"
                    />
                  ),
                ),
              ]}
            />
          </Card>
        </Col>
      </Row>
      <BrandForm open={!!brand} item={brand?.item} onClose={() => setBrand(undefined)} />
      <RegionForm open={!!region} item={region?.item} onClose={() => setRegion(undefined)} />
    </>
  );
}
