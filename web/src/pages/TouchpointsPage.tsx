import { KeyOutlined, PlusOutlined, RiseOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Drawer, Form, Input, Popconfirm, Radio, Select, Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  TOUCHPOINT_CHANNELS,
  TOUCHPOINT_STATUSES,
  TOUCHPOINT_TYPES,
  api,
  type CreateTouchpointRequest,
  type Touchpoint,
  type TouchpointCounts,
  type TouchpointFilter,
  type TouchpointKey,
} from '../api';
import { useCreateTouchpoint, useStoreNamesOf, useTouchpoints } from '../api/hooks';
import { Chart } from '../components/Chart';
import { CursorTable } from '../components/CursorTable';
import { ErrorAlert, errorText } from '../components/ErrorAlert';
import { SecretModal } from '../components/SecretModal';
import { StatusTag } from '../components/StatusTag';
import { StorePicker } from '../components/StorePicker';
import { barOption, type Datum } from '../lib/charts';
import { formatDateTime, formatNumber, formatRelative } from '../lib/format';
import { applyProblem } from '../lib/problemFields';
import { TouchpointMaturity } from './TouchpointMaturity';

type Filter = Omit<TouchpointFilter, 'limit' | 'cursor'>;

/** eventsByChannel lists today's events per channel from the server's counts, largest first. */
export function eventsByChannel(counts: TouchpointCounts | undefined): { key: string; count: number }[] {
  return (counts?.by_channel ?? [])
    .map((g) => ({ key: g.key, count: g.events_today }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/**
 * TouchpointsPage lists the registered touchpoints with today's health, registers new
 * ones and, on its second tab (?view=maturity), shows their digital maturity.
 */
export default function TouchpointsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'maturity' ? 'maturity' : 'list';
  const [filter, setFilter] = useState<Filter>({});
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<{ key: TouchpointKey; code: string } | null>(null);
  const { message } = App.useApp();
  const issue = useMutation({
    mutationFn: (tp: Touchpoint) => api.issueTouchpointKey(tp.id).then((key) => ({ key, code: tp.code })),
    onSuccess: setIssued,
    onError: (e) => void message.error(errorText(e)),
  });

  const list = useTouchpoints(filter);
  const counts = useQuery({ queryKey: ['touchpoint-counts', filter], queryFn: () => api.touchpointCounts(filter) });
  const storeNames = useStoreNamesOf(list.items.map((tp) => tp.store_id ?? ''));

  const set = (patch: Filter) => setFilter((f) => ({ ...f, ...patch }));
  const channelLabel = (c: string) => t(`touchpoints.channels.${c}`, { defaultValue: c });
  const typeLabel = (v: string) => t(`touchpoints.types.${v}`, { defaultValue: v });

  const chartData: Datum[] = eventsByChannel(counts.data).map((c) => ({ name: channelLabel(c.key), value: c.count }));

  const columns: TableColumnsType<Touchpoint> = [
    // Code and name in one column, so that the counters and the last-seen time fit
    // beside the fixed actions at 1440 px in English too.
    {
      title: t('field.name'),
      key: 'code',
      fixed: 'left',
      render: (_, tp) => (
        <Space orientation="vertical" size={0}>
          <span>{tp.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {tp.code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('touchpoints.channel'),
      key: 'channel',
      render: (_, tp) => (
        <Space orientation="vertical" size={2}>
          <span>{channelLabel(tp.channel)}</span>
          <Tag>{typeLabel(tp.type)}</Tag>
        </Space>
      ),
    },
    {
      title: t('touchpoints.store'),
      key: 'store',
      ellipsis: true,
      width: 160,
      render: (_, tp) => (tp.store_id ? (storeNames.get(tp.store_id) ?? tp.store_id) : '—'),
    },
    { title: t('field.status'), key: 'status', render: (_, tp) => <StatusTag status={tp.status} /> },
    {
      title: t('touchpoints.eventsToday'),
      key: 'events',
      align: 'right',
      render: (_, tp) => formatNumber(tp.health?.events_today),
    },
    {
      title: t('touchpoints.rejectedToday'),
      key: 'rejected',
      align: 'right',
      render: (_, tp) => {
        const n = tp.health?.rejected_today ?? 0;
        return n > 0 ? <Typography.Text type="danger">{formatNumber(n)}</Typography.Text> : formatNumber(n);
      },
    },
    {
      title: t('touchpoints.lastSeen'),
      key: 'lastSeen',
      render: (_, tp) =>
        tp.health?.last_seen_at ? (
          <Tooltip title={formatDateTime(tp.health.last_seen_at)}>
            <span data-testid="touchpoint-last-seen">{formatRelative(tp.health.last_seen_at)}</span>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary">{t('touchpoints.never')}</Typography.Text>
        ),
    },
    {
      title: t('touchpoints.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_, tp) => (
        <Popconfirm title={t('touchpoints.issueKeyConfirm', { code: tp.code })} onConfirm={() => issue.mutate(tp)}>
          <Button size="small" icon={<KeyOutlined />} disabled={tp.status !== 'active'} data-testid={`touchpoint-issue-key-${tp.code}`}>
            {t('touchpoints.issueKey')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('touchpoints.title')}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="touchpoint-create">
          {t('touchpoints.create')}
        </Button>
      </Space>

      <Tabs
        activeKey={view}
        onChange={(k) => setParams(k === 'maturity' ? { view: 'maturity' } : {})}
        items={[
          {
            key: 'list',
            label: <span><UnorderedListOutlined /> {t('touchpoints.tabs.list')}</span>,
            children: (
              <>
                <Card size="small" style={{ marginBottom: 16 }}>
                  <Space wrap>
                    <Select
                      allowClear
                      placeholder={t('touchpoints.anyStatus')}
                      style={{ width: 160 }}
                      value={filter.status}
                      onChange={(v) => set({ status: v })}
                      options={TOUCHPOINT_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                      data-testid="touchpoint-filter-status"
                    />
                    <Select
                      allowClear
                      showSearch={{ optionFilterProp: 'label' }}
                      placeholder={t('touchpoints.anyChannel')}
                      style={{ width: 200 }}
                      value={filter.channel}
                      onChange={(v) => set({ channel: v })}
                      options={TOUCHPOINT_CHANNELS.map((c) => ({ value: c, label: channelLabel(c) }))}
                      data-testid="touchpoint-filter-channel"
                    />
                    <Input.Search
                      allowClear
                      placeholder={t('touchpoints.searchPlaceholder')}
                      value={q}
                      onChange={(e) => setQ(e.target.value)}
                      onSearch={(v) => set({ q: v.trim() || undefined })}
                      style={{ width: 220 }}
                      data-testid="touchpoint-search"
                    />
                    <Button
                      onClick={() => {
                        setFilter({});
                        setQ('');
                      }}
                    >
                      {t('common.reset')}
                    </Button>
                  </Space>
                </Card>

                <Card
                  size="small"
                  style={{ marginBottom: 16 }}
                  title={t('touchpoints.eventsByChannel')}
                  extra={
                    <Typography.Text type="secondary">
                      {t('touchpoints.total', { count: counts.data?.total ?? 0 })} · {t('touchpoints.tenantDay', { zone: counts.data?.time_zone ?? 'Asia/Shanghai' })}
                    </Typography.Text>
                  }
                >
                  {counts.error ? <ErrorAlert error={counts.error} /> : null}
                  <Chart testId="chart-touchpoints-channel" height={280} option={barOption(chartData)} />
                </Card>

                <Card size="small">
                  <CursorTable<Touchpoint>
                    rowKey="id"
                    columns={columns}
                    items={list.items}
                    isLoading={list.isPending && list.fetchStatus !== 'idle'}
                    error={list.error}
                    hasNextPage={list.hasNextPage}
                    isFetchingNextPage={list.isFetchingNextPage}
                    fetchNextPage={list.fetchNextPage}
                    data-testid="touchpoints-table"
                  />
                </Card>
              </>
            ),
          },
          {
            key: 'maturity',
            label: <span data-testid="tab-maturity"><RiseOutlined /> {t('touchpoints.tabs.maturity')}</span>,
            children: <TouchpointMaturity />,
          },
        ]}
      />

      <CreateTouchpointDrawer open={creating} onClose={() => setCreating(false)} />
      <SecretModal created={issued?.key ?? null} onClose={() => setIssued(null)}>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('touchpoints.keyHint', { code: issued?.code })}
        </Typography.Paragraph>
      </SecretModal>
    </>
  );
}

function CreateTouchpointDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateTouchpointRequest>();
  const create = useCreateTouchpoint();

  const close = () => {
    create.reset();
    onClose();
  };

  const submit = (v: CreateTouchpointRequest) => {
    const body: CreateTouchpointRequest = { ...v, code: v.code.trim(), name: v.name.trim() };
    if (!body.store_id) delete body.store_id;
    create.mutate(body, {
      onSuccess: (tp) => {
        void message.success(t('touchpoints.created', { code: tp.code }));
        form.resetFields();
        close();
      },
      onError: (err) => {
        // Problem errors located on a body field are shown under that field.
        applyProblem(form, err);
      },
    });
  };

  return (
    <Drawer
      open={open}
      onClose={close}
      size={480}
      title={t('touchpoints.create')}
      destroyOnHidden
      forceRender
      extra={
        <Space>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button type="primary" loading={create.isPending} onClick={() => form.submit()} data-testid="touchpoint-submit">
            {t('common.create')}
          </Button>
        </Space>
      }
    >
      {create.error ? <ErrorAlert error={create.error} /> : null}
      <Form<CreateTouchpointRequest>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ type: 'offline', channel: 'pos', status: 'active' }}
        data-testid="touchpoint-form"
      >
        <Form.Item
          name="code"
          label={t('field.code')}
          extra={t('touchpoints.codeHint')}
          rules={[
            { required: true, whitespace: true, message: t('touchpoints.required') },
            { max: 64, message: t('touchpoints.codeHint') },
            { pattern: /^\s*[A-Za-z0-9._-]+\s*$/, message: t('touchpoints.codeHint') },
          ]}
        >
          <Input autoComplete="off" data-testid="touchpoint-code" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('field.name')}
          rules={[
            { required: true, whitespace: true, message: t('touchpoints.required') },
            { max: 100, message: t('touchpoints.nameHint') },
          ]}
        >
          <Input autoComplete="off" data-testid="touchpoint-name" />
        </Form.Item>
        <Form.Item name="type" label={t('touchpoints.type')} rules={[{ required: true, message: t('touchpoints.required') }]}>
          <Radio.Group
            optionType="button"
            options={TOUCHPOINT_TYPES.map((v) => ({ value: v, label: t(`touchpoints.types.${v}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="channel"
          label={t('touchpoints.channel')}
          rules={[{ required: true, message: t('touchpoints.required') }]}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={TOUCHPOINT_CHANNELS.map((c) => ({ value: c, label: t(`touchpoints.channels.${c}`) }))}
            data-testid="touchpoint-channel"
          />
        </Form.Item>
        <Form.Item name="store_id" label={t('touchpoints.store')} extra={t('touchpoints.storeHint')}>
          <StorePicker placeholder={t('touchpoints.noStore')} testId="touchpoint-store" />
        </Form.Item>
        <Form.Item name="status" label={t('field.status')}>
          <Radio.Group
            optionType="button"
            options={TOUCHPOINT_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

