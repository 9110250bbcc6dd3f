import { CheckOutlined, CloseOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Card, Form, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCouponTemplates } from '../../api/coupons';
import {
  couponGuardApi,
  dimensions,
  useCouponGuardChange,
  useVelocityFlags,
  useVelocityRules,
  type Dimension,
  type FlagStatus,
  type VelocityFlag,
  type VelocityRule,
  type VelocityRuleRequest,
} from '../../api/couponGuard';
import { useHasScope } from '../../api/customers';
import { ErrorAlert } from '../../components/ErrorAlert';

const statusColor: Record<FlagStatus, string> = { open: 'orange', dismissed: 'default', confirmed: 'red' };

type RuleForm = { template_id?: string; dimension: Dimension; window_hours: number; threshold: number; action: 'flag' | 'block' };

/** ruleRequest converts the rule form (window in hours) to the API's request. */
export function ruleRequest(v: RuleForm): VelocityRuleRequest {
  return {
    template_id: v.template_id || undefined,
    dimension: v.dimension,
    window_seconds: Math.round(v.window_hours * 3600),
    threshold: v.threshold,
    action: v.action,
  };
}

/**
 * CouponGuard is the coupons' anti-abuse tab: the flags velocity rules raised, with
 * dismiss and confirm (confirm bars the customer from the template's coupons), and
 * the rules per template with the tenant defaults.
 */
export function CouponGuard() {
  const { t } = useTranslation();
  const canWrite = useHasScope('loyalty:write');
  const templates = useCouponTemplates();
  const templateName = (tid: string) => {
    const tm = templates.data?.items.find((x) => x.id === tid);
    return tm ? `${tm.code} · ${tm.name}` : tid;
  };
  const templateOptions = (templates.data?.items ?? []).map((tm) => ({ value: tm.id, label: `${tm.code} · ${tm.name}` }));
  const dimensionOptions = dimensions.map((d) => ({ value: d, label: t(`couponGuard.dimensions.${d}`) }));

  const [status, setStatus] = useState<FlagStatus | undefined>('open');
  const [dimension, setDimension] = useState<Dimension | undefined>();
  const [templateId, setTemplateId] = useState<string | undefined>();
  const [cursors, setCursors] = useState<string[]>([]); // the cursors of the pages before this one
  const cursor = cursors[cursors.length - 1];
  const flags = useVelocityFlags({ status, dimension, template_id: templateId, cursor });
  const review = useCouponGuardChange((v: { id: string; status: 'dismissed' | 'confirmed' }) => couponGuardApi.review(v.id, v.status));
  const filtered = (f: () => void) => {
    setCursors([]);
    f();
  };

  const flagColumns: TableColumnsType<VelocityFlag> = [
    { title: t('couponGuard.at'), key: 'at', render: (_, f) => f.created_at.replace('T', ' ').slice(0, 16) },
    { title: t('couponGuard.template'), key: 'template', render: (_, f) => templateName(f.template_id) },
    { title: t('couponGuard.dimension'), key: 'dimension', render: (_, f) => t(`couponGuard.dimensions.${f.dimension}`) },
    {
      title: t('couponGuard.value'),
      key: 'value',
      render: (_, f) => (
        <Typography.Text code title={t('couponGuard.valueHint')}>
          {f.value_hash.slice(0, 10)}
        </Typography.Text>
      ),
    },
    { title: t('couponGuard.customer'), dataIndex: 'customer_id', key: 'customer' },
    {
      title: t('couponGuard.customers'),
      key: 'customers',
      render: (_, f) => t('couponGuard.customersOf', { count: f.customers, threshold: f.threshold, hours: f.window_seconds / 3600 }),
    },
    {
      title: t('couponGuard.status'),
      key: 'status',
      render: (_, f) => <Tag color={statusColor[f.status]}>{t(`couponGuard.statuses.${f.status}`)}</Tag>,
    },
  ];
  if (canWrite) {
    flagColumns.push({
      key: 'review',
      render: (_, f) => (
        <Space size="small">
          {f.status !== 'dismissed' && (
            <Button
              size="small"
              icon={<CloseOutlined />}
              loading={review.isPending && review.variables?.id === f.id && review.variables.status === 'dismissed'}
              onClick={() => review.mutate({ id: f.id, status: 'dismissed' })}
              data-testid={`flag-dismiss-${f.id}`}
            >
              {t('couponGuard.dismiss')}
            </Button>
          )}
          {f.status !== 'confirmed' && (
            <Button
              size="small"
              danger
              icon={<CheckOutlined />}
              loading={review.isPending && review.variables?.id === f.id && review.variables.status === 'confirmed'}
              onClick={() => review.mutate({ id: f.id, status: 'confirmed' })}
              data-testid={`flag-confirm-${f.id}`}
            >
              {t('couponGuard.confirm')}
            </Button>
          )}
        </Space>
      ),
    });
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small" title={t('couponGuard.flagsTitle')} extra={<Typography.Text type="secondary">{t('couponGuard.confirmHint')}</Typography.Text>}>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t('couponGuard.status')}
            value={status}
            onChange={(v) => filtered(() => setStatus(v))}
            options={(['open', 'dismissed', 'confirmed'] as const).map((s) => ({ value: s, label: t(`couponGuard.statuses.${s}`) }))}
            data-testid="flag-status-filter"
          />
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('couponGuard.dimension')}
            value={dimension}
            onChange={(v) => filtered(() => setDimension(v))}
            options={dimensionOptions}
          />
          <Select
            allowClear
            style={{ width: 220 }}
            placeholder={t('couponGuard.template')}
            value={templateId}
            onChange={(v) => filtered(() => setTemplateId(v))}
            options={templateOptions}
          />
        </Space>
        {flags.error && <ErrorAlert error={flags.error} />}
        {review.error && <ErrorAlert error={review.error} />}
        <Table<VelocityFlag>
          rowKey="id"
          size="small"
          loading={flags.isPending}
          columns={flagColumns}
          dataSource={flags.data?.items}
          pagination={false}
          locale={{ emptyText: t('couponGuard.noFlags') }}
          data-testid="velocity-flags"
        />
        <Space style={{ marginTop: 8 }}>
          <Button size="small" disabled={cursors.length === 0} onClick={() => setCursors([])}>
            {t('couponGuard.firstPage')}
          </Button>
          <Button
            size="small"
            disabled={!flags.data?.next_cursor}
            onClick={() => setCursors([...cursors, flags.data?.next_cursor ?? ''])}
            data-testid="flag-next"
          >
            {t('couponGuard.nextPage')}
          </Button>
        </Space>
      </Card>
      <Rules canWrite={canWrite} templateName={templateName} templateOptions={templateOptions} dimensionOptions={dimensionOptions} />
    </Space>
  );
}

