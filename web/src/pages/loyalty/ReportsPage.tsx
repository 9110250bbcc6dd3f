import { Card, Col, Empty, Radio, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope } from '../../api/customers';
import { useCouponFunnel, usePointsReport, type CouponFunnel } from '../../api/loyalty';
import { useLiability } from '../../api/storedValue';
import { Chart } from '../../components/Chart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatNumber } from '../../lib/format';
import { formatFen } from '../../lib/money';
import { salesRange } from '../orders/salesChart';
import { earnBurnBy, earnBurnOption, funnelOption, liabilityOption, tiersOption } from './reportCharts';
import { useStoreNamesOf } from '../../api/hooks';
import { shortId } from '../orders/parts';

const PRESETS = [30, 90, 365] as const;
type Preset = (typeof PRESETS)[number];

type TemplateRow = CouponFunnel['templates'][number];

/**
 * ReportsPage shows the loyalty reports the server computes for the whole tenant:
 * points liability by expiry month, earn/burn by store and channel over a period,
 * members per tier and the period's tier moves, the coupon funnel by template and
 * channel, and the stored-value liability.
 */
export default function ReportsPage() {
  const { t } = useTranslation();
  const canRead = useHasScope('loyalty:read');
  const [days, setDays] = useState<Preset>(90);
  const range = useMemo(() => salesRange(days), [days]);
  const points = usePointsReport(range, canRead);
  const funnel = useCouponFunnel(range, canRead);
  const liability = useLiability(canRead);
  const [programId, setProgramId] = useState<string>();
  const programs = points.data?.programs ?? [];
  const program = programs.find((p) => p.program_id === programId) ?? programs[0];
  const channelName = (c: string) => (c ? t(`orders.channels.${c}`, { defaultValue: c }) : t('loyaltyReports.noChannel'));
  // Stores by name, never by id; an id the caller cannot read falls back to its start.
  const storeNames = useStoreNamesOf((program?.earn_burn ?? []).map((r) => r.store_id));
  const storeName = (s: string) => (s ? (storeNames.get(s) ?? shortId(s)) : t('loyaltyReports.noStore'));
  const bars = { earned: t('loyaltyReports.earned'), redeemed: t('loyaltyReports.redeemed') };
  const f = funnel.data;
  const l = liability.data;
  return (
    <>
      <Row justify="space-between" style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('loyaltyReports.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('loyaltyReports.subtitle', { first: range.first, last: range.last })}</Typography.Text>
        </div>
        <Space wrap>
          {programs.length > 1 && (
            <Select
              style={{ minWidth: 160 }}
              value={program?.program_id}
              onChange={setProgramId}
              options={programs.map((p) => ({ value: p.program_id, label: p.program_name }))}
              data-testid="report-program"
            />
          )}
          <Radio.Group
            optionType="button"
            value={days}
            onChange={(e) => setDays(e.target.value as Preset)}
            options={PRESETS.map((d) => ({ value: d, label: t('loyaltyReports.lastDays', { n: d }) }))}
            data-testid="report-range"
          />
        </Space>
      </Row>
      {points.error && <ErrorAlert error={points.error} />}
      {funnel.error && <ErrorAlert error={funnel.error} />}
      {liability.error && <ErrorAlert error={liability.error} />}
      {program ? (
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card size="small" style={{ marginBottom: 16 }} title={t('loyaltyReports.liability')} data-testid="report-liability">
              <Statistic title={t('loyaltyReports.balance')} value={formatNumber(program.balance)} />
              {program.liability.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
              ) : (
                <Chart testId="chart-liability" height={240} option={liabilityOption(program, t('loyaltyReports.never'), t('loyaltyReports.points'))} />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" style={{ marginBottom: 16 }} title={t('loyaltyReports.tiers')} data-testid="report-tiers">
              <Chart testId="chart-tiers" height={240} option={tiersOption(program, t('loyaltyReports.noTier'))} />
              <Table
                size="small"
                rowKey={(m) => `${m.from_tier_id}>${m.to_tier_id}`}
                pagination={false}
                dataSource={program.moves}
                locale={{ emptyText: t('loyaltyReports.noMoves') }}
                columns={[
                  { title: t('loyaltyReports.from'), key: 'from', render: (_, m) => m.from_tier_name || t('loyaltyReports.noTier') },
                  { title: t('loyaltyReports.to'), key: 'to', render: (_, m) => m.to_tier_name },
                  { title: t('loyaltyReports.moves'), key: 'n', render: (_, m) => formatNumber(m.moves) },
                ]}
                data-testid="report-moves"
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" style={{ marginBottom: 16 }} title={t('loyaltyReports.byStore')} data-testid="report-by-store">
              <Chart testId="chart-by-store" height={240} option={earnBurnOption(earnBurnBy(program, 'store_id'), storeName, bars)} />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" style={{ marginBottom: 16 }} title={t('loyaltyReports.byChannel')} data-testid="report-by-channel">
              <Chart testId="chart-by-channel" height={240} option={earnBurnOption(earnBurnBy(program, 'channel'), channelName, bars)} />
            </Card>
          </Col>
        </Row>
      ) : (
        !points.isPending && <Empty description={t('loyaltyReports.noProgram')} />
      )}
      {f && (
        <Card size="small" style={{ marginBottom: 16 }} title={t('loyaltyReports.funnel')} data-testid="report-funnel">
          <Typography.Paragraph data-testid="report-funnel-total">
            {t('loyaltyReports.funnelTotal', {
              issued: formatNumber(f.total.issued),
              redeemed: formatNumber(f.total.redeemed),
              rate: formatNumber(f.total.redemption_rate_bp / 100, 2),
            })}
          </Typography.Paragraph>
          {f.templates.length > 0 && (
            <Chart
              testId="chart-funnel"
              height={240}
              option={funnelOption(f, {
                unused: t('loyaltyReports.unused'),
                locked: t('loyaltyReports.locked'),
                redeemed: t('loyaltyReports.redeemed'),
                expired: t('loyaltyReports.expired'),
              })}
            />
          )}
          <Table<TemplateRow>
            size="small"
            rowKey="template_id"
            pagination={false}
            dataSource={f.templates}
            columns={[
              { title: t('loyaltyReports.template'), dataIndex: 'template_name', key: 'name' },
              { title: t('loyaltyReports.issued'), key: 'issued', render: (_, r) => formatNumber(r.issued) },
              { title: t('loyaltyReports.unused'), key: 'unused', render: (_, r) => formatNumber(r.unused) },
              { title: t('loyaltyReports.locked'), key: 'locked', render: (_, r) => formatNumber(r.locked) },
              { title: t('loyaltyReports.redeemed'), key: 'redeemed', render: (_, r) => formatNumber(r.redeemed) },
              { title: t('loyaltyReports.expired'), key: 'expired', render: (_, r) => formatNumber(r.expired) },
              { title: t('loyaltyReports.rate'), key: 'rate', render: (_, r) => `${formatNumber(r.redemption_rate_bp / 100, 2)}%` },
              {
                title: t('loyaltyReports.channels'),
                key: 'channels',
                render: (_, r) =>
                  r.channels.map((c) => t('loyaltyReports.channelCounts', { channel: channelName(c.channel), locked: c.locked, redeemed: c.redeemed })).join('; '),
              },
            ]}
            data-testid="report-funnel-table"
          />
        </Card>
      )}
      {l && (
        <Card size="small" title={t('storedValue.liability.title')} data-testid="report-stored-value">
          <Row gutter={16}>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.total')} value={formatFen(l.total_fen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.accounts', { n: l.accounts })} value={formatFen(l.accounts_fen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.cardsActive', { n: l.cards_active })} value={formatFen(l.cards_active_fen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.cardsIssued', { n: l.cards_issued })} value={formatFen(l.cards_issued_face_fen)} />
            </Col>
          </Row>
        </Card>
      )}
    </>
  );
}
