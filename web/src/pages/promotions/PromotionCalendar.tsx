import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Segmented, Select, Space, Spin, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { TOUCHPOINT_CHANNELS, type CalendarFilter, type CalendarItem, type PromotionStatus } from '../../api/types';
import { usePromotionCalendar } from '../../api/promotions';
import { ErrorAlert } from '../../components/ErrorAlert';
import { KIND_COLORS } from './definition';
import { KindTag, PromotionStatusTag } from './inputs';

/** Bar is a window placed on the month: left and width in percent of the month. */
export interface Bar {
  left: number;
  width: number;
  start: string;
  end: string;
}

/** barsOf clips windows to [from, to) and places them as percentages of that range. */
export function barsOf(item: Pick<CalendarItem, 'windows'>, from: Dayjs, to: Dayjs): Bar[] {
  const span = to.valueOf() - from.valueOf();
  return item.windows
    .map((w) => {
      const s = Math.max(dayjs(w.start).valueOf(), from.valueOf());
      const e = Math.min(dayjs(w.end).valueOf(), to.valueOf());
      return { s, e, w };
    })
    .filter(({ s, e }) => e > s)
    .map(({ s, e, w }) => ({
      left: ((s - from.valueOf()) / span) * 100,
      // At least a sliver, so that a one-hour happy hour stays visible on a month.
      width: Math.max(((e - s) / span) * 100, 0.35),
      start: w.start,
      end: w.end,
    }));
}

const LABEL_WIDTH = 240;

/** PromotionCalendar is a month Gantt of the promotions' windows, recurring ones expanded. */
export function PromotionCalendar() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [month, setMonth] = useState(() => dayjs().startOf('month'));
  const [status, setStatus] = useState<PromotionStatus | undefined>();
  const [channel, setChannel] = useState<string | undefined>();
  const from = month;
  const to = month.add(1, 'month');
  const filter: CalendarFilter = { from: from.toISOString(), to: to.toISOString(), status, channel };
  const calendar = usePromotionCalendar(filter);
  const days = to.diff(from, 'day');
  const today = dayjs();

  const items = useMemo(
    () => [...(calendar.data?.items ?? [])].sort((a, b) => b.priority - a.priority || a.code.localeCompare(b.code)),
    [calendar.data],
  );

  const dayCells = Array.from({ length: days }, (_, i) => from.add(i, 'day'));

  return (
    <Card size="small" data-testid="promotion-calendar">
      <Space wrap style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }}>
        <Space>
          <Button icon={<LeftOutlined />} onClick={() => setMonth(month.subtract(1, 'month'))} aria-label={t('promotions.calendar.prev')} />
          <Typography.Title level={5} style={{ margin: 0, minWidth: 120, textAlign: 'center' }} data-testid="calendar-month">
            {month.format(t('promotions.calendar.monthFormat'))}
          </Typography.Title>
          <Button icon={<RightOutlined />} onClick={() => setMonth(month.add(1, 'month'))} aria-label={t('promotions.calendar.next')} />
          <Button onClick={() => setMonth(dayjs().startOf('month'))}>{t('promotions.calendar.today')}</Button>
        </Space>
        <Space wrap>
          <Segmented
            value={status ?? ''}
            onChange={(v) => setStatus((v || undefined) as PromotionStatus | undefined)}
            options={[
              { value: '', label: t('common.all') },
              { value: 'active', label: t('promotions.status.active') },
              { value: 'draft', label: t('promotions.status.draft') },
              { value: 'paused', label: t('promotions.status.paused') },
            ]}
          />
          <Select
            allowClear
            placeholder={t('promotions.anyChannel')}
            style={{ width: 160 }}
            value={channel}
            onChange={setChannel}
            options={TOUCHPOINT_CHANNELS.map((c) => ({ value: c, label: t(`touchpoints.channels.${c}`) }))}
          />
        </Space>
      </Space>
      {calendar.error ? <ErrorAlert error={calendar.error} /> : null}
      {calendar.isPending ? (
        <div style={{ textAlign: 'center', padding: 40 }}>
          <Spin />
        </div>
      ) : items.length === 0 ? (
        <Empty description={t('promotions.calendar.empty')} />
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <div style={{ minWidth: LABEL_WIDTH + days * 28 }}>
            <div style={{ display: 'flex', borderBottom: '1px solid #f0f0f0' }}>
              <div style={{ width: LABEL_WIDTH, flex: 'none' }} />
              <div style={{ flex: 1, display: 'flex' }}>
                {dayCells.map((d) => {
                  const weekend = d.day() === 0 || d.day() === 6;
                  const isToday = d.isSame(today, 'day');
                  return (
                    <div
                      key={d.date()}
                      style={{
                        flex: 1,
                        textAlign: 'center',
                        fontSize: 12,
                        padding: '4px 0',
                        color: isToday ? '#fff' : weekend ? '#cf1322' : '#595959',
                        background: isToday ? '#1677ff' : weekend ? '#fff1f0' : undefined,
                        borderRadius: isToday ? 4 : 0,
                      }}
                    >
                      <div>{d.date()}</div>
                      <div style={{ fontSize: 10 }}>{t(`promotions.weekdaysShort.${d.day()}`)}</div>
                    </div>
                  );
                })}
              </div>
            </div>
            {items.map((item) => (
              <div key={item.promotion_id} style={{ display: 'flex', alignItems: 'center', borderBottom: '1px solid #fafafa', minHeight: 40 }} data-testid="calendar-row">
                <div style={{ width: LABEL_WIDTH, flex: 'none', paddingRight: 8, overflow: 'hidden' }}>
                  <Space size={4} wrap>
                    <KindTag kind={item.type} />
                    <Typography.Link onClick={() => navigate(`/promotions/${item.promotion_id}`)} ellipsis style={{ maxWidth: 140 }}>
                      {item.name}
                    </Typography.Link>
                    {item.status !== 'active' ? <PromotionStatusTag status={item.status} /> : null}
                  </Space>
                </div>
                <div style={{ flex: 1, position: 'relative', height: 24 }}>
                  {dayCells.map((d, i) =>
                    d.day() === 0 || d.day() === 6 ? (
                      <div
                        key={i}
                        style={{ position: 'absolute', top: -8, bottom: -8, left: `${(i / days) * 100}%`, width: `${100 / days}%`, background: '#fffafa' }}
                      />
                    ) : null,
                  )}
                  {barsOf(item, from, to).map((b) => (
                    <Tooltip
                      key={b.start}
                      title={`${item.name}: ${dayjs(b.start).format('MM-DD HH:mm')} – ${dayjs(b.end).format('MM-DD HH:mm')}`}
                    >
                      <div
                        data-testid="calendar-bar"
                        onClick={() => navigate(`/promotions/${item.promotion_id}`)}
                        style={{
                          position: 'absolute',
                          top: 2,
                          height: 20,
                          left: `${b.left}%`,
                          width: `${b.width}%`,
                          background: KIND_COLORS[item.type] ?? '#1677ff',
                          opacity: item.status === 'active' ? 0.9 : 0.45,
                          borderRadius: 4,
                          cursor: 'pointer',
                        }}
                      />
                    </Tooltip>
                  ))}
                </div>
              </div>
            ))}
          </div>
        </div>
      )}
    </Card>
  );
}
