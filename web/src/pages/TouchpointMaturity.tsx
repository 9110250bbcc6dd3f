// The maturity of the touchpoints (docs/identity.md, "Maturity"): the three measurable
// dimensions of the touchpoint digitisation model — 覆盖与布局, 在线与连接, 数据与质量 —
// the level of each touchpoint and what keeps it from the next one.
import { QuestionCircleOutlined } from '@ant-design/icons';
import { Card, Col, Row, Segmented, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MATURITY_LEVELS, type Maturity, type MaturityLevel, type TouchpointMaturity as Item } from '../api';
import { useStoreNamesOf, useTouchpointMaturity } from '../api/hooks';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatNumber, formatPercent } from '../lib/format';

/** WINDOWS are the windows, in UTC days, a user can pick. */
export const WINDOWS = [7, 30, 90] as const;

/** LEVEL_COLORS gives each level a tag colour and a bar colour, grey to green. */
const LEVEL_COLORS: Record<MaturityLevel, { tag: string; bar: string }> = {
  registered: { tag: 'default', bar: '#bfbfbf' },
  connected: { tag: 'blue', bar: '#1677ff' },
  identified: { tag: 'cyan', bar: '#13c2c2' },
  mature: { tag: 'green', bar: '#52c41a' },
};

const levelRank = (l: string) => MATURITY_LEVELS.indexOf(l as MaturityLevel);

/** countsOf lists a count map largest first, leaving out zeros. */
export function countsOf(m: Record<string, number> | undefined): { key: string; count: number }[] {
  return Object.entries(m ?? {})
    .filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** identifiedRate is an item's identified rate, or undefined when it stored nothing. */
const identifiedRate = (i: Item) => (i.accepted > 0 ? i.identified_rate : undefined);

/** rejectionRate is an item's rejection rate, or undefined when it received nothing. */
const rejectionRate = (i: Item) => (i.accepted + i.rejected > 0 ? i.rejection_rate : undefined);

/** TouchpointMaturity shows the touchpoints' maturity over a window of 7, 30 or 90 days. */
export function TouchpointMaturity() {
  const { t } = useTranslation();
  const [days, setDays] = useState<number>(30);
  const maturity = useTouchpointMaturity(days);
  const m = maturity.data;

  return (
    <>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Typography.Text>{t('touchpoints.maturity.window')}</Typography.Text>
          <Segmented<number>
            value={days}
            onChange={setDays}
            options={WINDOWS.map((d) => ({ value: d, label: t('touchpoints.maturity.days', { count: d }) }))}
            data-testid="maturity-days"
          />
          {m ? <Typography.Text type="secondary">{t('touchpoints.maturity.from', { from: m.from, zone: m.time_zone ?? 'Asia/Shanghai' })}</Typography.Text> : null}
        </Space>
      </Card>
      {maturity.error ? <ErrorAlert error={maturity.error} /> : null}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={8}>
          <CoverageCard m={m} loading={maturity.isPending} />
        </Col>
        <Col xs={24} lg={8}>
          <ConnectionCard m={m} loading={maturity.isPending} />
        </Col>
        <Col xs={24} lg={8}>
          <QualityCard m={m} loading={maturity.isPending} />
        </Col>
      </Row>
      <LevelsCard levels={m?.levels} loading={maturity.isPending} />
      <Card size="small">
        <MaturityTable items={m?.touchpoints ?? []} loading={maturity.isPending && !maturity.error} />
      </Card>
    </>
  );
}

/** DimensionCard is one dimension of the model with a line saying what it measures. */
function DimensionCard({ title, hint, loading, testId, children }: { title: string; hint: string; loading: boolean; testId: string; children: ReactNode }) {
  return (
    <Card
      size="small"
      loading={loading}
      style={{ height: '100%' }}
      title={
        <Space size={4}>
          {title}
          <Tooltip title={hint}>
            <QuestionCircleOutlined style={{ color: '#8c8c8c' }} />
          </Tooltip>
        </Space>
      }
      data-testid={testId}
    >
      {children}
    </Card>
  );
}

/** Stat is one figure of a dimension card, with an optional share after it. */
function Stat({ title, value, suffix, testId }: { title: string; value: string; suffix?: string; testId: string }) {
  return (
    <Statistic
      title={title}
      value={value}
      suffix={suffix ? <span style={{ fontSize: 13, color: '#8c8c8c' }}>{suffix}</span> : undefined}
      data-testid={testId}
    />
  );
}

function CoverageCard({ m, loading }: { m: Maturity | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const c = m?.coverage;
  const total = c?.stores ?? null;
  // Without the store total (no permission to read stores) the counts stand alone.
  const stores = (n: number | undefined) => (total === null ? formatNumber(n) : `${formatNumber(n)} / ${formatNumber(total)}`);
  const share = (n: number | undefined) => (total ? formatPercent((n ?? 0) / total) : undefined);
  const tags = (counts: { key: string; count: number }[], label: (k: string) => string) =>
    counts.length ? (
      <Space size={[4, 4]} wrap>
        {counts.map((x) => (
          <Tag key={x.key}>
            {label(x.key)} {formatNumber(x.count)}
          </Tag>
        ))}
      </Space>
    ) : (
      <Typography.Text type="secondary">{t('touchpoints.maturity.none')}</Typography.Text>
    );
  return (
    <DimensionCard title={t('touchpoints.maturity.coverage')} hint={t('touchpoints.maturity.coverageHint')} loading={loading} testId="maturity-coverage">
      <Row gutter={16}>
        <Col span={12}>
          <Stat
            title={t('touchpoints.maturity.storesWithTouchpoints')}
            value={stores(c?.stores_with_touchpoints)}
            suffix={share(c?.stores_with_touchpoints)}
            testId="maturity-stores-with-touchpoints"
          />
        </Col>
        <Col span={12}>
          <Stat
            title={t('touchpoints.maturity.storesConnected')}
            value={stores(c?.stores_connected)}
            suffix={share(c?.stores_connected)}
            testId="maturity-stores-connected"
          />
        </Col>
      </Row>
      {c && total === null ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('touchpoints.maturity.storesUnknown')}
        </Typography.Text>
      ) : null}
      <Typography.Paragraph type="secondary" style={{ margin: '12px 0 4px' }}>
        {t('touchpoints.maturity.byType')}
      </Typography.Paragraph>
      {tags(countsOf(c?.by_type), (k) => t(`touchpoints.types.${k}`, { defaultValue: k }))}
      <Typography.Paragraph type="secondary" style={{ margin: '12px 0 4px' }}>
        {t('touchpoints.maturity.byChannel')}
      </Typography.Paragraph>
      {tags(countsOf(c?.by_channel), (k) => t(`touchpoints.channels.${k}`, { defaultValue: k }))}
    </DimensionCard>
  );
}

