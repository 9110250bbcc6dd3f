import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  AutoComplete,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Spin,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope } from '../../api/customers';
import { useBrands, useNameLookup } from '../../api/hooks';
import {
  loyaltyApi,
  useLoyaltyChange,
  useLoyaltyPrograms,
  type LoyaltyActionRule,
  type LoyaltyProgram,
  type LoyaltyProgramRequest,
  type LoyaltyTier,
} from '../../api/loyalty';
import { ErrorAlert } from '../../components/ErrorAlert';

/** multiplier renders basis points as a multiplier: 15000 → 1.5×. */
export const multiplier = (bp?: number) => `${(bp ?? 10000) / 10000}×`;

/**
 * ProgramsPage lists the loyalty programs with their earning rules and tiers; with
 * loyalty:write it creates and edits programs and adds or deletes tiers.
 */
export default function ProgramsPage() {
  const { t } = useTranslation();
  const canWrite = useHasScope('loyalty:write');
  const programs = useLoyaltyPrograms();
  const [editing, setEditing] = useState<LoyaltyProgram | 'new' | null>(null);

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('loyalty.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('loyalty.subtitle')}</Typography.Text>
        </div>
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="loyalty-program-create">
            {t('loyalty.newProgram')}
          </Button>
        )}
      </Space>
      {programs.error && <ErrorAlert error={programs.error} />}
      {programs.isPending ? (
        <Spin />
      ) : (programs.data?.items ?? []).length === 0 ? (
        <Card size="small">
          <Empty description={t('loyalty.noPrograms')} />
        </Card>
      ) : (
        (programs.data?.items ?? []).map((p) => (
          <ProgramCard key={p.id} program={p} canWrite={canWrite} onEdit={() => setEditing(p)} />
        ))
      )}
      {editing && <ProgramModal program={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </>
  );
}

/** ProgramCard shows one program's rules and tiers. */
function ProgramCard({ program: p, canWrite, onEdit }: { program: LoyaltyProgram; canWrite: boolean; onEdit: () => void }) {
  const { t } = useTranslation();
  const brands = useNameLookup(useBrands().data);
  const weekday = (d: number) => t(`loyalty.weekdays.${d}`);
  const expiry =
    p.expiry_kind === 'days'
      ? t('loyalty.expiryDays', { count: p.expiry_days })
      : t(`loyalty.expiryKinds.${p.expiry_kind || 'never'}`);
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid={`loyalty-program-${p.code}`}
      title={
        <Space>
          <span>
            {p.name} · {p.code}
          </span>
          <Tag color={p.status === 'inactive' ? 'default' : 'green'}>{t(`loyalty.statuses.${p.status || 'active'}`)}</Tag>
        </Space>
      }
      extra={
        canWrite && (
          <Button size="small" icon={<EditOutlined />} onClick={onEdit} data-testid="loyalty-program-edit">
            {t('loyalty.edit')}
          </Button>
        )
      }
    >
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('loyalty.brands')}>
              {(p.brand_ids ?? []).length === 0 ? t('loyalty.shared') : (p.brand_ids ?? []).map((b) => brands.get(b) ?? b).join('、')}
            </Descriptions.Item>
            <Descriptions.Item label={t('loyalty.pointsPerYuan')}>{p.points_per_yuan}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.growthPerYuan')}>{p.growth_per_yuan}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.growthPerOrder')}>{p.growth_per_order || 0}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.maxPerOrder')}>{p.max_points_per_order || t('loyalty.noCap')}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.memberDays')}>
              {(p.member_days ?? []).length === 0
                ? '—'
                : (p.member_days ?? []).map((d) => `${weekday(d.weekday)} ${multiplier(d.multiplier_bp)}`).join('、')}
            </Descriptions.Item>
            <Descriptions.Item label={t('loyalty.excluded')}>{(p.excluded_categories ?? []).length || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.pendingDays')}>{p.pending_days || 0}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.expiry')}>
              {expiry} ({p.time_zone})
            </Descriptions.Item>
            <Descriptions.Item label={t('loyalty.autoEnrol')}>{p.auto_enrol ? t('loyalty.yes') : t('loyalty.no')}</Descriptions.Item>
            <Descriptions.Item label={t('loyalty.evaluation.title')}>
              <span data-testid="loyalty-evaluation">{evaluationText(t, p.evaluation)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('loyalty.actionRules')}>
              <span data-testid="loyalty-action-rules">
                {(p.action_rules ?? []).length === 0 ? '—' : (p.action_rules ?? []).map((r) => actionRuleText(t, r)).join(t('loyalty.actions.ruleSeparator'))}
              </span>
            </Descriptions.Item>
          </Descriptions>
        </Col>
        <Col xs={24} xl={12}>
          <TiersTable program={p} canWrite={canWrite} />
        </Col>
      </Row>
    </Card>
  );
}

