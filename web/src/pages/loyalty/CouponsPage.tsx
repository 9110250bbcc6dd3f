import { PlusOutlined, SendOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Form, Input, InputNumber, Modal, Progress, Row, Select, Space, Spin, Switch, Table, Tabs, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope } from '../../api/customers';
import {
  couponApi,
  couponTriggers,
  useCouponChange,
  useCouponTemplates,
  type CouponIssue,
  type CouponTemplate,
  type CouponTemplateRequest,
  type CouponTrigger,
} from '../../api/coupons';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CouponGuard } from './CouponGuard';

const yuan = (fen?: number) => `¥${((fen ?? 0) / 100).toFixed(2)}`;

/** discountText describes a template's engine definition in a line. */
export function discountText(t: (k: string, o?: Record<string, unknown>) => string, d: CouponTemplate['discount']): string {
  const def = (d ?? {}) as Record<string, any>;
  const min = def.conditions?.min_spend ? t('coupons.minSpend', { amount: yuan(def.conditions.min_spend) }) : '';
  switch (def.kind) {
    case 'amount_off':
      return t('coupons.kinds.amount_off', { amount: yuan(def.amount_off?.amount) }) + min;
    case 'percent_off':
      return (
        t('coupons.kinds.percent_off', { percent: (def.percent_off?.off_bp ?? 0) / 100 }) +
        (def.percent_off?.max_off ? t('coupons.capText', { amount: yuan(def.percent_off.max_off) }) : '') +
        min
      );
    case 'threshold': {
      const tier = def.threshold?.tiers?.[0];
      return t('coupons.kinds.threshold', { spend: yuan(tier?.spend), off: yuan(tier?.off) });
    }
    case 'delivery_fee':
      return t('coupons.kinds.delivery_fee');
    case 'gift':
      return t('coupons.kinds.gift', { sku: def.gift?.sku ?? '' });
    default:
      return String(def.kind ?? '');
  }
}

/**
 * CouponsPage lists the coupon templates (their discount is a promotion of the
 * engine) with what each issued; with loyalty:write it creates templates and issues
 * coupons to a list of customers. Its anti-abuse tab reviews velocity flags and edits
 * the velocity rules.
 */
export default function CouponsPage() {
  const { t } = useTranslation();
  const canWrite = useHasScope('loyalty:write');
  const templates = useCouponTemplates();
  const [creating, setCreating] = useState(false);
  const [issuing, setIssuing] = useState<CouponTemplate | null>(null);
  const setStatus = useCouponChange((v: { id: string; active: boolean }) => couponApi.setStatus(v.id, v.active ? 'active' : 'inactive'));
  const setTriggers = useCouponChange((v: { id: string; triggers: CouponTrigger[] }) => couponApi.setTriggers(v.id, v.triggers));
  const triggerOptions = couponTriggers.map((k) => ({ value: k, label: t(`coupons.triggerNames.${k}`) }));
  const validity = (tm: CouponTemplate) =>
    tm.valid_days
      ? t('coupons.validDays', { count: tm.valid_days })
      : `${tm.valid_from?.slice(0, 10) ?? ''} – ${tm.valid_to?.slice(0, 10) ?? ''}`;
  const columns: TableColumnsType<CouponTemplate> = [
    { title: t('coupons.code'), dataIndex: 'code', key: 'code' },
    { title: t('coupons.name'), dataIndex: 'name', key: 'name' },
    { title: t('coupons.discount'), key: 'discount', render: (_, tm) => discountText(t, tm.discount) },
    { title: t('coupons.validity'), key: 'validity', render: (_, tm) => validity(tm) },
    {
      title: t('coupons.issued'),
      key: 'issued',
      render: (_, tm) => (tm.total_limit ? `${tm.issued} / ${tm.total_limit}` : tm.issued),
    },
    { title: t('coupons.perMember'), key: 'per', render: (_, tm) => tm.per_member_limit || t('coupons.noLimit') },
    {
      title: t('coupons.triggers'),
      key: 'triggers',
      render: (_, tm) =>
        canWrite ? (
          <Select<CouponTrigger[]>
            mode="multiple"
            size="small"
            style={{ minWidth: 160 }}
            placeholder={t('coupons.noTriggers')}
            value={tm.triggers}
            options={triggerOptions}
            loading={setTriggers.isPending && setTriggers.variables?.id === tm.id}
            onChange={(triggers) => setTriggers.mutate({ id: tm.id, triggers })}
            data-testid={`coupon-triggers-${tm.code}`}
          />
        ) : tm.triggers.length ? (
          tm.triggers.map((k) => <Tag key={k}>{t(`coupons.triggerNames.${k}`)}</Tag>)
        ) : (
          <Typography.Text type="secondary">{t('coupons.noTriggers')}</Typography.Text>
        ),
    },
    {
      title: t('coupons.status'),
      key: 'status',
      render: (_, tm) =>
        canWrite ? (
          <Switch
            size="small"
            checked={tm.status === 'active'}
            loading={setStatus.isPending && setStatus.variables?.id === tm.id}
            onChange={(active) => setStatus.mutate({ id: tm.id, active })}
            checkedChildren={t('coupons.statuses.active')}
            unCheckedChildren={t('coupons.statuses.inactive')}
            data-testid={`coupon-status-${tm.code}`}
          />
        ) : (
          <Tag color={tm.status === 'active' ? 'green' : 'default'}>{t(`coupons.statuses.${tm.status}`)}</Tag>
        ),
    },
  ];
  if (canWrite) {
    columns.push({
      key: 'issue',
      render: (_, tm) => (
        <Button size="small" icon={<SendOutlined />} onClick={() => setIssuing(tm)} data-testid={`coupon-issue-${tm.code}`}>
          {t('coupons.issue')}
        </Button>
      ),
    });
  }
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('coupons.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('coupons.subtitle')}</Typography.Text>
        </div>
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="coupon-template-create">
            {t('coupons.newTemplate')}
          </Button>
        )}
      </Space>
      <Tabs
        defaultActiveKey="templates"
        items={[
          {
            key: 'templates',
            label: t('coupons.tabTemplates'),
            children: (
              <>
                {templates.error && <ErrorAlert error={templates.error} />}
                {setTriggers.error && <ErrorAlert error={setTriggers.error} />}
                {templates.isPending ? (
                  <Spin />
                ) : (templates.data?.items ?? []).length === 0 ? (
                  <Card size="small">
                    <Empty description={t('coupons.noTemplates')} />
                  </Card>
                ) : (
                  <Table<CouponTemplate>
                    rowKey="id"
                    size="small"
                    columns={columns}
                    dataSource={templates.data?.items}
                    pagination={false}
                    data-testid="coupon-templates"
                  />
                )}
              </>
            ),
          },
          { key: 'guard', label: t('coupons.tabGuard'), children: <CouponGuard /> },
        ]}
      />
      {creating && <TemplateModal onClose={() => setCreating(false)} />}
      {issuing && <IssueModal template={issuing} onClose={() => setIssuing(null)} />}
    </>
  );
}

