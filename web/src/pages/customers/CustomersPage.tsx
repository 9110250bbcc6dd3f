import { AuditOutlined, DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { SEARCH_LIMIT, exportIdentityMap, useCustomerSearch, useHasScope, type IdentityMapExport } from '../../api/customers';
import type { CustomerSummary } from '../../api/types';
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
        <Card size="small">
          <Empty description={t('customers.searchEmpty')} />
        </Card>
      )}
    </>
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
