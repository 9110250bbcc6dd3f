import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type Brand, type Region } from '../api';
import { useBrands, useRegions } from '../api/hooks';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusTag } from '../components/StatusTag';

/** BrandsRegionsPage lists the tenant's brands and regions. */
export default function BrandsRegionsPage() {
  const { t } = useTranslation();
  const brands = useBrands();
  const regions = useRegions();
  const summary = useQuery({ queryKey: ['store-summary'], queryFn: api.storeSummary });
  const brandStores = new Map((summary.data?.by_brand ?? []).map((b) => [b.key, b.count]));
  const regionStores = new Map((summary.data?.by_region ?? []).map((r) => [r.key, r.count]));

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('brandsRegions.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('brandsRegions.brands')} size="small">
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
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('brandsRegions.regions')} size="small">
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
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