/** KNOWN_ACTIONS are the actions the console names; a program may reward others (any snake_case name its apps report). */
const KNOWN_ACTIONS = ['sign_in', 'review', 'profile_completed', 'share', 'store_visit'] as const;

/** actionRuleText says what one action earns and how often, in one line: 签到 +2 成长值 · +5 积分（每天最多 1 次）. */
function actionRuleText(t: (k: string, o?: Record<string, unknown>) => string, r: LoyaltyActionRule) {
  const earned = [r.growth ? t('loyalty.actions.growthN', { n: r.growth }) : '', r.points ? t('loyalty.actions.pointsN', { n: r.points }) : '']
    .filter(Boolean)
    .join(' · ');
  const caps = [r.per_day ? t('loyalty.actions.perDay', { count: r.per_day }) : '', r.lifetime ? t('loyalty.actions.lifetime', { count: r.lifetime }) : '']
    .filter(Boolean)
    .join(t('loyalty.actions.capSeparator'));
  const name = t(`loyalty.actions.names.${r.action}`, { defaultValue: r.action });
  return caps ? t('loyalty.actions.ruleWithCaps', { name, earned, caps }) : `${name} ${earned}`;
}

/** evaluationText says when and how a program evaluates tiers, in one line. */
function evaluationText(t: (k: string, o?: Record<string, unknown>) => string, e?: LoyaltyProgram['evaluation']) {
  if (!e || e.kind === 'none') return t('loyalty.evaluation.none');
  const when =
    e.kind === 'annual'
      ? t('loyalty.evaluation.annualOn', { month: e.month, day: e.day })
      : t('loyalty.evaluation.rollingFor', { count: e.months });
  const drop = e.max_drop ? t('loyalty.evaluation.dropAtMost', { count: e.max_drop }) : t('loyalty.evaluation.dropAny');
  return `${when} · ${drop} · ${t(`loyalty.evaluation.growth.${e.growth_at_period_end || 'reset'}`)}`;
}

