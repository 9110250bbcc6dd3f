import { CrownOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Progress, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope } from '../../api/customers';
import {
  loyaltyApi,
  useLoyaltyBalances,
  useLoyaltyChange,
  useLoyaltyLedger,
  useLoyaltyPrograms,
  type LoyaltyActionCredit,
  type LoyaltyAdjust,
  type LoyaltyBalance,
  type LoyaltyEntry,
  type LoyaltyLot,
  type LoyaltyTierMove,
} from '../../api/loyalty';
import { ErrorAlert } from '../../components/ErrorAlert';
import dayjs from 'dayjs';
import { formatDateTime, formatNumber } from '../../lib/format';
import { CustomerCoupons } from './CustomerCoupons';

/**
 * LoyaltyCard is the customer 360 page's loyalty section: per program the tier and
 * the growth to the next one, the points (available, pending, total), the lots and
 * the latest ledger postings; with loyalty:write it enrols the customer and adjusts
 * points with a reason.
 */
export function LoyaltyCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const balances = useLoyaltyBalances(customerId);
  const canWrite = useHasScope('loyalty:write');
  const items = balances.data?.items ?? [];
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="customer-loyalty"
      title={
        <Space>
          <CrownOutlined />
          {t('loyalty.card.title')}
        </Space>
      }
      extra={canWrite && <EnrolButton customerId={customerId} enrolled={items.map((b) => b.member.program_id)} />}
    >
      {balances.error && <ErrorAlert error={balances.error} />}
      {!balances.isPending && !balances.error && items.length === 0 && <Empty description={t('loyalty.card.notMember')} />}
      {items.map((b) => (
        <MemberPanel key={b.member.program_id} balance={b} canWrite={canWrite} />
      ))}
      <CustomerCoupons customerId={customerId} />
    </Card>
  );
}

/** EnrolButton enrols the customer in a program it is not a member of. */
function EnrolButton({ customerId, enrolled }: { customerId: string; enrolled: string[] }) {
  const { t } = useTranslation();
  const programs = useLoyaltyPrograms();
  const enrol = useLoyaltyChange((programId: string) => loyaltyApi.enrol(programId, customerId));
  const open = (programs.data?.items ?? []).filter((p) => p.status !== 'inactive' && !enrolled.includes(p.id));
  if (open.length === 0) return null;
  return (
    <Select
      size="small"
      style={{ width: 180 }}
      placeholder={t('loyalty.card.enrol')}
      loading={enrol.isPending}
      value={null}
      onChange={(v: string) => enrol.mutate(v)}
      options={open.map((p) => ({ value: p.id, label: p.name }))}
      data-testid="loyalty-enrol"
    />
  );
}

/** lastValidDay is the day before a period's end (which is 00:00 of the next day), in local time. */
const lastValidDay = (end: string) => dayjs(end).subtract(1, 'millisecond').format('YYYY-MM-DD');

