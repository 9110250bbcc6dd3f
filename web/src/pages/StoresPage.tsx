import { EditOutlined, ExportOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Drawer, Input, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { STORE_FORMATS, api, type Count, type Store, type StoreFilter } from '../api';
import { PAGE_SIZE, useBrands, useNameLookup, useRegions } from '../api/hooks';
import { useCanManage } from '../api/manage';
import { Chart } from '../components/Chart';
import { ErrorAlert } from '../components/ErrorAlert';
import { FileToolbar } from '../components/FileToolbar';
import { StatusTag } from '../components/StatusTag';
import { StoreDetails } from '../components/StoreDetails';
import { barOption, scatterOption } from '../lib/charts';
import { formatNumber } from '../lib/format';
import { StoreForm } from './manage/OrgForms';

/** STORE_FILE_COLUMNS are the columns of a store import or export file. */
const STORE_FILE_COLUMNS = [
  'code', 'name', 'brand_code', 'region_code', 'format', 'city', 'address', 'latitude', 'longitude',
  'floor_area_m2', 'time_zone', 'opening_hours', 'status',
];

type Filter = Omit<StoreFilter, 'limit' | 'cursor' | 'page'>;

/**
 * JUMP_PAGES is how many pages of PAGE_SIZE stores the table can jump to: the server
 * skips at most 20,000 stores (MaxStoreJump in internal/org).
 */
const JUMP_PAGES = 20_000 / PAGE_SIZE + 1;

/** TOP_CITIES is how many cities the city chart names; the rest are summed as "others". */
const TOP_CITIES = 10;

/** topCounts keeps the n largest counts and sums the rest under other (left out when 0). */
export function topCounts(counts: Count[], n: number, other: string): Count[] {
  const sorted = [...counts].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const top = sorted.slice(0, n);
  const rest = sorted.slice(n).reduce((sum, c) => sum + c.count, 0);
  return rest > 0 ? [...top, { key: other, count: rest }] : top;
}

/** StoresPage lists, filters and charts the store network. */
export default function StoresPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<Filter>({});
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Store | null>(null);
  // editing is the store form: a store to edit, null for a new store, undefined when closed.
  const [editing, setEditing] = useState<Store | null | undefined>();
  const can = useCanManage();
  const queryClient = useQueryClient();

  const brands = useBrands();
  const regions = useRegions();
  const brandNames = useNameLookup(brands.data);
  const regionNames = useNameLookup(regions.data);
  const summary = useQuery({ queryKey: ['store-summary'], queryFn: api.storeSummary });
  const counts = useQuery({ queryKey: ['store-summary', filter], queryFn: () => api.storeCounts(filter) });
  // The table shows one page at a time and jumps to any page: the server skips to it.
  const list = useQuery({
    queryKey: ['stores', 'page', filter, page],
    queryFn: () => api.stores({ ...filter, limit: PAGE_SIZE, page }),
    placeholderData: keepPreviousData,
  });
  // The map draws the server's cells (stores of a format within ~28 km), not every store.
  const map = useQuery({ queryKey: ['stores', 'map', filter], queryFn: () => api.storeMap(filter) });

  const set = (patch: Filter) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  const total = counts.data?.total ?? 0;

  // The charts follow the filters: the server counts the matching stores.
  const byFormat = counts.data?.by_format ?? [];
  const byCity = counts.data?.by_city ?? [];

  const cities = useMemo(
    () => [...(summary.data?.by_city ?? [])].sort((a, b) => a.key.localeCompare(b.key, 'zh-CN')),
    [summary.data],
  );

  const formatLabel = (f: string) => t(`format.${f}`, { defaultValue: f });

  const points = (map.data?.cells ?? []).map((c) => ({
    name: c.name ?? '',
    city: c.city,
    longitude: c.longitude,
    latitude: c.latitude,
    group: c.format,
    count: c.count,
  }));

  const cityData = topCounts(byCity, TOP_CITIES, t('stores.otherCities', { count: Math.max(byCity.length - TOP_CITIES, 0) })).map((c) => ({
    name: c.key,
    value: c.count,
  }));

  const columns: TableColumnsType<Store> = [
    { title: t('field.code'), dataIndex: 'code', key: 'code', fixed: 'left' },
    {
      title: t('field.name'),
      dataIndex: 'name',
      key: 'name',
      render: (name: string, s) => (
        <Typography.Link onClick={() => setSelected(s)} data-testid="store-link">
          {name}
        </Typography.Link>
      ),
    },
    { title: t('field.brand'), key: 'brand', render: (_, s) => brandNames.get(s.brand_id) ?? s.brand_id },
    { title: t('field.region'), key: 'region', render: (_, s) => regionNames.get(s.region_id) ?? s.region_id },
    { title: t('stores.format'), key: 'format', render: (_, s) => <Tag>{formatLabel(s.format)}</Tag> },
    { title: t('stores.city'), dataIndex: 'city', key: 'city' },
    {
      title: t('stores.floorArea'),
      dataIndex: 'floor_area_m2',
      key: 'area',
      align: 'right',
      render: (v: number | null | undefined) => formatNumber(v),
    },
    { title: t('field.status'), key: 'status', render: (_, s) => <StatusTag status={s.status} /> },
    ...(can.stores
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 90,
            render: (_: unknown, s: Store) => (
              <Button
                size="small"
                type="link"
                icon={<EditOutlined />}
                onClick={(e) => {
                  e.stopPropagation();
                  setEditing(s);
                }}
                data-testid="edit-store"
              >
                {t('common.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <Row justify="space-between" align="middle">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('stores.title')}
        </Typography.Title>
        {can.structure ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="new-store">
            {t('manage.newStore')}
          </Button>
        ) : null}
      </Row>
      <div style={{ marginBottom: 16 }}>
        <FileToolbar
          name="stores"
          exportPath="/stores/export"
          filter={filter}
          importPath="/imports/stores"
          importColumns={STORE_FILE_COLUMNS}
          onImported={() => void queryClient.invalidateQueries()}
        />
      </div>

      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Input.Search
            allowClear
            placeholder={t('stores.searchPlaceholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => set({ q: v.trim() || undefined })}
            style={{ width: 240 }}
            data-testid="store-search"
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('stores.anyRegion')}
            style={{ width: 160 }}
            value={filter.region_id}
            onChange={(v) => set({ region_id: v })}
            options={(regions.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('stores.anyBrand')}
            style={{ width: 160 }}
            value={filter.brand_id}
            onChange={(v) => set({ brand_id: v })}
            options={(brands.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
          />
          <Select
            allowClear
            placeholder={t('stores.anyFormat')}
            style={{ width: 160 }}
            value={filter.format}
            onChange={(v) => set({ format: v })}
            options={STORE_FORMATS.map((f) => ({ value: f, label: formatLabel(f) }))}
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('stores.cityPlaceholder')}
            style={{ width: 140 }}
            value={filter.city}
            onChange={(v) => set({ city: v })}
            options={cities.map((c) => ({ value: c.key, label: `${c.key} (${c.count})` }))}
          />
          <Button
            onClick={() => {
              setFilter({});
              setPage(1);
              setQ('');
            }}
          >
            {t('common.reset')}
          </Button>
        </Space>
        {summary.data && summary.data.by_region.length > 0 && (
          <div style={{ marginTop: 12 }} data-testid="region-groups">
            <Typography.Text type="secondary" style={{ marginRight: 8 }}>
              {t('stores.byRegion')}:
            </Typography.Text>
            <Tag.CheckableTag checked={!filter.region_id} onChange={() => set({ region_id: undefined })}>
              {t('common.all')} ({summary.data.total})
            </Tag.CheckableTag>
            {summary.data.by_region.map((r) => (
              <Tag.CheckableTag
                key={r.key}
                checked={filter.region_id === r.key}
                onChange={(on) => set({ region_id: on ? r.key : undefined })}
              >
                {r.name || regionNames.get(r.key) || r.key} ({r.count})
              </Tag.CheckableTag>
            ))}
          </div>
        )}
      </Card>

      {summary.error ? <ErrorAlert error={summary.error} /> : null}
      {counts.error ? <ErrorAlert error={counts.error} /> : null}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('stores.byFormat')}>
            <Chart
              testId="chart-stores-format"
              height={280}
              // Horizontal: the formats' names ("Department store") are longer than a bar is wide.
              option={barOption(byFormat.map((f) => ({ name: formatLabel(f.key), value: f.count })), { horizontal: true, labelWidth: 120 })}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('stores.byCity')}>
            <Chart testId="chart-stores-city" height={280} option={barOption(cityData, { horizontal: true })} />
            <Table<Count>
              size="small"
              rowKey="key"
              pagination={false}
              scroll={{ y: 160 }}
              dataSource={byCity}
              columns={[
                { title: t('stores.city'), dataIndex: 'key', key: 'city' },
                { title: t('stores.count'), dataIndex: 'count', key: 'count', align: 'right', render: (n: number) => formatNumber(n) },
              ]}
              data-testid="stores-city-table"
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('stores.map')}>
            {map.error ? <ErrorAlert error={map.error} /> : null}
            <Chart
              testId="chart-stores-map"
              height={320}
              option={scatterOption(points, formatLabel, (n) => t('stores.mapCount', { count: n }), STORE_FORMATS)}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('stores.mapHint')}
            </Typography.Text>
          </Card>
        </Col>
      </Row>

      <Card
        size="small"
        title={<span data-testid="stores-total">{t('stores.total', { count: total })}</span>}
      >
        {list.error ? <ErrorAlert error={list.error} /> : null}
        <Table<Store>
          rowKey="id"
          size="middle"
          scroll={{ x: 'max-content' }}
          columns={columns}
          dataSource={list.data?.items}
          loading={list.isFetching}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: Math.min(total, JUMP_PAGES * PAGE_SIZE),
            showSizeChanger: false,
            showQuickJumper: true,
            showTotal: (_, [from, to]) => t('stores.range', { from, to, count: total }),
            onChange: setPage,
          }}
          onRow={(s) => ({ onClick: () => setSelected(s), style: { cursor: 'pointer' } })}
          data-testid="stores-table"
        />
      </Card>

      <StoreDrawer store={selected} onClose={() => setSelected(null)} />
      <StoreForm open={editing !== undefined} item={editing} onClose={() => setEditing(undefined)} />
    </>
  );
}

function StoreDrawer({ store, onClose }: { store: Store | null; onClose: () => void }) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ['stores', 'detail', store?.id],
    queryFn: () => api.store(store!.id),
    enabled: !!store,
    placeholderData: store ?? undefined,
  });
  return (
    <Drawer
      open={!!store}
      onClose={onClose}
      size={560}
      title={store ? `${t('stores.detail')} · ${store.name}` : t('stores.detail')}
      extra={
        store && (
          <Link to={`/org/stores/${encodeURIComponent(store.id)}`}>
            <ExportOutlined /> {t('stores.openPage')}
          </Link>
        )
      }
      destroyOnHidden
    >
      {detail.error ? <ErrorAlert error={detail.error} /> : null}
      {detail.data && <StoreDetails store={detail.data} />}
    </Drawer>
  );
}
