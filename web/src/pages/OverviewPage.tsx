import { AppstoreOutlined, ClusterOutlined, EnvironmentOutlined, ShopOutlined, ShoppingOutlined, TagsOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Statistic, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api';
import { useBrands, useRegions } from '../api/hooks';
import { Chart } from '../components/Chart';
import { ErrorAlert } from '../components/ErrorAlert';
import { barOption, pieOption } from '../lib/charts';

/** OverviewPage shows headline counts and the store network at a glance. */
export default function OverviewPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const stores = useQuery({ queryKey: ['store-summary'], queryFn: api.storeSummary });
  const catalog = useQuery({ queryKey: ['catalog-summary'], queryFn: api.catalogSummary });
  const brands = useBrands();
  const regions = useRegions();

  const s = stores.data;
  const stat = (title: string, value: number | undefined, loading: boolean, icon: ReactNode, to: string, testId: string) => (
    <Col xs={12} md={8} xl={4}>
      <Card hoverable onClick={() => navigate(to)} data-testid={testId}>
        <Statistic title={title} value={value ?? '—'} loading={loading} prefix={icon} />
      </Card>
    </Col>
  );

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('overview.title')}
      </Typography.Title>
      {[stores.error, catalog.error, brands.error, regions.error].filter(Boolean).slice(0, 1).map((e, i) => (
        <ErrorAlert key={i} error={e} />
      ))}
      <Row gutter={[16, 16]}>
        {stat(t('overview.stores'), s?.total, stores.isPending, <ShopOutlined />, '/org/stores', 'stat-stores')}
        {stat(t('overview.brands'), brands.data?.length, brands.isPending, <TagsOutlined />, '/org/brands-regions', 'stat-brands')}
        {stat(t('overview.regions'), regions.data?.length, regions.isPending, <EnvironmentOutlined />, '/org/brands-regions', 'stat-regions')}
        {stat(t('overview.skus'), catalog.data?.skus, catalog.isPending, <AppstoreOutlined />, '/catalog/products', 'stat-skus')}
        {stat(t('overview.products'), catalog.data?.products, catalog.isPending, <ShoppingOutlined />, '/catalog/products', 'stat-products')}
        {stat(t('overview.categories'), catalog.data?.categories, catalog.isPending, <ClusterOutlined />, '/catalog/categories', 'stat-categories')}
      </Row>
      {s && (
        <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
          <Col xs={24} lg={12}>
            <Card title={t('overview.storesByRegion')}>
              <Chart
                testId="chart-overview-region"
                option={barOption(s.by_region.map((r) => ({ name: r.name || r.key, value: r.count })))}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('overview.storesByFormat')}>
              <Chart
                testId="chart-overview-format"
                option={pieOption(
                  s.by_format.map((f) => ({ name: t(`format.${f.key}`, { defaultValue: f.key }), value: f.count })),
                )}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('overview.storesByBrand')}>
              <Chart
                testId="chart-overview-brand"
                option={barOption(s.by_brand.map((b) => ({ name: b.name || b.key, value: b.count })), { color: '#13c2c2' })}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('overview.storesByCity')}>
              <Chart
                testId="chart-overview-city"
                option={barOption(
                  [...s.by_city]
                    .sort((a, b) => b.count - a.count)
                    .slice(0, 10)
                    .map((c) => ({ name: c.key, value: c.count })),
                  { horizontal: true, color: '#722ed1' },
                )}
              />
            </Card>
          </Col>
        </Row>
      )}
    </>
  );
}