/** MemberPanel shows one membership: tier, points, lots and ledger. */
function MemberPanel({ balance: b, canWrite }: { balance: LoyaltyBalance; canWrite: boolean }) {
  const { t } = useTranslation();
  const programs = useLoyaltyPrograms();
  const program = programs.data?.items.find((p) => p.id === b.member.program_id);
  const { lots, entries, actions, tierMoves } = useLoyaltyLedger(b.member.program_id, b.member.customer_id);
  const tierName = (id?: string) => (id ? (program?.tiers.find((x) => x.id === id)?.name ?? id) : '—');
  const toNext = b.next_tier ? b.next_tier.threshold - b.member.growth : 0;
  const percent = b.next_tier ? Math.min(100, Math.round((b.member.growth / Math.max(1, b.next_tier.threshold)) * 100)) : 100;

  const lotColumns: TableColumnsType<LoyaltyLot> = [
    { title: t('loyalty.card.earnedAt'), key: 'at', render: (_, l) => formatDateTime(l.created_at) },
    { title: t('loyalty.card.points'), dataIndex: 'points', key: 'points' },
    { title: t('loyalty.card.remaining'), dataIndex: 'remaining', key: 'remaining' },
    { title: t('loyalty.card.availableAt'), key: 'avail', render: (_, l) => formatDateTime(l.available_at) },
    { title: t('loyalty.card.expiresAt'), key: 'exp', render: (_, l) => (l.expires_at ? formatDateTime(l.expires_at) : t('loyalty.card.never')) },
  ];
  const entryColumns: TableColumnsType<LoyaltyEntry> = [
    { title: t('loyalty.card.at'), key: 'at', render: (_, e) => formatDateTime(e.created_at) },
    { title: t('loyalty.card.kind'), key: 'kind', render: (_, e) => <Tag>{t(`loyalty.card.kinds.${e.kind}`, { defaultValue: e.kind })}</Tag> },
    { title: t('loyalty.card.points'), key: 'points', render: (_, e) => (e.points > 0 ? `+${e.points}` : e.points) },
    {
      title: t('loyalty.card.detail'),
      key: 'detail',
      render: (_, e) =>
        [
          // An earn without an order is an action's: its reason is the action's name.
          e.kind === 'earn' && !e.order_id && e.reason ? t(`loyalty.actions.names.${e.reason}`, { defaultValue: e.reason }) : e.reason,
          e.order_id && t('loyalty.card.order', { id: e.order_id }),
          e.shortfall ? t('loyalty.card.shortfall', { n: e.shortfall }) : '',
        ]
          .filter(Boolean)
          .join(' · ') || '—',
    },
  ];

  const moveColumns: TableColumnsType<LoyaltyTierMove> = [
    { title: t('loyalty.card.at'), key: 'at', render: (_, m) => formatDateTime(m.moved_at) },
    {
      title: t('loyalty.card.move'),
      key: 'move',
      render: (_, m) => (
        <Space size={4}>
          <Tag color={m.reason === 'downgrade' ? 'orange' : m.reason === 'upgrade' ? 'green' : 'blue'}>{t(`loyalty.card.moveReasons.${m.reason}`)}</Tag>
          {m.reason === 'retained' ? tierName(m.to_tier_id) : `${tierName(m.from_tier_id)} → ${tierName(m.to_tier_id)}`}
        </Space>
      ),
    },
    { title: t('loyalty.card.growth'), key: 'growth', render: (_, m) => formatNumber(m.growth) },
  ];
  const actionColumns: TableColumnsType<LoyaltyActionCredit> = [
    { title: t('loyalty.card.at'), key: 'at', render: (_, c) => formatDateTime(c.occurred_at) },
    { title: t('loyalty.card.action'), key: 'action', render: (_, c) => t(`loyalty.actions.names.${c.action}`, { defaultValue: c.action }) },
    {
      title: t('loyalty.card.earned'),
      key: 'earned',
      render: (_, c) =>
        [c.growth ? t('loyalty.actions.growthN', { n: c.growth }) : '', c.points ? t('loyalty.actions.pointsN', { n: c.points }) : '']
          .filter(Boolean)
          .join(' · '),
    },
  ];

  return (
    <div style={{ marginBottom: 16 }} data-testid={`loyalty-member-${program?.code ?? b.member.program_id}`}>
      <Space style={{ marginBottom: 8 }}>
        <Typography.Text strong>{program?.name ?? b.member.program_id}</Typography.Text>
        {b.tier ? <Tag color="gold">{b.tier.name}</Tag> : <Tag>{t('loyalty.card.noTier')}</Tag>}
        <Typography.Text type="secondary">{t(`loyalty.card.sources.${b.member.source}`, { defaultValue: b.member.source })}</Typography.Text>
      </Space>
      {b.tier && b.member.valid_until && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="loyalty-tier-validity">
          {t('loyalty.card.validUntil', { date: lastValidDay(b.member.valid_until) })} ·{' '}
          {b.retention_needed > 0
            ? t('loyalty.card.toKeep', { n: formatNumber(b.retention_needed), tier: b.tier.name })
            : t('loyalty.card.kept', { tier: b.tier.name })}
        </Typography.Paragraph>
      )}
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Statistic title={t('loyalty.card.available')} value={formatNumber(b.available)} data-testid="loyalty-available" />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('loyalty.card.pending')} value={formatNumber(b.pending)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('loyalty.card.total')} value={formatNumber(b.total)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('loyalty.card.growth')} value={formatNumber(b.member.growth)} />
          <Progress percent={percent} size="small" showInfo={false} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {b.next_tier ? t('loyalty.card.toNext', { n: toNext, tier: b.next_tier.name }) : t('loyalty.card.top')}
          </Typography.Text>
        </Col>
      </Row>
      <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
        {t('loyalty.card.lots')}
      </Typography.Text>
      {lots.error && <ErrorAlert error={lots.error} />}
      <Table<LoyaltyLot> rowKey="id" size="small" pagination={{ pageSize: 5, hideOnSinglePage: true }} columns={lotColumns} dataSource={lots.data?.items} loading={lots.isPending} />
      <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
        {t('loyalty.card.ledger')}
      </Typography.Text>
      {entries.error && <ErrorAlert error={entries.error} />}
      <Table<LoyaltyEntry>
        rowKey="id"
        size="small"
        pagination={false}
        columns={entryColumns}
        dataSource={entries.data?.items}
        loading={entries.isPending}
        data-testid="loyalty-ledger"
      />
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
            {t('loyalty.card.tierHistory')}
          </Typography.Text>
          {tierMoves.error && <ErrorAlert error={tierMoves.error} />}
          <Table<LoyaltyTierMove>
            rowKey={(m) => `${m.moved_at}-${m.to_tier_id}`}
            size="small"
            pagination={{ pageSize: 5, hideOnSinglePage: true }}
            columns={moveColumns}
            dataSource={tierMoves.data?.items}
            loading={tierMoves.isPending}
            locale={{ emptyText: t('loyalty.card.noMoves') }}
            data-testid="loyalty-tier-moves"
          />
        </Col>
        <Col xs={24} xl={12}>
          <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
            {t('loyalty.card.actions')}
          </Typography.Text>
          {actions.error && <ErrorAlert error={actions.error} />}
          <Table<LoyaltyActionCredit>
            rowKey="id"
            size="small"
            pagination={{ pageSize: 5, hideOnSinglePage: true }}
            columns={actionColumns}
            dataSource={actions.data?.items}
            loading={actions.isPending}
            locale={{ emptyText: t('loyalty.card.noActions') }}
            data-testid="loyalty-actions"
          />
        </Col>
      </Row>
      {canWrite && <AdjustForm programId={b.member.program_id} customerId={b.member.customer_id} />}
    </div>
  );
}

