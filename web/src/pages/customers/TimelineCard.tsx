import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Segmented, Space, Spin, Tag, Timeline, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCustomerEvents, useCustomerEventSample, useHasScope } from '../../api/customers';
import { api, fetchAll } from '../../api';
import type { CustomerEvent, Touchpoint } from '../../api/types';
import { Chart } from '../../components/Chart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime, formatRelative } from '../../lib/format';
import { activity, activityOption, eventProperty } from './model';
import { eventIcon } from './parts';

/** SAMPLE_MAX caps how many recent events the activity chart counts. */
const SAMPLE_MAX = 1000;

type SplitBy = 'channel' | 'type';

/** TimelineCard charts the customer's activity and lists the events, newest first. */
export function TimelineCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  // Marketers may not hold touchpoints:read; then the chart splits by event type.
  const canSeeTouchpoints = useHasScope('touchpoints:read');
  const touchpoints = useQuery({
    queryKey: ['touchpoints', 'all', {}, 5000],
    queryFn: () => fetchAll<Touchpoint>((p) => api.touchpoints(p), { max: 5000 }),
    enabled: canSeeTouchpoints,
  });
  const byId = new Map<string, Touchpoint>((canSeeTouchpoints ? (touchpoints.data ?? []) : []).map((tp) => [tp.id, tp]));
  const [split, setSplit] = useState<SplitBy | undefined>(undefined);
  const splitBy: SplitBy = split ?? (canSeeTouchpoints ? 'channel' : 'type');

  const sample = useCustomerEventSample(customerId, SAMPLE_MAX);
  const events = useCustomerEvents(customerId);

  const typeLabel = (type: string) => t(`customers.eventTypes.${type}`, { defaultValue: type });
  const channelOf = (e: CustomerEvent) => {
    const tp = byId.get(e.touchpoint_id);
    return tp ? t(`touchpoints.channels.${tp.channel}`, { defaultValue: tp.channel }) : t('customers.unknownChannel');
  };
  const data = activity(sample.data ?? [], splitBy === 'channel' ? channelOf : (e) => typeLabel(e.type));
  const truncated = (sample.data?.length ?? 0) >= SAMPLE_MAX;

  const items = events.items.map((e) => {
    const { icon, color } = eventIcon(e.type);
    const tp = byId.get(e.touchpoint_id);
    const props = Object.entries(e.properties ?? {});
    return {
      key: e.id,
      icon,
      color,
      title: (
        <Tooltip title={formatDateTime(e.occurred_at)}>
          <Typography.Text type="secondary">{formatRelative(e.occurred_at)}</Typography.Text>
        </Tooltip>
      ),
      content: (
        <div data-testid="timeline-event">
          <Space size={6} wrap>
            <Typography.Text strong>{typeLabel(e.type)}</Typography.Text>
            {tp ? <Tag color="blue">{t(`touchpoints.channels.${tp.channel}`, { defaultValue: tp.channel })}</Tag> : null}
            <Typography.Text type="secondary">{tp ? tp.name : e.touchpoint_id}</Typography.Text>
            <Typography.Text type="secondary">{formatDateTime(e.occurred_at)}</Typography.Text>
          </Space>
          {props.length > 0 ? (
            <div style={{ marginTop: 4 }}>
              {props.map(([k, v]) => {
                const p = eventProperty(k, v, t);
                return (
                  <Tag key={k} bordered={false} style={{ marginBottom: 4 }}>
                    {p.label}: {p.text}
                  </Tag>
                );
              })}
            </div>
          ) : null}
        </div>
      ),
    };
  });

  return (
    <>
      <Card
        size="small"
        title={t('customers.activity')}
        style={{ marginBottom: 16 }}
        extra={
          <Space>
            {truncated ? <Typography.Text type="warning">{t('customers.activityTruncated', { count: SAMPLE_MAX })}</Typography.Text> : null}
            <Segmented<SplitBy>
              size="small"
              value={splitBy}
              onChange={setSplit}
              options={[
                { value: 'channel', label: t('customers.byChannel'), disabled: !canSeeTouchpoints },
                { value: 'type', label: t('customers.byEventType') },
              ]}
            />
          </Space>
        }
      >
        {sample.error ? <ErrorAlert error={sample.error} /> : null}
        {data.buckets.length > 0 ? (
          <Chart testId="chart-customer-activity" height={260} option={activityOption(data)} />
        ) : (
          <Empty description={sample.isPending ? t('customers.loading') : t('customers.noEvents')} />
        )}
      </Card>

      <Card size="small" title={t('customers.timeline')} style={{ marginBottom: 16 }} data-testid="customer-timeline">
        {events.error ? <ErrorAlert error={events.error} /> : null}
        {events.isPending ? (
          <Spin />
        ) : items.length === 0 ? (
          <Empty description={t('customers.noEvents')} />
        ) : (
          <Timeline items={items} />
        )}
        <Space style={{ width: '100%', justifyContent: 'center' }}>
          {events.hasNextPage ? (
            <Button onClick={() => events.fetchNextPage()} loading={events.isFetchingNextPage} data-testid="timeline-more">
              {t('common.loadMore')}
            </Button>
          ) : items.length > 0 ? (
            <Typography.Text type="secondary">{t('common.allLoaded')}</Typography.Text>
          ) : null}
        </Space>
      </Card>
    </>
  );
}
