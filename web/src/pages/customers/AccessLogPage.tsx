import { EyeInvisibleOutlined, EyeOutlined, FilterOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Input, Row, Select, Space, Statistic, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCustomerAccessLog, useCustomerAccessSample } from '../../api/customers';
import { CUSTOMER_ACCESS_ACTIONS, type CustomerAccess, type CustomerAccessAction, type CustomerAccessFilter } from '../../api/types';
import { Chart } from '../../components/Chart';
import { CursorTable } from '../../components/CursorTable';
import { barOption, pieOption } from '../../lib/charts';
import { formatDateTime, formatRelative } from '../../lib/format';
import { countBy } from './model';
import { CustomerLink } from './parts';

type Filter = Omit<CustomerAccessFilter, 'limit' | 'cursor'>;

/** SAMPLE_MAX caps how many entries the counts and charts read. */
const SAMPLE_MAX = 1000;

const SHOWN_COLORS: Record<CustomerAccess['shown'], string> = { full: 'red', masked: 'green', none: 'default' };

const FILTER_KEYS = ['customer_id', 'principal_id', 'action', 'from', 'to'] as const;

/** filterOf reads the filter from the URL, so that a filtered view can be shared. */
function filterOf(params: URLSearchParams): Filter {
  const f: Filter = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k)?.trim();
    if (v) (f as Record<string, string>)[k] = v;
  }
  return f;
}

/**
 * AccessLogPage is the privacy officer's record of who read which customer's
 * personal data (privacy:read): filters by customer, user or key, action and
 * time, counts by action and by reader, and the entries newest first.
 */
