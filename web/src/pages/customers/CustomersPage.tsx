import { AuditOutlined, DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Empty, Input, InputNumber, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { SEARCH_LIMIT, exportIdentityMap, useCustomerList, useCustomerSearch, useHasScope, type IdentityMapExport } from '../../api/customers';
import { useStoreNamesOf } from '../../api/hooks';
import { StorePicker } from '../../components/StorePicker';
import type { CustomerListFilter, CustomerListItem, CustomerListStatus, CustomerSummary } from '../../api/types';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ExportMenu } from '../../components/ExportMenu';
import { formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { CustomerStatusTag, MaskedTag } from './parts';

/** CustomersPage finds customers by phone, member card, unionid, e-mail or exact name. */
export default function CustomersPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  // The query lives in the URL, so "back" from a customer returns to the results.
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const search = useCustomerSearch(q);
  const items = search.data?.items ?? [];
  const masked = items.some((c) => c.masked);

  const open = (c: CustomerSummary) => navigate(`/customers/${encodeURIComponent(c.id)}`);

  const columns: TableColumnsType<CustomerSummary> = [
    {
      title: t('customers.name'),
      key: 'name',
      render: (_, c) => (
        <Space size={4}>
          <Typography.Link onClick={() => open(c)} data-testid="customer-result-name">
            {c.name || t('customers.unnamed')}
          </Typography.Link>
          <CustomerStatusTag status={c.status} />
        </Space>
      ),
    },
    {
      title: t('customers.phone'),
      key: 'phone',
      render: (_, c) => (
        <Space size={4}>
          <span data-testid="customer-result-phone">{c.phone || '—'}</span>
          {c.masked && c.phone ? <MaskedTag /> : null}
        </Space>
      ),
    },
    { title: t('customers.city'), key: 'city', render: (_, c) => c.city || '—' },
    {
      title: t('customers.registrationChannel'),
      key: 'channel',
      render: (_, c) =>
        c.registration_channel ? <Tag>{t(`touchpoints.channels.${c.registration_channel}`, { defaultValue: c.registration_channel })}</Tag> : '—',
    },
    { title: t('customers.eventCount'), key: 'events', align: 'right', render: (_, c) => formatNumber(c.event_count) },
    {
      title: t('customers.lastSeen'),
      key: 'lastSeen',
      render: (_, c) =>
        c.last_seen_at ? <Tooltip title={formatDateTime(c.last_seen_at)}>{formatRelative(c.last_seen_at)}</Tooltip> : '—',
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, c) => (
        <Button size="small" onClick={() => open(c)}>
          {t('customers.open360')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('customers.searchTitle')}
        </Typography.Title>
        <Space>
          {q ? <ExportMenu path="/customers/search/export" filter={{ q, limit: SEARCH_LIMIT }} name="customers" /> : null}
          <IdentityMapButton />
          <Button icon={<AuditOutlined />} onClick={() => navigate('/customers/reviews')}>
            {t('customers.reviews.title')}
          </Button>
        </Space>
      </Space>

      <Card size="small" style={{ marginBottom: 16 }}>
        <Input.Search
          key={q}
          defaultValue={q}
          allowClear
          enterButton={
            <Button type="primary" icon={<SearchOutlined />}>
              {t('common.search')}
            </Button>
          }
          size="large"
          placeholder={t('customers.searchPlaceholder')}
          loading={search.isFetching}
          onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})}
          data-testid="customer-search"
          style={{ maxWidth: 640 }}
        />
        <div style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{t('customers.searchHint')}</Typography.Text>
        </div>
      </Card>

      {q ? (
        <Card
          size="small"
          title={search.data ? t('customers.results', { count: items.length }) : t('customers.searching')}
          extra={
            <Space>
              {items.length >= SEARCH_LIMIT ? (
                <Typography.Text type="warning">{t('customers.tooMany', { count: SEARCH_LIMIT })}</Typography.Text>
              ) : null}
              {masked ? <Typography.Text type="secondary">{t('customers.maskedNote')}</Typography.Text> : null}
            </Space>
          }
        >
          {search.error ? <ErrorAlert error={search.error} /> : null}
          <Table<CustomerSummary>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={items}
            loading={search.isFetching}
            pagination={false}
            scroll={{ x: 'max-content' }}
            onRow={(c) => ({ onDoubleClick: () => open(c) })}
            locale={{ emptyText: search.data ? <Empty description={t('customers.noResults')} /> : ' ' }}
            data-testid="customer-results"
          />
        </Card>
      ) : (
        <CustomerList />
      )}
    </>
  );
}