/** TiersTable lists a program's tiers by threshold; with loyalty:write it adds and deletes them. */
function TiersTable({ program, canWrite }: { program: LoyaltyProgram; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const add = useLoyaltyChange((tier: LoyaltyTier) => loyaltyApi.createTier(program.id, tier));
  const remove = useLoyaltyChange((tierId: string) => loyaltyApi.deleteTier(program.id, tierId));
  const [form] = Form.useForm<LoyaltyTier>();
  const columns: TableColumnsType<LoyaltyTier> = [
    { title: t('loyalty.tierCode'), dataIndex: 'code', key: 'code' },
    { title: t('loyalty.tierName'), dataIndex: 'name', key: 'name' },
    { title: t('loyalty.threshold'), dataIndex: 'threshold', key: 'threshold' },
    { title: t('loyalty.multiplier'), key: 'mult', render: (_, tier) => multiplier(tier.multiplier_bp) },
    { title: t('loyalty.retention'), key: 'retention', render: (_, tier) => tier.retention_threshold ?? tier.threshold },
  ];
  if (canWrite) {
    columns.push({
      key: 'delete',
      render: (_, tier) => (
        <Popconfirm
          title={t('loyalty.deleteTier')}
          onConfirm={() => remove.mutate(tier.id!, { onError: (e) => void message.error(e.message) })}
        >
          <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('loyalty.deleteTier')} />
        </Popconfirm>
      ),
    });
  }
  return (
    <>
      <Typography.Text strong>{t('loyalty.tiers')}</Typography.Text>
      <Table<LoyaltyTier>
        rowKey="id"
        size="small"
        pagination={false}
        columns={columns}
        dataSource={program.tiers}
        locale={{ emptyText: t('loyalty.noTiers') }}
        data-testid="loyalty-tiers"
      />
      {canWrite && (
        <Form
          form={form}
          layout="inline"
          style={{ marginTop: 8, rowGap: 8 }}
          onFinish={(v) =>
            add.mutate(
              { ...v, multiplier_bp: Math.round(((v.multiplier_bp as number | undefined) ?? 1) * 10000) },
              { onSuccess: () => form.resetFields() },
            )
          }
        >
          <Form.Item name="code" rules={[{ required: true, message: t('loyalty.required') }]}>
            <Input placeholder={t('loyalty.tierCode')} style={{ width: 100 }} data-testid="tier-code" />
          </Form.Item>
          <Form.Item name="name" rules={[{ required: true, message: t('loyalty.required') }]}>
            <Input placeholder={t('loyalty.tierName')} style={{ width: 100 }} data-testid="tier-name" />
          </Form.Item>
          <Form.Item name="threshold" rules={[{ required: true, message: t('loyalty.required') }]}>
            <InputNumber placeholder={t('loyalty.threshold')} min={0} precision={0} data-testid="tier-threshold" />
          </Form.Item>
          <Form.Item name="retention_threshold">
            <InputNumber placeholder={t('loyalty.retention')} min={0} precision={0} data-testid="tier-retention" />
          </Form.Item>
          <Form.Item name="multiplier_bp">
            <InputNumber placeholder={t('loyalty.multiplierHint')} min={0.1} max={10} step={0.1} data-testid="tier-multiplier" />
          </Form.Item>
          <Button htmlType="submit" icon={<PlusOutlined />} loading={add.isPending} data-testid="tier-add">
            {t('loyalty.addTier')}
          </Button>
          {add.error && <ErrorAlert error={add.error} />}
        </Form>
      )}
    </>
  );
}

/** evaluationBody keeps only the fields of the chosen kind (the server refuses the others' ranges). */
function evaluationBody(e?: LoyaltyProgramRequest['evaluation']): LoyaltyProgramRequest['evaluation'] {
  const kind = e?.kind ?? 'none';
  return {
    kind,
    month: kind === 'annual' ? e?.month : 0,
    day: kind === 'annual' ? e?.day : 0,
    months: kind === 'rolling' ? e?.months : 0,
    max_drop: kind === 'none' ? 0 : (e?.max_drop ?? 0),
    growth_at_period_end: e?.growth_at_period_end || 'reset',
  };
}

type ProgramForm = Omit<LoyaltyProgramRequest, 'member_days'> & { member_days?: { weekday: number; multiplier: number }[] };