function Rules({
  canWrite,
  templateName,
  templateOptions,
  dimensionOptions,
}: {
  canWrite: boolean;
  templateName: (id: string) => string;
  templateOptions: { value: string; label: string }[];
  dimensionOptions: { value: Dimension; label: string }[];
}) {
  const { t } = useTranslation();
  const rules = useVelocityRules();
  const save = useCouponGuardChange((body: VelocityRuleRequest) => couponGuardApi.setRule(body));
  const remove = useCouponGuardChange((id: string) => couponGuardApi.deleteRule(id));
  const [form] = Form.useForm<RuleForm>();
  const columns: TableColumnsType<VelocityRule> = [
    { title: t('couponGuard.template'), key: 'template', render: (_, r) => (r.template_id ? templateName(r.template_id) : t('couponGuard.tenantDefault')) },
    { title: t('couponGuard.dimension'), key: 'dimension', render: (_, r) => t(`couponGuard.dimensions.${r.dimension}`) },
    {
      title: t('couponGuard.rule'),
      key: 'rule',
      render: (_, r) => t('couponGuard.ruleText', { threshold: r.threshold, hours: r.window_seconds / 3600 }),
    },
    {
      title: t('couponGuard.action'),
      key: 'action',
      render: (_, r) => <Tag color={r.action === 'block' ? 'red' : 'orange'}>{t(`couponGuard.actions.${r.action}`)}</Tag>,
    },
  ];
  if (canWrite) {
    columns.push({
      key: 'delete',
      render: (_, r) => (
        <Button size="small" icon={<DeleteOutlined />} onClick={() => remove.mutate(r.id)} data-testid={`rule-delete-${r.id}`} aria-label={t('couponGuard.delete')} />
      ),
    });
  }
  return (
    <Card size="small" title={t('couponGuard.rulesTitle')}>
      {rules.error && <ErrorAlert error={rules.error} />}
      {save.error && <ErrorAlert error={save.error} />}
      {remove.error && <ErrorAlert error={remove.error} />}
      <Table<VelocityRule>
        rowKey="id"
        size="small"
        loading={rules.isPending}
        columns={columns}
        dataSource={rules.data?.items}
        pagination={false}
        locale={{ emptyText: t('couponGuard.noRules') }}
        data-testid="velocity-rules"
      />
      {canWrite && (
        <Form
          form={form}
          layout="inline"
          style={{ marginTop: 12, rowGap: 8 }}
          initialValues={{ dimension: 'device', window_hours: 24, threshold: 3, action: 'flag' }}
          onFinish={(v) => save.mutate(ruleRequest(v), { onSuccess: () => form.resetFields() })}
        >
          <Form.Item name="template_id">
            <Select allowClear style={{ width: 200 }} placeholder={t('couponGuard.tenantDefault')} options={templateOptions} />
          </Form.Item>
          <Form.Item name="dimension">
            <Select style={{ width: 140 }} options={dimensionOptions} data-testid="rule-dimension" />
          </Form.Item>
          <Form.Item name="window_hours" label={t('couponGuard.windowHours')} rules={[{ required: true }]}>
            <InputNumber min={0.02} max={720} style={{ width: 90 }} data-testid="rule-window" />
          </Form.Item>
          <Form.Item name="threshold" label={t('couponGuard.threshold')} rules={[{ required: true }]}>
            <InputNumber min={1} max={1000} precision={0} style={{ width: 90 }} data-testid="rule-threshold" />
          </Form.Item>
          <Form.Item name="action">
            <Select
              style={{ width: 120 }}
              options={(['flag', 'block'] as const).map((a) => ({ value: a, label: t(`couponGuard.actions.${a}`) }))}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="rule-save">
            {t('couponGuard.saveRule')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