type TemplateForm = {
  code: string;
  name: string;
  kind: 'amount_off' | 'percent_off' | 'threshold' | 'delivery_fee';
  amount?: number; // yuan
  percent?: number;
  cap?: number; // yuan: percent off at most this
  spend?: number; // yuan
  valid_days: number;
  per_member_limit?: number;
  total_limit?: number;
  refund_policy: 'keep' | 'return';
  triggers?: CouponTrigger[];
};

/** templateRequest builds the engine definition of a template from the form (yuan → fen). */
export function templateRequest(v: TemplateForm): CouponTemplateRequest {
  const fen = (y?: number) => Math.round((y ?? 0) * 100);
  let discount: Record<string, unknown>;
  switch (v.kind) {
    case 'percent_off':
      discount = {
        kind: 'percent_off',
        scope: { all: true },
        percent_off: { off_bp: Math.round((v.percent ?? 0) * 100), ...(v.cap ? { max_off: fen(v.cap) } : {}) },
      };
      break;
    case 'threshold':
      discount = { kind: 'threshold', scope: { all: true }, threshold: { tiers: [{ spend: fen(v.spend), off: fen(v.amount) }] } };
      break;
    case 'delivery_fee':
      discount = { kind: 'delivery_fee', scope: { all: true }, delivery_fee: { spend: fen(v.spend), off_bp: 10000 } };
      break;
    default:
      discount = { kind: 'amount_off', scope: { all: true }, amount_off: { amount: fen(v.amount) } };
  }
  if (v.kind !== 'threshold' && v.kind !== 'delivery_fee' && v.spend) {
    discount.conditions = { min_spend: fen(v.spend) };
  }
  return {
    code: v.code,
    name: v.name,
    discount,
    valid_days: v.valid_days,
    per_member_limit: v.per_member_limit || undefined,
    total_limit: v.total_limit || undefined,
    refund_policy: v.refund_policy,
    triggers: v.triggers?.length ? v.triggers : undefined,
  };
}

