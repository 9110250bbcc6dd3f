import { WalletOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, Empty, Form, Input, InputNumber, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope } from '../../api/customers';
import { storedValueApi, usePaidMembership, useStoredValue, useStoredValueChange, type SVEntry } from '../../api/storedValue';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../lib/format';
import { formatFen } from '../../lib/money';

/**
 * StoredValueCard is the customer 360 page's stored-value section: the balance and
 * the latest postings of the customer's account, and its paid membership (the plan in
 * force, until when, the rebate credited this year); with loyalty:write an adjustment
 * with its reason (audited).
 */
export function StoredValueCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const sv = useStoredValue(customerId);
  const membership = usePaidMembership(customerId);
  const canWrite = useHasScope('loyalty:write');
  const columns: TableColumnsType<SVEntry> = [
    { title: t('storedValue.at'), key: 'at', render: (_, e) => formatDateTime(e.created_at) },
    { title: t('storedValue.kind'), key: 'kind', render: (_, e) => <Tag>{t(`storedValue.kinds.${e.kind}`, { defaultValue: e.kind })}</Tag> },
    { title: t('storedValue.amount'), key: 'amount', render: (_, e) => (e.amount_fen > 0 ? `+${formatFen(e.amount_fen)}` : formatFen(e.amount_fen)) },
    { title: t('storedValue.balanceAfter'), key: 'balance', render: (_, e) => formatFen(e.balance_fen) },
    {
      title: t('storedValue.detail'),
      key: 'detail',
      render: (_, e) => [e.reason, e.order_id && t('storedValue.order', { id: e.order_id })].filter(Boolean).join(' · ') || '—',
    },
  ];
  const m = membership.data;
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="customer-stored-value"
      title={
        <Space>
          <WalletOutlined />
          {t('storedValue.card.title')}
        </Space>
      }
    >
      {sv.error && <ErrorAlert error={sv.error} />}
      {membership.error && <ErrorAlert error={membership.error} />}
      <Row gutter={16}>
        <Col xs={12} md={8}>
          <Statistic title={t('storedValue.balance')} value={formatFen(sv.data?.balance_fen ?? 0)} data-testid="stored-value-balance" />
        </Col>
        <Col xs={24} md={16}>
          {m?.active && m.plan ? (
            <Descriptions size="small" column={1} data-testid="paid-membership">
              <Descriptions.Item label={t('storedValue.card.plan')}>
                <Tag color="gold">{m.plan.name}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('storedValue.card.until')}>{formatDateTime(m.periods[0]?.ends_at ?? m.active.ends_at)}</Descriptions.Item>
              <Descriptions.Item label={t('storedValue.card.rebated')}>
                {t('storedValue.card.rebatedOf', { got: formatFen(m.rebated_fen), cap: formatFen(m.plan.rebate_cap_fen ?? 0) })}
              </Descriptions.Item>
            </Descriptions>
          ) : (
            <Typography.Text type="secondary" data-testid="paid-membership-none">
              {t('storedValue.card.noMembership')}
            </Typography.Text>
          )}
        </Col>
      </Row>
      <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
        {t('storedValue.card.ledger')}
      </Typography.Text>
      {sv.data && sv.data.entries.items.length === 0 ? (
        <Empty description={t('storedValue.card.empty')} />
      ) : (
        <Table<SVEntry>
          rowKey="id"
          size="small"
          pagination={false}
          columns={columns}
          dataSource={sv.data?.entries.items}
          loading={sv.isPending}
          data-testid="stored-value-ledger"
        />
      )}
      {canWrite && <AdjustForm customerId={customerId} />}
    </Card>
  );
}

type AdjustValues = { yuan: number; reason: string };

/** AdjustForm posts a manual correction of the balance with its reason (audited). */
function AdjustForm({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<AdjustValues>();
  const [open, setOpen] = useState(false);
  const adjust = useStoredValueChange((v: AdjustValues) =>
    storedValueApi.adjust(customerId, { amount_fen: Math.round(v.yuan * 100), reason: v.reason }),
  );
  if (!open) {
    return (
      <Button size="small" style={{ marginTop: 8 }} onClick={() => setOpen(true)} data-testid="stored-value-adjust-open">
        {t('storedValue.card.adjust')}
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
            void message.success(t('storedValue.card.adjusted'));
            form.resetFields();
            setOpen(false);
          },
        })
      }
    >
      <Form.Item name="yuan" rules={[{ required: true, message: t('storedValue.required') }]}>
        <InputNumber placeholder={t('storedValue.card.adjustYuan')} precision={2} data-testid="stored-value-adjust-yuan" />
      </Form.Item>
      <Form.Item name="reason" rules={[{ required: true, message: t('storedValue.required') }]}>
        <Input placeholder={t('storedValue.card.reason')} maxLength={500} style={{ width: 240 }} data-testid="stored-value-adjust-reason" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={adjust.isPending} data-testid="stored-value-adjust-submit">
        {t('storedValue.card.post')}
      </Button>
      {adjust.error && <ErrorAlert error={adjust.error} />}
    </Form>
  );
}