/** AdjustForm posts a manual correction with its reason (audited). */
function AdjustForm({ programId, customerId }: { programId: string; customerId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<LoyaltyAdjust>();
  const [open, setOpen] = useState(false);
  const adjust = useLoyaltyChange((body: LoyaltyAdjust) => loyaltyApi.adjust(programId, customerId, body));
  if (!open) {
    return (
      <Button size="small" style={{ marginTop: 8 }} onClick={() => setOpen(true)} data-testid="loyalty-adjust-open">
        {t('loyalty.card.adjust')}
      </Button>
    );
  }
  return (
    <Form
      form={form}
      layout="inline"
      style={{ marginTop: 8, rowGap: 8 }}
      onFinish={(v) =>
        adjust.mutate(v, {
          onSuccess: () => {
            void message.success(t('loyalty.card.adjusted'));
            form.resetFields();
            setOpen(false);
          },
        })
      }
    >
      <Form.Item name="points" rules={[{ required: true, message: t('loyalty.required') }]}>
        <InputNumber placeholder={t('loyalty.card.adjustPoints')} precision={0} data-testid="loyalty-adjust-points" />
      </Form.Item>
      <Form.Item name="reason" rules={[{ required: true, message: t('loyalty.card.reasonRequired') }]}>
        <Input placeholder={t('loyalty.card.reason')} maxLength={500} style={{ width: 240 }} data-testid="loyalty-adjust-reason" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={adjust.isPending} data-testid="loyalty-adjust-submit">
        {t('loyalty.card.post')}
      </Button>
      {adjust.error && <ErrorAlert error={adjust.error} />}
    </Form>
  );
}