/** TemplateModal creates a template; the server creates the promotion that prices it. */
function TemplateModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const save = useCouponChange((body: CouponTemplateRequest) => couponApi.createTemplate(body));
  const [form] = Form.useForm<TemplateForm>();
  const kind = Form.useWatch('kind', form);
  return (
    <Modal
      open
      title={t('coupons.newTemplate')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'coupon-template-save' }}
      width={560}
    >
      {save.error && <ErrorAlert error={save.error} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'amount_off', valid_days: 30, refund_policy: 'keep' }}
        onFinish={(v) => save.mutate(templateRequest(v), { onSuccess: onClose })}
      >
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="code" label={t('coupons.code')} rules={[{ required: true, message: t('coupons.required') }]}>
              <Input maxLength={64} data-testid="coupon-code" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="name" label={t('coupons.name')} rules={[{ required: true, message: t('coupons.required') }]}>
              <Input maxLength={200} data-testid="coupon-name" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="kind" label={t('coupons.discount')}>
          <Select
            data-testid="coupon-kind"
            options={(['amount_off', 'percent_off', 'threshold', 'delivery_fee'] as const).map((k) => ({
              value: k,
              label: t(`coupons.kindNames.${k}`),
            }))}
          />
        </Form.Item>
        <Row gutter={8}>
          {kind === 'percent_off' ? (
            <>
              <Col span={6}>
                <Form.Item name="percent" label={t('coupons.percent')} rules={[{ required: true, message: t('coupons.required') }]}>
                  <InputNumber min={1} max={100} style={{ width: '100%' }} data-testid="coupon-percent" />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="cap" label={t('coupons.cap')}>
                  <InputNumber min={0} precision={2} style={{ width: '100%' }} data-testid="coupon-cap" />
                </Form.Item>
              </Col>
            </>
          ) : kind !== 'delivery_fee' ? (
            <Col span={12}>
              <Form.Item name="amount" label={t('coupons.amount')} rules={[{ required: true, message: t('coupons.required') }]}>
                <InputNumber min={0.01} precision={2} style={{ width: '100%' }} data-testid="coupon-amount" />
              </Form.Item>
            </Col>
          ) : null}
          <Col span={12}>
            <Form.Item name="spend" label={t('coupons.spend')}>
              <InputNumber min={0} precision={2} style={{ width: '100%' }} data-testid="coupon-spend" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="valid_days" label={t('coupons.validDaysLabel')} rules={[{ required: true, message: t('coupons.required') }]}>
              <InputNumber min={1} max={3660} precision={0} style={{ width: '100%' }} data-testid="coupon-valid-days" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="per_member_limit" label={t('coupons.perMember')}>
              <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="total_limit" label={t('coupons.totalLimit')}>
              <InputNumber min={0} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="refund_policy" label={t('coupons.refundPolicy')}>
          <Select
            options={(['keep', 'return'] as const).map((k) => ({ value: k, label: t(`coupons.refundPolicies.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="triggers" label={t('coupons.triggers')} extra={t('coupons.triggersHint')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('coupons.noTriggers')}
            options={couponTriggers.map((k) => ({ value: k, label: t(`coupons.triggerNames.${k}`) }))}
            data-testid="coupon-triggers"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** IssueModal issues a template's coupons to a pasted list of customer ids, with progress. */
function IssueModal({ template, onClose }: { template: CouponTemplate; onClose: () => void }) {
  const { t } = useTranslation();
  const [key] = useState(() => `console-${Date.now()}`);
  const [text, setText] = useState('');
  const [result, setResult] = useState<CouponIssue | null>(null);
  const issue = useCouponChange((ids: string[]) => couponApi.issue(template.id, { customer_ids: ids, key }));
  const ids = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    <Modal
      open
      title={t('coupons.issueTitle', { name: template.name })}
      onCancel={onClose}
      onOk={() => (result ? onClose() : issue.mutate(ids, { onSuccess: setResult }))}
      okText={result ? t('coupons.close') : t('coupons.issue')}
      okButtonProps={{ disabled: !result && ids.length === 0, 'data-testid': 'coupon-issue-send' }}
      confirmLoading={issue.isPending}
    >
      {issue.error && <ErrorAlert error={issue.error} />}
      {result ? (
        <div data-testid="coupon-issue-result">
          <Progress percent={Math.round((100 * result.done) / Math.max(result.total, 1))} />
          <Typography.Text>{t('coupons.issueResult', { issued: result.issued, skipped: result.skipped, total: result.total })}</Typography.Text>
        </div>
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t('coupons.issueHint')}</Typography.Paragraph>
          <Input.TextArea rows={6} value={text} onChange={(e) => setText(e.target.value)} data-testid="coupon-issue-ids" />
          <Typography.Text type="secondary">{t('coupons.issueCount', { count: ids.length })}</Typography.Text>
        </>
      )}
    </Modal>
  );
}
