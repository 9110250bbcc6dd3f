import { RedoOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Row, Segmented, Space, Statistic, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { DOMAIN_EVENT_STATUSES, api, type DomainEvent, type DomainEventLag, type DomainEventStatus } from '../../api';
import { useCursorList } from '../../api/hooks';
import { CursorTable } from '../../components/CursorTable';
import { errorText } from '../../components/ErrorAlert';
import { StatusTag } from '../../components/StatusTag';
import { formatDateTime, formatNumber } from '../../lib/format';

/** LAG_ALERT_SECONDS is how long the oldest pending event may wait before the page warns. */
const LAG_ALERT_SECONDS = 300;

/** formatAge writes a number of seconds in the largest whole unit: 45 s, 12 min, 3 h, 8 d. */
function formatAge(seconds: number, t: TFunction): string {
  if (seconds < 60) return t('events.lag.seconds', { count: seconds });
  if (seconds < 3600) return t('events.lag.minutes', { count: Math.floor(seconds / 60) });
  if (seconds < 86400) return t('events.lag.hours', { count: Math.floor(seconds / 3600) });
  return t('events.lag.days', { count: Math.floor(seconds / 86400) });
}

/** LagCard shows how far delivery is behind: backlog, oldest pending event, dead events, retention. */
function LagCard({ lag, onDead }: { lag: DomainEventLag; onDead: () => void }) {
  const { t } = useTranslation();
  const behind = lag.oldest_pending_seconds >= LAG_ALERT_SECONDS;
  return (
    <Card size="small" style={{ marginBottom: 16 }} data-testid="event-lag">
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Statistic title={t('events.lag.backlog')} value={formatNumber(lag.pending)} data-testid="event-lag-backlog" />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('events.lag.oldest')}
            value={lag.pending > 0 ? formatAge(lag.oldest_pending_seconds, t) : t('events.lag.none')}
            styles={{ content: behind ? { color: '#cf1322' } : undefined }}
            data-testid="event-lag-oldest"
          />
        </Col>
        <Col xs={12} md={6}>
          <Button type="text" onClick={onDead} style={{ height: 'auto', padding: 0, textAlign: 'left' }} disabled={lag.dead === 0}>
            <Statistic
              title={t('events.lag.dead')}
              value={formatNumber(lag.dead)}
              styles={{ content: lag.dead > 0 ? { color: '#cf1322' } : undefined }}
              data-testid="event-lag-dead"
            />
          </Button>
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('events.lag.retention')}
            value={lag.retention_seconds > 0 ? formatAge(lag.retention_seconds, t) : t('events.lag.forever')}
          />
        </Col>
      </Row>
      {behind && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 12 }}
          title={t('events.lag.behind', { age: formatAge(lag.oldest_pending_seconds, t) })}
          data-testid="event-lag-behind"
        />
      )}
    </Card>
  );
}

/** DomainEventsPage shows the outbox and retries dead events. */
export default function DomainEventsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<DomainEventStatus | 'all'>('all');
  const list = useCursorList('domain-events', { status: status === 'all' ? undefined : status }, api.domainEvents);
  const lag = useQuery({ queryKey: ['domain-events', 'lag'], queryFn: api.domainEventLag, refetchInterval: 10_000 });

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
      {lag.data && <LagCard lag={lag.data} onDead={() => setStatus('dead')} />}
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
          <Button
            onClick={() => {
              void list.refetch();
              void lag.refetch();
            }}
          >
            {t('common.refresh')}
          </Button>
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