export default function AccessLogPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filter = filterOf(params);
  const [draft, setDraft] = useState<Filter>(filter);
  const list = useCustomerAccessLog(filter);
  const sample = useCustomerAccessSample(filter, SAMPLE_MAX);

  const apply = (f: Filter) => {
    const next = new URLSearchParams();
    for (const k of FILTER_KEYS) {
      const v = f[k]?.trim();
      if (v) next.set(k, v);
    }
    setDraft(f);
    setParams(next);
  };
  const actionLabel = (a: string) => t(`customers.access.actions.${a}`, { defaultValue: a });
  const matchedLabel = (m: string) =>
    m === 'name' ? t('customers.name') : t(`customers.identifierTypes.${m}`, { defaultValue: m });

  const entries = sample.data ?? [];
  const count = (n: number) => (n >= SAMPLE_MAX ? `${SAMPLE_MAX}+` : String(n));
  const byAction = countBy(entries, (e) => e.action).map((c) => ({ name: actionLabel(c.key), value: c.count }));
  const byPrincipal = countBy(entries, (e) => e.principal_name || e.principal_id)
    .slice(0, 10)
    .map((c) => ({ name: c.key, value: c.count }));
  const full = entries.filter((e) => e.shown === 'full').length;
  const readers = new Set(entries.map((e) => e.principal_id)).size;
  const customers = new Set(entries.map((e) => e.customer_id)).size;

  const range: [Dayjs | null, Dayjs | null] = [draft.from ? dayjs(draft.from) : null, draft.to ? dayjs(draft.to) : null];

  const columns: TableColumnsType<CustomerAccess> = [
    {
      title: t('customers.access.at'),
      key: 'at',
      render: (_, e) => <Tooltip title={formatDateTime(e.at)}>{formatRelative(e.at)}</Tooltip>,
    },
    {
      title: t('customers.access.principal'),
      key: 'principal',
      render: (_, e) => (
        <Space size="small">
          <Tag>{t(`audit.actorTypes.${e.principal_kind}`, { defaultValue: e.principal_kind })}</Tag>
          <Tooltip title={e.principal_id}>
            <Typography.Link onClick={() => apply({ ...filter, principal_id: e.principal_id })} data-testid="access-principal">
              {e.principal_name || e.principal_id}
            </Typography.Link>
          </Tooltip>
        </Space>
      ),
    },
    {
      title: t('customers.access.action'),
      key: 'action',
      render: (_, e) => <Tag color="geekblue">{actionLabel(e.action)}</Tag>,
    },
    {
      title: t('customers.access.customer'),
      key: 'customer',
      render: (_, e) => (
        <Space size={4}>
          <CustomerLink id={e.customer_id} />
          <Tooltip title={t('customers.access.onlyThisCustomer')}>
            <Button
              size="small"
              type="text"
              icon={<FilterOutlined />}
              aria-label={t('customers.access.onlyThisCustomer')}
              onClick={() => apply({ ...filter, customer_id: e.customer_id })}
            />
          </Tooltip>
        </Space>
      ),
    },
    {
      title: t('customers.access.shown'),
      key: 'shown',
      render: (_, e) => (
        <Tag color={SHOWN_COLORS[e.shown]} icon={e.shown === 'full' ? <EyeOutlined /> : e.shown === 'masked' ? <EyeInvisibleOutlined /> : undefined}>
          {t(`customers.access.shownValues.${e.shown}`)}
        </Tag>
      ),
    },
    {
      title: t('customers.access.matched'),
      key: 'matched',
      render: (_, e) => (e.matched ? matchedLabel(e.matched) : '—'),
    },
    { title: t('customers.access.clientIp'), key: 'ip', render: (_, e) => e.client_ip || '—' },
    {
      title: t('customers.access.requestId'),
      key: 'request',
      render: (_, e) =>
        e.request_id ? (
          <Typography.Text code copyable style={{ fontSize: 12 }}>
            {e.request_id}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('customers.access.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('customers.access.intro')}</Typography.Paragraph>

      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Input
            allowClear
            placeholder={t('customers.access.customerId')}
            value={draft.customer_id}
            onChange={(e) => setDraft({ ...draft, customer_id: e.target.value })}
            onPressEnter={() => apply(draft)}
            style={{ width: 280 }}
            data-testid="access-filter-customer"
          />
          <Input
            allowClear
            placeholder={t('customers.access.principalId')}
            value={draft.principal_id}
            onChange={(e) => setDraft({ ...draft, principal_id: e.target.value })}
            onPressEnter={() => apply(draft)}
            style={{ width: 240 }}
          />
          <Select<CustomerAccessAction>
            allowClear
            placeholder={t('customers.access.action')}
            value={draft.action || undefined}
            onChange={(v) => setDraft({ ...draft, action: v })}
            options={CUSTOMER_ACCESS_ACTIONS.map((a) => ({ value: a, label: actionLabel(a) }))}
            style={{ width: 160 }}
            data-testid="access-filter-action"
          />
          <DatePicker.RangePicker
            showTime
            allowEmpty={[true, true]}
            value={range}
            onChange={(v) =>
              setDraft({ ...draft, from: v?.[0]?.toDate().toISOString() ?? undefined, to: v?.[1]?.toDate().toISOString() ?? undefined })
            }
          />
          <Button type="primary" onClick={() => apply(draft)} data-testid="access-apply">
            {t('common.search')}
          </Button>
          <Button onClick={() => apply({})}>{t('common.reset')}</Button>
        </Space>
      </Card>

      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              <Col span={12}>
                <Statistic title={t('customers.access.entries')} value={sample.isPending ? '—' : count(entries.length)} />
              </Col>
              <Col span={12}>
                <Statistic
                  title={t('customers.access.fullEntries')}
                  value={sample.isPending ? '—' : count(full)}
                  valueStyle={full > 0 ? { color: '#cf1322' } : undefined}
                />
              </Col>
              <Col span={12} style={{ marginTop: 12 }}>
                <Statistic title={t('customers.access.readers')} value={sample.isPending ? '—' : readers} />
              </Col>
              <Col span={12} style={{ marginTop: 12 }}>
                <Statistic title={t('customers.access.customers')} value={sample.isPending ? '—' : customers} />
              </Col>
            </Row>
            <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0', fontSize: 12 }}>
              {t('customers.access.sampleNote', { count: SAMPLE_MAX })}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('customers.access.byAction')} style={{ marginBottom: 16 }}>
            <Chart option={pieOption(byAction)} height={220} testId="chart-access-action" />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('customers.access.byReader')} style={{ marginBottom: 16 }}>
            <Chart option={barOption(byPrincipal, { horizontal: true })} height={220} testId="chart-access-reader" />
          </Card>
        </Col>
      </Row>

      <Card size="small">
        <CursorTable<CustomerAccess>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          data-testid="access-table"
        />
      </Card>
    </>
  );
}