/** ProgramModal creates a program or replaces one's set-up. */
function ProgramModal({ program, onClose }: { program?: LoyaltyProgram; onClose: () => void }) {
  const { t } = useTranslation();
  const brands = useBrands();
  const save = useLoyaltyChange((body: LoyaltyProgramRequest) =>
    program ? loyaltyApi.replaceProgram(program.id, body) : loyaltyApi.createProgram(body),
  );
  const [form] = Form.useForm<ProgramForm>();
  const expiryKind = Form.useWatch('expiry_kind', form);
  const evaluationKind = Form.useWatch(['evaluation', 'kind'], form) ?? 'none';
  const initial: ProgramForm = program
    ? {
        ...program,
        member_days: (program.member_days ?? []).map((d) => ({ weekday: d.weekday, multiplier: d.multiplier_bp / 10000 })),
      }
    : {
        code: '',
        name: '',
        points_per_yuan: 1,
        growth_per_yuan: 1,
        expiry_kind: 'never',
        status: 'active',
        time_zone: 'Asia/Shanghai',
        evaluation: { kind: 'none', growth_at_period_end: 'reset' },
      };
  const submit = (v: ProgramForm) => {
    const body: LoyaltyProgramRequest = {
      code: v.code,
      name: v.name,
      status: v.status,
      brand_ids: v.brand_ids ?? [],
      points_per_yuan: v.points_per_yuan,
      growth_per_yuan: v.growth_per_yuan,
      growth_per_order: v.growth_per_order ?? 0,
      max_points_per_order: v.max_points_per_order ?? 0,
      excluded_categories: program?.excluded_categories ?? [],
      member_days: (v.member_days ?? []).map((d) => ({ weekday: d.weekday, multiplier_bp: Math.round(d.multiplier * 10000) })),
      pending_days: v.pending_days ?? 0,
      expiry_kind: v.expiry_kind,
      expiry_days: v.expiry_kind === 'days' ? v.expiry_days : 0,
      time_zone: v.time_zone,
      auto_enrol: !!v.auto_enrol,
      evaluation: evaluationBody(v.evaluation),
      action_rules: (v.action_rules ?? []).map((r) => ({
        action: r.action,
        growth: r.growth ?? 0,
        points: r.points ?? 0,
        per_day: r.per_day ?? 0,
        lifetime: r.lifetime ?? 0,
      })),
    };
    save.mutate(body, { onSuccess: onClose });
  };
  return (
    <Modal
      open
      title={program ? t('loyalty.editProgram') : t('loyalty.newProgram')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'loyalty-program-save' }}
      width={640}
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={submit}>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="code" label={t('loyalty.code')} rules={[{ required: true, message: t('loyalty.required') }]}>
              <Input maxLength={64} data-testid="program-code" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="name" label={t('loyalty.name')} rules={[{ required: true, message: t('loyalty.required') }]}>
              <Input maxLength={200} data-testid="program-name" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="brand_ids" label={t('loyalty.brands')} extra={t('loyalty.brandsHint')}>
          <Select
            mode="multiple"
            allowClear
            loading={brands.isPending}
            options={(brands.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
          />
        </Form.Item>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="points_per_yuan" label={t('loyalty.pointsPerYuan')} rules={[{ required: true }]}>
              <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} data-testid="program-points" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="growth_per_yuan" label={t('loyalty.growthPerYuan')} rules={[{ required: true }]}>
              <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="growth_per_order" label={t('loyalty.growthPerOrder')}>
              <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} data-testid="program-growth-per-order" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="max_points_per_order" label={t('loyalty.maxPerOrder')}>
              <InputNumber min={0} precision={0} style={{ width: '100%' }} placeholder={t('loyalty.noCap')} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="expiry_kind" label={t('loyalty.expiry')}>
              <Select
                options={(['never', 'days', 'end_of_next_year'] as const).map((k) => ({ value: k, label: t(`loyalty.expiryKinds.${k}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="expiry_days" label={t('loyalty.expiryDaysLabel')}>
              <InputNumber min={1} max={3660} precision={0} style={{ width: '100%' }} disabled={expiryKind !== 'days'} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="pending_days" label={t('loyalty.pendingDays')}>
              <InputNumber min={0} max={365} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name="time_zone" label={t('loyalty.timeZone')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="status" label={t('loyalty.status')}>
              <Select options={(['active', 'inactive'] as const).map((s) => ({ value: s, label: t(`loyalty.statuses.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="auto_enrol" label={t('loyalty.autoEnrol')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name={['evaluation', 'kind']} label={t('loyalty.evaluation.title')} extra={t('loyalty.evaluation.hint')}>
              <Select
                data-testid="program-evaluation-kind"
                options={(['none', 'annual', 'rolling'] as const).map((k) => ({ value: k, label: t(`loyalty.evaluation.kinds.${k}`) }))}
              />
            </Form.Item>
          </Col>
          {evaluationKind === 'annual' && (
            <>
              <Col span={8}>
                <Form.Item name={['evaluation', 'month']} label={t('loyalty.evaluation.month')} rules={[{ required: true, message: t('loyalty.required') }]}>
                  <InputNumber min={1} max={12} precision={0} style={{ width: '100%' }} data-testid="program-evaluation-month" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name={['evaluation', 'day']} label={t('loyalty.evaluation.day')} rules={[{ required: true, message: t('loyalty.required') }]}>
                  <InputNumber min={1} max={31} precision={0} style={{ width: '100%' }} data-testid="program-evaluation-day" />
                </Form.Item>
              </Col>
            </>
          )}
          {evaluationKind === 'rolling' && (
            <Col span={8}>
              <Form.Item name={['evaluation', 'months']} label={t('loyalty.evaluation.months')} rules={[{ required: true, message: t('loyalty.required') }]}>
                <InputNumber min={1} max={60} precision={0} style={{ width: '100%' }} data-testid="program-evaluation-months" />
              </Form.Item>
            </Col>
          )}
        </Row>
        {evaluationKind !== 'none' && (
          <Row gutter={8}>
            <Col span={8}>
              <Form.Item name={['evaluation', 'max_drop']} label={t('loyalty.evaluation.maxDrop')}>
                <InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} placeholder={t('loyalty.evaluation.dropAny')} />
              </Form.Item>
            </Col>
            <Col span={16}>
              <Form.Item name={['evaluation', 'growth_at_period_end']} label={t('loyalty.evaluation.growthAtEnd')}>
                <Select
                  options={(['reset', 'keep_excess', 'keep_all'] as const).map((k) => ({ value: k, label: t(`loyalty.evaluation.growth.${k}`) }))}
                />
              </Form.Item>
            </Col>
          </Row>
        )}
        <Typography.Text>{t('loyalty.memberDays')}</Typography.Text>
        <Form.List name="member_days">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={[f.name, 'weekday']} rules={[{ required: true }]}>
                    <Select
                      style={{ width: 120 }}
                      options={[0, 1, 2, 3, 4, 5, 6].map((d) => ({ value: d, label: t(`loyalty.weekdays.${d}`) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'multiplier']} rules={[{ required: true }]}>
                    <InputNumber min={1} max={10} step={0.5} addonAfter="×" />
                  </Form.Item>
                  <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ weekday: 2, multiplier: 2 })}>
                {t('loyalty.addMemberDay')}
              </Button>
            </>
          )}
        </Form.List>
        <Typography.Text style={{ display: 'block', marginTop: 8 }}>{t('loyalty.actionRules')}</Typography.Text>
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, marginBottom: 4 }}>
          {t('loyalty.actionRulesHint')}
        </Typography.Text>
        <Form.List name="action_rules">
          {(fields, { add, remove }) => (
            <>
              {fields.length > 0 && (
                <Row gutter={8}>
                  <Col span={7}>
                    <Typography.Text type="secondary">{t('loyalty.actions.action')}</Typography.Text>
                  </Col>
                  {(['growth', 'points', 'perDayLabel', 'lifetimeLabel'] as const).map((k) => (
                    <Col span={4} key={k}>
                      <Typography.Text type="secondary">{t(`loyalty.actions.${k}`)}</Typography.Text>
                    </Col>
                  ))}
                </Row>
              )}
              {fields.map((f) => (
                <Row gutter={8} key={f.key} align="top" data-testid="program-action-rule">
                  <Col span={7}>
                    <Form.Item
                      name={[f.name, 'action']}
                      rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,39}$/, message: t('loyalty.actions.actionRule') }]}
                    >
                      <AutoComplete
                        placeholder={t('loyalty.actions.action')}
                        options={KNOWN_ACTIONS.map((a) => ({ value: a, label: `${t(`loyalty.actions.names.${a}`)} · ${a}` }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item name={[f.name, 'growth']}>
                      <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item name={[f.name, 'points']}>
                      <InputNumber min={0} max={1000000} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item name={[f.name, 'per_day']}>
                      <InputNumber min={0} max={1000} precision={0} placeholder={t('loyalty.noCap')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item name={[f.name, 'lifetime']}>
                      <InputNumber min={0} precision={0} placeholder={t('loyalty.noCap')} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={1}>
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('loyalty.actions.remove')} />
                  </Col>
                </Row>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ action: 'sign_in', growth: 1, points: 0, per_day: 1 })} data-testid="program-add-action">
                {t('loyalty.addActionRule')}
              </Button>
            </>
          )}
        </Form.List>
        {save.error && <ErrorAlert error={save.error} />}
      </Form>
    </Modal>
  );
}