function ConnectionCard({ m, loading }: { m: Maturity | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const c = m?.connection;
  const figures: [string, number | undefined][] = [
    ['registered', c?.touchpoints],
    ['active', c?.active],
    ['connected', c?.connected],
    ['seenLastDay', c?.seen_last_day],
  ];
  return (
    <DimensionCard title={t('touchpoints.maturity.connection')} hint={t('touchpoints.maturity.connectionHint')} loading={loading} testId="maturity-connection">
      <Row gutter={[16, 16]}>
        {figures.map(([key, value]) => (
          <Col span={12} key={key}>
            <Stat title={t(`touchpoints.maturity.${key}`)} value={formatNumber(value)} testId={`maturity-${key}`} />
          </Col>
        ))}
      </Row>
    </DimensionCard>
  );
}

function QualityCard({ m, loading }: { m: Maturity | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const q = m?.quality;
  const received = (q?.accepted ?? 0) + (q?.rejected ?? 0);
  return (
    <DimensionCard title={t('touchpoints.maturity.quality')} hint={t('touchpoints.maturity.qualityHint')} loading={loading} testId="maturity-quality">
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <Stat title={t('touchpoints.maturity.accepted')} value={formatNumber(q?.accepted)} testId="maturity-accepted" />
        </Col>
        <Col span={12}>
          <Stat
            title={t('touchpoints.maturity.rejected')}
            value={formatNumber(q?.rejected)}
            suffix={received ? formatPercent(q?.rejection_rate) : undefined}
            testId="maturity-rejected"
          />
        </Col>
        <Col span={12}>
          <Stat
            title={t('touchpoints.maturity.identified')}
            value={formatNumber(q?.identified)}
            suffix={q?.accepted ? formatPercent(q.identified_rate) : undefined}
            testId="maturity-identified"
          />
        </Col>
      </Row>
    </DimensionCard>
  );
}

/** LevelTag shows a level in its colour. */
export function LevelTag({ level }: { level: string }) {
  const { t } = useTranslation();
  const color = LEVEL_COLORS[level as MaturityLevel]?.tag ?? 'default';
  return <Tag color={color}>{t(`touchpoints.maturity.levelNames.${level}`, { defaultValue: level })}</Tag>;
}

/** LevelsCard shows how many touchpoints are at each level, as one stacked bar and tags. */
function LevelsCard({ levels, loading }: { levels: Record<string, number> | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const total = MATURITY_LEVELS.reduce((n, l) => n + (levels?.[l] ?? 0), 0);
  return (
    <Card
      size="small"
      loading={loading}
      style={{ marginBottom: 16 }}
      title={
        <Space size={4}>
          {t('touchpoints.maturity.levels')}
          <Tooltip title={t('touchpoints.maturity.levelsHint')}>
            <QuestionCircleOutlined style={{ color: '#8c8c8c' }} />
          </Tooltip>
        </Space>
      }
      data-testid="maturity-levels"
    >
      {total > 0 ? (
        <div style={{ display: 'flex', height: 12, borderRadius: 6, overflow: 'hidden', marginBottom: 12 }}>
          {MATURITY_LEVELS.filter((l) => (levels?.[l] ?? 0) > 0).map((l) => (
            <div key={l} style={{ flex: levels?.[l] ?? 0, background: LEVEL_COLORS[l].bar }} />
          ))}
        </div>
      ) : null}
      <Space size={[8, 8]} wrap>
        {MATURITY_LEVELS.map((l) => (
          <span key={l} data-testid={`maturity-level-${l}`}>
            <LevelTag level={l} />
            <Typography.Text strong>{formatNumber(levels?.[l] ?? 0)}</Typography.Text>
            {total > 0 ? <Typography.Text type="secondary"> ({formatPercent((levels?.[l] ?? 0) / total)})</Typography.Text> : null}
          </span>
        ))}
      </Space>
    </Card>
  );
}

function MaturityTable({ items, loading }: { items: Item[]; loading: boolean }) {
  const storeNames = useStoreNamesOf(items.map((i) => i.store_id ?? ''));
  const { t } = useTranslation();
  const columns: TableColumnsType<Item> = [
    {
      title: t('touchpoints.maturity.touchpoint'),
      key: 'touchpoint',
      fixed: 'left',
      render: (_, i) => (
        <Space orientation="vertical" size={0}>
          {i.name}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {i.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('touchpoints.type'), key: 'type', render: (_, i) => t(`touchpoints.types.${i.type}`, { defaultValue: i.type }) },
    { title: t('touchpoints.channel'), key: 'channel', render: (_, i) => t(`touchpoints.channels.${i.channel}`, { defaultValue: i.channel }) },
    {
      title: t('touchpoints.store'),
      key: 'store',
      render: (_, i) => (i.store_id ? (storeNames.get(i.store_id) ?? i.store_id) : '—'),
    },
    {
      title: t('touchpoints.maturity.level'),
      key: 'level',
      render: (_, i) => <LevelTag level={i.level} />,
      filters: MATURITY_LEVELS.map((l) => ({ value: l, text: t(`touchpoints.maturity.levelNames.${l}`) })),
      onFilter: (v, i) => i.level === v,
      sorter: (a, b) => levelRank(a.level) - levelRank(b.level),
    },
    {
      title: t('touchpoints.maturity.identifiedRate'),
      key: 'identifiedRate',
      align: 'right',
      render: (_, i) => formatPercent(identifiedRate(i)),
      sorter: (a, b) => (identifiedRate(a) ?? -1) - (identifiedRate(b) ?? -1),
    },
    {
      title: t('touchpoints.maturity.rejectionRate'),
      key: 'rejectionRate',
      align: 'right',
      render: (_, i) => formatPercent(rejectionRate(i)),
      sorter: (a, b) => (rejectionRate(a) ?? -1) - (rejectionRate(b) ?? -1),
    },
    {
      title: t('touchpoints.maturity.activeDays'),
      key: 'activeDays',
      align: 'right',
      render: (_, i) => `${formatNumber(i.active_days)} / ${formatNumber(i.window_days)}`,
    },
    {
      title: t('touchpoints.maturity.gaps'),
      key: 'gaps',
      render: (_, i) =>
        i.gaps.length ? (
          <Space orientation="vertical" size={0}>
            {i.gaps.map((g) => (
              <Typography.Text key={g} type={g === 'disabled' ? 'secondary' : 'warning'}>
                {t(`touchpoints.maturity.gapTexts.${g}`, { defaultValue: g })}
              </Typography.Text>
            ))}
          </Space>
        ) : (
          '—'
        ),
    },
  ];
  return (
    <Table<Item>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={items}
      loading={loading}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      data-testid="maturity-table"
    />
  );
}
