import { RedoOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Segmented, Space, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DOMAIN_EVENT_STATUSES, api, type DomainEvent, type DomainEventStatus } from '../../api';
import { useCursorList } from '../../api/hooks';
import { CursorTable } from '../../components/CursorTable';
import { errorText } from '../../components/ErrorAlert';
import { StatusTag } from '../../components/StatusTag';
import { formatDateTime } from '../../lib/format';

/** DomainEventsPage shows the outbox and retries dead events. */
export default function DomainEventsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<DomainEventStatus | 'all'>('all');
  const list = useCursorList('domain-events', { status: status === 'all' ? undefined : status }, api.domainEvents);

  const retry = useMutation({
    mutationFn: (id: string) => api.retryDomainEvent(id),
    onSuccess: () => {
      void message.success(t('events.retried'));
      void queryClient.invalidateQueries({ queryKey: ['domain-events'] });
    },
    onError: (e) => void message.error(errorText(e)),
  });

  const columns: TableColumnsType<DomainEvent> = [
    { title: t('events.createdAt'), key: 'created', render: (_, e) => formatDateTime(e.created_at) },
    { title: t('events.type'), dataIndex: 'type', key: 'type', render: (v: string) => <code>{v}</code> },
    { title: t('events.aggregateId'), dataIndex: 'aggregate_id', key: 'agg', render: (v: string) => <code>{v}</code> },
    { title: t('events.status'), key: 'status', render: (_, e) => <StatusTag status={e.status} prefix="events.statuses" /> },
    { title: t('events.attempts'), dataIndex: 'attempts', key: 'attempts', align: 'right' },
    {
      title: t('events.lastError'),
      dataIndex: 'last_error',
      key: 'err',
      render: (v?: string | null) =>
        v ? (
          <Typography.Text type="danger" ellipsis={{ tooltip: v }} style={{ maxWidth: 320 }}>
            {v}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, e) =>
        e.status === 'dead' && (
          <Button
            size="small"
            icon={<RedoOutlined />}
            loading={retry.isPending && retry.variables === e.id}
            onClick={() => retry.mutate(e.id)}
            data-testid="event-retry"
          >
            {t('events.retry')}
          </Button>
        ),
    },
  ];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('events.title')}
      </Typography.Title>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space>
          <Segmented<DomainEventStatus | 'all'>
            value={status}
            onChange={setStatus}
            options={[
              { value: 'all', label: t('events.anyStatus') },
              ...DOMAIN_EVENT_STATUSES.map((s) => ({ value: s, label: t(`events.statuses.${s}`) })),
            ]}
            data-testid="event-status"
          />
          <Button onClick={() => void list.refetch()}>{t('common.refresh')}</Button>
        </Space>
      </Card>
      <Card size="small">
        <CursorTable<DomainEvent>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          expandable={{
            rowExpandable: (e) => e.payload !== undefined && e.payload !== null,
            expandedRowRender: (e) => (
              <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(e.payload, null, 2)}</pre>
            ),
          }}
          data-testid="events-table"
        />
      </Card>
    </>
  );
}