/** CHANNELS are the touchpoint channels a customer can be filtered by. */
const CHANNELS = ['pos', 'self_checkout', 'smart_cart', 'app', 'wechat_mini_program', 'wechat_official_account', 'tmall', 'jd', 'meituan', 'eleme', 'associate_app', 'in_store_screen', 'web', 'other'];

/** listFilter reads the list's filters from the URL, so "back" from a customer keeps them. */
export function listFilter(params: URLSearchParams): Omit<CustomerListFilter, 'limit' | 'cursor'> {
  const num = (k: string) => {
    const v = params.get(k);
    return v && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return {
    store_id: params.get('store') || undefined,
    channel: params.get('channel') || undefined,
    registered_from: params.get('from') || undefined,
    registered_to: params.get('to') || undefined,
    min_identifiers: num('min'),
    max_identifiers: num('max'),
    status: (params.get('status') as CustomerListStatus | null) || undefined,
  };
}

/**
 * CustomerList lists the customers the user's data scope sees, newest first, with
 * filters (store, channel, registration period, identifier count, status), so a
 * shopper can be found without knowing an identifier; a row opens the 360.
 */
function CustomerList() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filter = listFilter(params);
  const list = useCustomerList(filter);
  const storeNames = useStoreNamesOf(list.items.map((c) => c.preferred_store_id));
  const storeName = (id: string) => storeNames.get(id) ?? id;
  const set = (k: string, v: string | number | undefined | null) => {
    const next = new URLSearchParams(params);
    if (v === undefined || v === null || v === '') next.delete(k);
    else next.set(k, String(v));
    setParams(next);
  };
  const open = (c: CustomerListItem) => navigate(`/customers/${encodeURIComponent(c.id)}`);
  const masked = list.items.some((c) => c.masked);
  const total =
    list.total === undefined ? undefined : list.totalExact ? t('customers.list.total', { count: list.total, n: formatNumber(list.total) }) : t('customers.list.totalAtLeast', { count: list.total, n: formatNumber(list.total) });

  const columns: TableColumnsType<CustomerListItem> = [
    {
      title: t('customers.name'),
      key: 'name',
      render: (_, c) => (
        <Space size={4}>
          <Typography.Link onClick={() => open(c)} data-testid="customer-list-name">
            {c.name || t('customers.unnamed')}
          </Typography.Link>
          <CustomerStatusTag status={c.status} />
          {c.merged_from ? <Tag>{t('customers.list.mergedTag')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('customers.phone'),
      key: 'phone',
      render: (_, c) => (
        <Space size={4}>
          <span data-testid="customer-list-phone">{c.phone || '—'}</span>
          {c.masked && c.phone ? <MaskedTag /> : null}
        </Space>
      ),
    },
    { title: t('customers.preferredStore'), key: 'store', render: (_, c) => (c.preferred_store_id ? storeName(c.preferred_store_id) : '—') },
    {
      title: t('customers.registrationChannel'),
      key: 'channel',
      render: (_, c) =>
        c.registration_channel ? <Tag>{t(`touchpoints.channels.${c.registration_channel}`, { defaultValue: c.registration_channel })}</Tag> : '—',
    },
    { title: t('customers.registeredAt'), key: 'registered', render: (_, c) => (c.registered_at ? formatDateTime(c.registered_at) : '—') },
    { title: t('customers.identitiesCount'), key: 'ids', align: 'right', render: (_, c) => formatNumber(c.identifier_count) },
    { title: t('customers.eventCount'), key: 'events', align: 'right', render: (_, c) => formatNumber(c.event_count) },
    {
      title: t('customers.lastSeen'),
      key: 'lastSeen',
      render: (_, c) => (c.last_seen_at ? <Tooltip title={formatDateTime(c.last_seen_at)}>{formatRelative(c.last_seen_at)}</Tooltip> : '—'),
    },
  ];

  return (
    <Card
      size="small"
      title={t('customers.list.title')}
      extra={
        <Space>
          {total ? <Typography.Text data-testid="customer-list-total">{total}</Typography.Text> : null}
          {masked ? <Typography.Text type="secondary">{t('customers.maskedNote')}</Typography.Text> : null}
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <StorePicker
          style={{ width: 200 }}
          placeholder={t('customers.list.store')}
          value={filter.store_id}
          onChange={(v) => set('store', v)}
          testId="customer-list-store"
        />
        <Select
          allowClear
          style={{ width: 180 }}
          placeholder={t('customers.list.channel')}
          value={filter.channel}
          onChange={(v) => set('channel', v)}
          options={CHANNELS.map((c) => ({ value: c, label: t(`touchpoints.channels.${c}`) }))}
          data-testid="customer-list-channel"
        />
        <DatePicker.RangePicker
          placeholder={[t('customers.list.registeredFrom'), t('customers.list.registeredTo')]}
          value={[filter.registered_from ? dayjs(filter.registered_from) : null, filter.registered_to ? dayjs(filter.registered_to) : null]}
          onChange={(r) => {
            const next = new URLSearchParams(params);
            const [a, b] = r ?? [null, null];
            if (a) next.set('from', a.startOf('day').toISOString());
            else next.delete('from');
            if (b) next.set('to', b.add(1, 'day').startOf('day').toISOString());
            else next.delete('to');
            setParams(next);
          }}
        />
        <Space.Compact>
          <InputNumber
            min={0}
            max={1000}
            style={{ width: 130 }}
            placeholder={t('customers.list.minIdentifiers')}
            value={filter.min_identifiers}
            onChange={(v) => set('min', v)}
            data-testid="customer-list-min"
          />
          <InputNumber min={0} max={1000} style={{ width: 130 }} placeholder={t('customers.list.maxIdentifiers')} value={filter.max_identifiers} onChange={(v) => set('max', v)} />
        </Space.Compact>
        <Select
          style={{ width: 150 }}
          value={filter.status ?? 'active'}
          onChange={(v) => set('status', v === 'active' ? undefined : v)}
          options={(['active', 'erased', 'merged', 'all'] as const).map((s) => ({ value: s, label: t(`customers.list.statuses.${s}`) }))}
          data-testid="customer-list-status"
        />
      </Space>
      <CursorTable<CustomerListItem>
        rowKey={(c) => c.merged_from ?? c.id}
        columns={columns}
        items={list.items}
        isLoading={list.isLoading}
        error={list.error}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
        onRow={(c) => ({ onClick: () => open(c), style: { cursor: 'pointer' } })}
        locale={{ emptyText: list.isLoading ? ' ' : <Empty description={t('customers.list.empty')} /> }}
        data-testid="customer-list"
      />
    </Card>
  );
}

/**
 * IdentityMapButton downloads the identity map as CSV (identity_map:read) — a snapshot
 * of identifier → customer and event → customer and the changes logged since — and
 * shows the cursor an integrator continues from (docs/identity.md, Identity map).
 */
function IdentityMapButton() {
  const { t } = useTranslation();
  const allowed = useHasScope('identity_map:read');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<IdentityMapExport>();
  const [error, setError] = useState<string>();
  if (!allowed) return null;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await exportIdentityMap();
      const blob = new Blob([r.csv], { type: 'text/csv' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'identity-map.csv';
      a.click();
      URL.revokeObjectURL(url);
      setResult(r);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? t('customers.identityMap.forbidden') : String((e as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Tooltip title={t('customers.identityMap.help')}>
        <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void run()} data-testid="identity-map-export">
          {t('customers.identityMap.button')}
        </Button>
      </Tooltip>
      {error ? <Alert type="error" showIcon message={error} data-testid="identity-map-error" /> : null}
      {result ? (
        <Alert
          type={result.more ? 'warning' : 'success'}
          showIcon
          closable
          onClose={() => setResult(undefined)}
          data-testid="identity-map-result"
          message={t(result.more ? 'customers.identityMap.more' : 'customers.identityMap.done', { count: result.records })}
          description={
            <Typography.Text type="secondary">
              {t('customers.identityMap.cursor')} <Typography.Text code copyable>{result.next}</Typography.Text>
            </Typography.Text>
          }
        />
      ) : null}
    </>
  );
}
