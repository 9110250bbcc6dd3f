import { ArrowLeftOutlined, DeleteOutlined, ExperimentOutlined, EyeOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import {
  Affix,
  Alert,
  App,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Radio,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Switch,
  Tooltip,
  TreeSelect,
  Typography,
} from 'antd';
import type { FormInstance } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import { ApiError } from '../../api/client';
import { useBrands, useCategories, useRegions } from '../../api/hooks';
import {
  promotionsApi,
  useAllPromotions,
  usePromotion,
  usePromotionTransition,
  useSavePromotion,
} from '../../api/promotions';
import {
  PROMOTION_KINDS,
  TOUCHPOINT_CHANNELS,
  type CartPriceResponse,
  type Promotion,
  type PromotionKind,
} from '../../api/types';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { buildCategoryTree } from '../../lib/tree';
import { CartBuilder, PricedCartView, toCartLines, type DraftLine } from './cart';
import {
  blockOf,
  defaultBlock,
  editorValuesOf,
  fieldPath,
  newEditorValues,
  toDefinition,
  toRequest,
  type EditorValues,
} from './definition';
import { DateTimeInput, MinutesInput, MoneyInput, PercentOffInput, PromotionStatusTag, RuleText, SkuSelect } from './inputs';

/** TIER_SUGGESTIONS and PAYMENT_SUGGESTIONS are offered as choices; other values can be typed. */
const TIER_SUGGESTIONS = ['normal', 'silver', 'gold', 'platinum'];
const PAYMENT_SUGGESTIONS = ['wechat_pay', 'alipay', 'unionpay', 'cash', 'card', 'points'];

/** applyProblem puts the per-field problems of a failed save on their fields; it returns those it could not place. */
export function applyProblem(form: FormInstance<EditorValues>, err: unknown): string[] {
  if (!(err instanceof ApiError)) return [];
  const byPath = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const unplaced: string[] = [];
  for (const e of err.problem?.errors ?? []) {
    const name = fieldPath(e.location);
    if (!name) {
      unplaced.push(e.message ?? err.message);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byPath.get(key) ?? { name, errors: [] };
    entry.errors.push(e.message ?? err.message);
    byPath.set(key, entry);
  }
  const fields = [...byPath.values()];
  form.setFields(fields as Parameters<FormInstance<EditorValues>['setFields']>[0]);
  if (fields.length > 0) form.scrollToField(fields[0].name, { block: 'center' });
  return unplaced;
}

/** PromotionEditorPage creates or edits a promotion: its rules, scope, conditions, stacking and limits. */
export default function PromotionEditorPage() {
  const { id } = useParams();
  const isNew = !id || id === 'new';
  const stored = usePromotion(isNew ? undefined : id);
  const { t } = useTranslation();
  if (!isNew && stored.isPending) {
    return (
      <div style={{ textAlign: 'center', padding: 80 }}>
        <Spin />
      </div>
    );
  }
  if (!isNew && stored.error) {
    return <Result status="warning" title={t('common.notFound')} extra={<ErrorAlert error={stored.error} />} />;
  }
  return <Editor key={stored.data?.id ?? 'new'} promotion={isNew ? undefined : stored.data} />;
}

function Editor({ promotion }: { promotion?: Promotion }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<EditorValues>();
  const save = useSavePromotion(promotion?.id);
  const transition = usePromotionTransition();
  const all = useAllPromotions();
  const initial = useMemo(() => (promotion ? editorValuesOf(promotion) : newEditorValues()), [promotion]);
  const editable = !promotion || promotion.status === 'draft' || promotion.status === 'paused';
  const kind = (Form.useWatch(['definition', 'kind'], form) ?? initial.definition.kind) as PromotionKind;
  const exclusive = !!Form.useWatch(['definition', 'exclusive'], form);

  const groups = useMemo(
    () => [...new Set((all.data ?? []).map((p) => p.definition?.group).filter((g): g is string => !!g))].sort(),
    [all.data],
  );

  /** submit saves the form; it resolves to the saved promotion, or undefined when it failed. */
  const submit = async (): Promise<Promotion | undefined> => {
    let v: EditorValues;
    try {
      await form.validateFields();
      v = form.getFieldsValue(true) as EditorValues;
    } catch {
      return undefined;
    }
    try {
      const saved = await save.mutateAsync(toRequest(v, promotion?.limits));
      void message.success(t('common.saved'));
      if (!promotion) navigate(`/promotions/${saved.id}`, { replace: true });
      return saved;
    } catch (err) {
      applyProblem(form, err);
      return undefined;
    }
  };

  const activate = async () => {
    const saved = editable ? await submit() : promotion;
    if (!saved) return;
    transition.mutate(
      { promotionId: saved.id, action: 'activate' },
      {
        onSuccess: () => void message.success(t('promotions.actionDone.activate', { name: saved.name })),
        onError: (err) => void message.error(errorText(err)),
      },
    );
  };

  const simulate = () => {
    const v = form.getFieldsValue(true) as EditorValues;
    navigate('/promotions/simulations', {
      state: { definition: toDefinition(v), name: v.name || t('promotions.simulation.draft'), promotionId: promotion?.id },
    });
  };

  const onValuesChange = (changed: Partial<EditorValues>) => {
    // A new kind gets its block's defaults the first time it is chosen.
    const k = changed.definition?.kind;
    if (k) {
      const block = blockOf(k);
      const path = ['definition', block] as Parameters<typeof form.getFieldValue>[0];
      if (form.getFieldValue(path) === undefined) {
        form.setFieldValue(path, defaultBlock(k)[block]);
      }
      if (k === 'bundle') form.setFieldValue(['definition', 'scope', 'all'], false);
    }
  };

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Space>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/promotions')} aria-label={t('common.back')} />
          <Typography.Title level={4} style={{ margin: 0 }}>
            {promotion ? promotion.name : t('promotions.create')}
          </Typography.Title>
          {promotion ? <PromotionStatusTag status={promotion.status} /> : null}
        </Space>
        <Space wrap>
          <Button icon={<ExperimentOutlined />} onClick={simulate} data-testid="editor-simulate">
            {t('promotions.editor.simulate')}
          </Button>
          {editable && (
            <Button icon={<SaveOutlined />} onClick={() => void submit()} loading={save.isPending} data-testid="editor-save">
              {t('promotions.editor.saveDraft')}
            </Button>
          )}
          {promotion?.status !== 'active' && promotion?.status !== 'ended' && (
            <Button type="primary" onClick={() => void activate()} loading={transition.isPending} data-testid="editor-activate">
              {editable && promotion ? t('promotions.editor.saveActivate') : t('promotions.actions.activate')}
            </Button>
          )}
          {promotion?.status === 'active' && (
            <Button
              onClick={() => transition.mutate({ promotionId: promotion.id, action: 'pause' })}
              loading={transition.isPending}
              data-testid="editor-pause"
            >
              {t('promotions.actions.pause')}
            </Button>
          )}
        </Space>
      </Space>

      {!editable && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('promotions.editor.locked')} />}
      {save.error ? <ErrorAlert error={save.error} title={t('promotions.editor.saveFailed')} /> : null}

      <Row gutter={16}>
        <Col xs={24} xl={15}>
          <Form<EditorValues>
            form={form}
            layout="vertical"
            initialValues={initial}
            disabled={!editable}
            onValuesChange={onValuesChange}
            data-testid="promotion-form"
          >
            <Card size="small" title={t('promotions.editor.basics')} style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col xs={24} md={10}>
                  <Form.Item
                    name="code"
                    label={t('field.code')}
                    extra={t('promotions.editor.codeHint')}
                    rules={[
                      { required: true, whitespace: true, message: t('promotions.editor.required') },
                      { pattern: /^\s*[A-Za-z0-9._-]{1,64}\s*$/, message: t('promotions.editor.codeHint') },
                    ]}
                  >
                    <Input autoComplete="off" disabled={!!promotion} data-testid="promotion-code" />
                  </Form.Item>
                </Col>
                <Col xs={24} md={14}>
                  <Form.Item
                    name="name"
                    label={t('promotions.name')}
                    rules={[{ required: true, whitespace: true, message: t('promotions.editor.required') }, { max: 200 }]}
                  >
                    <Input autoComplete="off" placeholder={t('promotions.editor.namePlaceholder')} data-testid="promotion-name" />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name={['definition', 'kind']} label={t('promotions.type')}>
                <Radio.Group
                  optionType="button"
                  buttonStyle="solid"
                  options={PROMOTION_KINDS.map((k) => ({ value: k, label: t(`promotions.kinds.${k}`) }))}
                  data-testid="promotion-kind"
                />
              </Form.Item>
              <Typography.Paragraph type="secondary" style={{ marginTop: -12 }}>
                {t(`promotions.kindHelp.${kind}`)}
              </Typography.Paragraph>
            </Card>

            <Card size="small" title={t('promotions.editor.rules')} style={{ marginBottom: 16 }} data-testid="rules-card">
              <KindFields kind={kind} />
            </Card>

            <ScopeCard kind={kind} />
            <ConditionsCard kind={kind} />

            <Card size="small" title={t('promotions.editor.stackingTitle')} style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col xs={12} md={6}>
                  <Form.Item name={['definition', 'priority']} label={t('promotions.editor.priority')} tooltip={t('promotions.editor.priorityHelp')}>
                    <InputNumber<number> precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name={['definition', 'group']} label={t('promotions.editor.group')} tooltip={t('promotions.editor.groupHelp')}>
                    <AutoComplete options={groups.map((g) => ({ value: g }))} disabled={exclusive || kind === 'delivery_fee' || !editable} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name={['definition', 'level']} label={t('promotions.editor.level')}>
                    <Select
                      allowClear
                      placeholder={t('promotions.editor.levelAuto')}
                      options={['item', 'order'].map((l) => ({ value: l, label: t(`promotions.level.${l}`) }))}
                    />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name={['definition', 'coupon_code']} label={t('promotions.editor.couponCode')} tooltip={t('promotions.editor.couponCodeHelp')}>
                    <Input autoComplete="off" />
                  </Form.Item>
                </Col>
              </Row>
              <Space size="large" wrap>
                <Form.Item name={['definition', 'exclusive']} valuePropName="checked" label={t('promotions.editor.exclusive')} tooltip={t('promotions.editor.exclusiveHelp')}>
                  <Switch disabled={kind === 'delivery_fee' || !editable} />
                </Form.Item>
                <Form.Item name={['definition', 'combinable_with_coupons']} valuePropName="checked" label={t('promotions.editor.combinable')}>
                  <Switch disabled={exclusive || !editable} />
                </Form.Item>
                <Form.Item
                  name={['definition', 'stacks_with_items']}
                  valuePropName="checked"
                  label={t('promotions.editor.stacksWithItems')}
                  tooltip={t('promotions.editor.stacksWithItemsHelp')}
                >
                  <Switch disabled={exclusive || kind === 'delivery_fee' || kind === 'threshold' || kind === 'gift' || !editable} />
                </Form.Item>
                {kind === 'threshold' && (
                  <Form.Item name={['definition', 'return_policy']} label={t('promotions.editor.returnPolicy')}>
                    <Radio.Group
                      optionType="button"
                      options={[
                        { value: 'keep', label: t('promotions.editor.keep') },
                        { value: 'claw_back', label: t('promotions.editor.clawBack') },
                      ]}
                    />
                  </Form.Item>
                )}
              </Space>
            </Card>

            <Card size="small" title={t('promotions.editor.limitsTitle')} style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col xs={24} md={8}>
                  <Form.Item name={['limits', 'budget_fen']} label={t('promotions.editor.budget')} extra={t('promotions.editor.noLimit')}>
                    <MoneyInput nullable style={{ width: '100%' }} data-testid="limit-budget" />
                  </Form.Item>
                </Col>
                <Col xs={12} md={8}>
                  <Form.Item name={['limits', 'max_uses']} label={t('promotions.editor.maxUses')} extra={t('promotions.editor.noLimit')}>
                    <InputNumber<number> min={1} precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={8}>
                  <Form.Item name={['limits', 'max_uses_per_customer']} label={t('promotions.editor.maxUsesPerCustomer')} extra={t('promotions.editor.noLimit')}>
                    <InputNumber<number> min={1} precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
          </Form>
        </Col>
        <Col xs={24} xl={9}>
          <Affix offsetTop={16}>
            <div>
              <EditorSummary form={form} initial={initial} />
              <PreviewPanel promotion={promotion} save={editable ? submit : undefined} />
            </div>
          </Affix>
        </Col>
      </Row>
    </>
  );
}

/** EditorSummary restates the draft in short phrases as it is edited (满100减10 · 满200减30). */
function EditorSummary({ form, initial }: { form: FormInstance<EditorValues>; initial: EditorValues }) {
  const { t } = useTranslation();
  // Watching the whole form here, not in the editor, keeps a keystroke from re-rendering every card.
  const values = Form.useWatch([], form) as EditorValues | undefined;
  return (
    <Card size="small" title={t('promotions.editor.summary')} style={{ marginBottom: 16 }} data-testid="editor-summary">
      <Space orientation="vertical">
        <Typography.Text strong>{values?.name || t('promotions.editor.unnamed')}</Typography.Text>
        <RuleText def={values?.definition ? toDefinition({ ...initial, ...values }) : initial.definition} />
      </Space>
    </Card>
  );
}

/** PreviewPanel prices a sample cart against the promotion alone (saving the draft first). */
function PreviewPanel({ promotion, save }: { promotion?: Promotion; save?: () => Promise<Promotion | undefined> }) {
  const { t } = useTranslation();
  const [lines, setLines] = useState<DraftLine[]>([]);
  const [result, setResult] = useState<CartPriceResponse>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const labels = new Map(lines.map((l) => [l.id, l.label]));

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = save ? await save() : promotion;
      if (!saved) return;
      setResult(await promotionsApi.preview(saved.id, { lines: toCartLines(lines), time: new Date().toISOString() }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      size="small"
      title={
        <span>
          <EyeOutlined /> {t('promotions.editor.preview')}
        </span>
      }
      data-testid="preview-panel"
    >
      {!promotion && <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t('promotions.editor.previewSaveFirst')} />}
      <CartBuilder lines={lines} onChange={setLines} compact />
      <Button
        type="primary"
        block
        style={{ margin: '12px 0' }}
        disabled={lines.length === 0}
        loading={busy}
        onClick={() => void run()}
        data-testid="preview-run"
      >
        {save ? t('promotions.editor.saveAndPreview') : t('promotions.editor.runPreview')}
      </Button>
      {error ? <ErrorAlert error={error} /> : null}
      {result ? <PricedCartView result={result} labels={labels} compact /> : null}
    </Card>
  );
}

/** TagsSelect is a free-text list with suggested values. */
function TagsSelect({ options, ...rest }: { options: { value: string; label: string }[]; value?: string[]; onChange?: (v: string[]) => void }) {
  return <Select mode="tags" allowClear tokenSeparators={[',', '，', ' ']} options={options} {...rest} />;
}

function KindFields({ kind }: { kind: PromotionKind }) {
  const { t } = useTranslation();
  const d = (...p: (string | number)[]) => ['definition', ...p];
  const req = { required: true, message: t('promotions.editor.required') };
  switch (kind) {
    case 'percent_off':
    case 'member_price':
      return (
        <>
          <Form.Item name={d('percent_off', 'off_bp')} label={t('promotions.editor.percentOff')} rules={[req]}>
            <PercentOffInput data-testid="percent-off" />
          </Form.Item>
          {kind === 'member_price' && <Alert type="info" showIcon title={t('promotions.editor.memberPriceHelp')} />}
        </>
      );
    case 'amount_off':
      return (
        <Form.Item name={d('amount_off', 'amount')} label={t('promotions.editor.amountOff')} rules={[req]}>
          <MoneyInput />
        </Form.Item>
      );
    case 'threshold':
      return <ThresholdFields />;
    case 'tiered_qty':
      return (
        <Form.List name={d('tiered_qty', 'steps')}>
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" wrap data-testid="qty-step">
                  <Typography.Text>{t('promotions.editor.buyAtLeast')}</Typography.Text>
                  <Form.Item name={[f.name, 'min_qty']} rules={[req]}>
                    <InputNumber<number> min={2} precision={0} suffix={t('promotions.cart.units')} />
                  </Form.Item>
                  <Typography.Text>{t('promotions.editor.take')}</Typography.Text>
                  <Form.Item name={[f.name, 'off_bp']} rules={[req]}>
                    <PercentOffInput />
                  </Form.Item>
                  {fields.length > 1 && <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(i)} aria-label={t('promotions.editor.removeStep')} />}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ min_qty: (fields.length + 2), off_bp: (fields.length + 1) * 1000 })}>
                {t('promotions.editor.addStep')}
              </Button>
            </>
          )}
        </Form.List>
      );
    case 'nth_item':
      return (
        <Space wrap align="baseline">
          <Form.Item name={d('nth_item', 'n')} label={t('promotions.editor.nth')} rules={[req]}>
            <InputNumber<number> min={2} max={100} precision={0} prefix={t('promotions.editor.nthPrefix')} suffix={t('promotions.editor.nthSuffix')} />
          </Form.Item>
          <Form.Item name={d('nth_item', 'off_bp')} label={t('promotions.editor.percentOff')} rules={[req]}>
            <PercentOffInput />
          </Form.Item>
          <Form.Item name={d('nth_item', 'mix_skus')} valuePropName="checked" label={t('promotions.editor.mixSkus')}>
            <Switch />
          </Form.Item>
        </Space>
      );
    case 'buy_x_get_y':
      return (
        <Space wrap align="baseline">
          <Form.Item name={d('buy_x_get_y', 'buy')} label={t('promotions.editor.buy')} rules={[req]}>
            <InputNumber<number> min={1} max={100} precision={0} suffix={t('promotions.cart.units')} />
          </Form.Item>
          <Form.Item name={d('buy_x_get_y', 'get')} label={t('promotions.editor.getFree')} rules={[req]}>
            <InputNumber<number> min={1} max={100} precision={0} suffix={t('promotions.cart.units')} />
          </Form.Item>
        </Space>
      );
    case 'bundle':
      return (
        <>
          <Form.List name={d('bundle', 'components')}>
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item name={[f.name, 'skus']} label={t('promotions.editor.component', { n: i + 1 })} rules={[req]}>
                      <SkuSelect multiple style={{ width: 320 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'qty']} label={t('promotions.cart.qty')} rules={[req]}>
                      <InputNumber<number> min={1} max={100} precision={0} />
                    </Form.Item>
                    {fields.length > 1 && <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(i)} aria-label={t('promotions.editor.removeStep')} />}
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ skus: [], qty: 1 })} style={{ marginBottom: 16 }}>
                  {t('promotions.editor.addComponent')}
                </Button>
              </>
            )}
          </Form.List>
          <Space wrap>
            <Form.Item name={d('bundle', 'price')} label={t('promotions.editor.bundlePrice')} rules={[req]}>
              <MoneyInput />
            </Form.Item>
            <Form.Item name={d('bundle', 'max')} label={t('promotions.editor.bundleMax')} extra={t('promotions.editor.zeroNoLimit')}>
              <InputNumber<number> min={0} precision={0} />
            </Form.Item>
          </Space>
        </>
      );
    case 'gift':
      return (
        <Space wrap align="baseline">
          <Form.Item name={d('gift', 'spend')} label={t('promotions.editor.giftSpend')} rules={[req]}>
            <MoneyInput />
          </Form.Item>
          <Form.Item name={d('gift', 'sku')} label={t('promotions.editor.giftSku')} rules={[req]}>
            <SkuSelect style={{ width: 280 }} />
          </Form.Item>
          <Form.Item name={d('gift', 'qty')} label={t('promotions.cart.qty')} rules={[req]}>
            <InputNumber<number> min={1} max={100} precision={0} />
          </Form.Item>
          <Form.Item name={d('gift', 'value')} label={t('promotions.editor.giftValue')} extra={t('promotions.editor.giftValueHelp')}>
            <MoneyInput />
          </Form.Item>
        </Space>
      );
    case 'flash_sale':
      return (
        <Space wrap align="baseline">
          <Form.Item name={d('flash_sale', 'price')} label={t('promotions.editor.flashPrice')} rules={[req]}>
            <MoneyInput />
          </Form.Item>
          <Form.Item name={d('flash_sale', 'per_customer')} label={t('promotions.editor.perCustomer')} extra={t('promotions.editor.zeroNoLimit')}>
            <InputNumber<number> min={0} precision={0} suffix={t('promotions.cart.units')} />
          </Form.Item>
        </Space>
      );
    case 'expiry_markdown':
      return (
        <Space wrap align="baseline">
          <Form.Item name={d('expiry_markdown', 'within_days')} label={t('promotions.editor.withinDays')} rules={[req]}>
            <InputNumber<number> min={0} max={365} precision={0} suffix={t('promotions.editor.days')} />
          </Form.Item>
          <Form.Item name={d('expiry_markdown', 'off_bp')} label={t('promotions.editor.percentOff')} rules={[req]}>
            <PercentOffInput />
          </Form.Item>
        </Space>
      );
    case 'delivery_fee':
      return (
        <Space wrap align="baseline">
          <Form.Item name={d('delivery_fee', 'spend')} label={t('promotions.editor.deliverySpend')} rules={[req]}>
            <MoneyInput />
          </Form.Item>
          <Form.Item name={d('delivery_fee', 'off')} label={t('promotions.editor.deliveryOff')} extra={t('promotions.editor.deliveryOffHelp')}>
            <MoneyInput />
          </Form.Item>
          <Form.Item name={d('delivery_fee', 'off_bp')} label={t('promotions.editor.deliveryOffBp')}>
            <PercentOffInput />
          </Form.Item>
          <Form.Item name={d('delivery_fee', 'methods')} label={t('promotions.editor.deliveryMethods')} extra={t('promotions.editor.deliveryMethodsHelp')}>
            <Select mode="tags" style={{ minWidth: 200 }} options={['express', 'same_day', 'pickup'].map((m) => ({ value: m, label: m }))} />
          </Form.Item>
        </Space>
      );
    case 'special_price':
      return (
        <>
          <Form.List name={d('special_price', 'prices')}>
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Space key={f.key} align="baseline" wrap data-testid="special-rule">
                    <Form.Item name={[f.name, 'tier']} label={t('promotions.editor.specialTier')}>
                      <Input style={{ width: 140 }} autoComplete="off" />
                    </Form.Item>
                    <Form.Item name={[f.name, 'price']} label={t('promotions.editor.specialPrice')} tooltip={t('promotions.editor.specialRuleHelp')}>
                      <MoneyInput />
                    </Form.Item>
                    <Form.Item name={[f.name, 'off']} label={t('promotions.editor.specialOff')}>
                      <MoneyInput />
                    </Form.Item>
                    {fields.length > 1 && <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(i)} aria-label={t('promotions.editor.removeStep')} />}
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ tier: '', price: 990 })} style={{ marginBottom: 16 }}>
                  {t('promotions.editor.addRule')}
                </Button>
              </>
            )}
          </Form.List>
          <Space wrap align="baseline">
            {(['max_per_line', 'max_per_order', 'max_per_customer'] as const).map((k) => (
              <Form.Item key={k} name={d('special_price', k)} label={t(`promotions.editor.${k === 'max_per_line' ? 'maxPerLine' : k === 'max_per_order' ? 'maxPerOrder' : 'maxPerCustomer'}`)} extra={t('promotions.editor.zeroNoLimit')}>
                <InputNumber<number> min={0} precision={0} suffix={t('promotions.cart.units')} />
              </Form.Item>
            ))}
          </Space>
        </>
      );
    case 'buy_a_get_b':
      return (
        <>
          <Space wrap align="baseline">
            <Form.Item name={d('buy_a_get_b', 'buy')} label={t('promotions.editor.bagbBuy')} rules={[req]}>
              <InputNumber<number> min={1} max={100} precision={0} suffix={t('promotions.cart.units')} />
            </Form.Item>
            <Form.Item name={d('buy_a_get_b', 'get')} label={t('promotions.editor.bagbGet')} rules={[req]}>
              <InputNumber<number> min={1} max={100} precision={0} suffix={t('promotions.cart.units')} />
            </Form.Item>
            <Form.Item name={d('buy_a_get_b', 'off_bp')} label={t('promotions.editor.bagbOff')} rules={[req]}>
              <PercentOffInput />
            </Form.Item>
            <Form.Item name={d('buy_a_get_b', 'pick')} label={t('promotions.editor.bagbPick')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'cheapest', label: t('promotions.editor.pickCheapest') },
                  { value: 'dearest', label: t('promotions.editor.pickDearest') },
                ]}
              />
            </Form.Item>
            <Form.Item name={d('buy_a_get_b', 'times')} label={t('promotions.editor.bagbTimes')} extra={t('promotions.editor.zeroNoLimit')}>
              <InputNumber<number> min={0} max={1000} precision={0} />
            </Form.Item>
          </Space>
          <Typography.Paragraph type="secondary">{t('promotions.editor.bagbScopeHelp')}</Typography.Paragraph>
          <Space wrap align="baseline">
            <Form.Item name={['definition', 'buy_a_get_b', 'reward', 'skus']} label={`${t('promotions.editor.bagbReward')} · ${t('promotions.editor.skus')}`}>
              <SkuSelect multiple style={{ width: 320 }} />
            </Form.Item>
            <Form.Item name={['definition', 'buy_a_get_b', 'reward', 'categories']} label={t('promotions.editor.categories')}>
              <Select mode="tags" style={{ minWidth: 200 }} />
            </Form.Item>
            <Form.Item name={['definition', 'buy_a_get_b', 'reward', 'brands']} label={t('promotions.editor.brands')}>
              <Select mode="tags" style={{ minWidth: 200 }} />
            </Form.Item>
          </Space>
        </>
      );
  }
}

function ThresholdFields() {
  const { t } = useTranslation();
  const req = { required: true, message: t('promotions.editor.required') };
  const mode = Form.useWatch('threshold_mode');
  return (
    <>
      <Form.Item name="threshold_mode">
        <Radio.Group
          optionType="button"
          options={[
            { value: 'tiers', label: t('promotions.editor.tiers') },
            { value: 'repeat', label: t('promotions.editor.repeat') },
          ]}
          data-testid="threshold-mode"
        />
      </Form.Item>
      {mode === 'repeat' ? (
        <Space wrap align="baseline">
          <Form.Item name={['definition', 'threshold', 'repeat', 'every']} label={t('promotions.editor.every')} rules={[req]}>
            <MoneyInput data-testid="repeat-every" />
          </Form.Item>
          <Form.Item name={['definition', 'threshold', 'repeat', 'off']} label={t('promotions.editor.save')} rules={[req]}>
            <MoneyInput data-testid="repeat-off" />
          </Form.Item>
          <Form.Item name={['definition', 'threshold', 'repeat', 'cap']} label={t('promotions.editor.cap')} extra={t('promotions.editor.zeroNoLimit')}>
            <MoneyInput />
          </Form.Item>
        </Space>
      ) : (
        <Form.List name={['definition', 'threshold', 'tiers']}>
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" wrap data-testid="threshold-tier">
                  <Typography.Text strong>{t('promotions.editor.tierN', { n: i + 1 })}</Typography.Text>
                  <Typography.Text>{t('promotions.editor.spend')}</Typography.Text>
                  <Form.Item name={[f.name, 'spend']} rules={[req]}>
                    <MoneyInput data-testid={`tier-${i}-spend`} />
                  </Form.Item>
                  <Typography.Text>{t('promotions.editor.save')}</Typography.Text>
                  <Form.Item name={[f.name, 'off']} rules={[req]}>
                    <MoneyInput data-testid={`tier-${i}-off`} />
                  </Form.Item>
                  {fields.length > 1 && (
                    <Tooltip title={t('promotions.editor.removeStep')}>
                      <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(i)} aria-label={t('promotions.editor.removeStep')} />
                    </Tooltip>
                  )}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ spend: 0, off: 0 })} data-testid="tier-add">
                {t('promotions.editor.addTier')}
              </Button>
            </>
          )}
        </Form.List>
      )}
    </>
  );
}

function ScopeCard({ kind }: { kind: PromotionKind }) {
  const { t } = useTranslation();
  const categories = useCategories();
  const brands = useBrands();
  const forest = useMemo(() => buildCategoryTree(categories.data ?? []), [categories.data]);
  const all = Form.useWatch(['definition', 'scope', 'all']);
  const brandOptions = (brands.data ?? []).map((b) => ({ value: b.id, label: b.name }));
  const categoryPicker = (
    <TreeSelect
      multiple
      treeCheckable
      showCheckedStrategy={TreeSelect.SHOW_ALL}
      allowClear
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeData={forest}
      fieldNames={{ label: 'title', value: 'key', children: 'children' }}
      loading={categories.isPending}
      maxTagCount="responsive"
    />
  );
  const s = (n: string) => ['definition', 'scope', n];
  const includes = kind !== 'bundle';
  const onlySkus = kind === 'flash_sale';
  return (
    <Card size="small" title={t('promotions.editor.scopeTitle')} style={{ marginBottom: 16 }}>
      {kind === 'bundle' && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('promotions.editor.bundleScope')} />}
      {includes && !onlySkus && (
        <Form.Item name={s('all')} valuePropName="checked" label={t('promotions.editor.scopeAll')}>
          <Switch data-testid="scope-all" />
        </Form.Item>
      )}
      {includes && (onlySkus || !all) && (
        <Row gutter={16}>
          <Col xs={24} md={onlySkus ? 24 : 8}>
            <Form.Item name={s('skus')} label={t('promotions.editor.skus')}>
              <SkuSelect multiple style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {!onlySkus && (
            <>
              <Col xs={24} md={8}>
                <Form.Item name={s('categories')} label={t('promotions.editor.categories')}>
                  {categoryPicker}
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name={s('brands')} label={t('promotions.editor.brands')}>
                  <Select mode="multiple" allowClear options={brandOptions} optionFilterProp="label" />
                </Form.Item>
              </Col>
            </>
          )}
        </Row>
      )}
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Form.Item name={s('exclude_skus')} label={t('promotions.editor.excludeSkus')}>
            <SkuSelect multiple style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={s('exclude_categories')} label={t('promotions.editor.excludeCategories')}>
            {categoryPicker}
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={s('exclude_brands')} label={t('promotions.editor.excludeBrands')}>
            <Select mode="multiple" allowClear options={brandOptions} optionFilterProp="label" />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}

function ConditionsCard({ kind }: { kind: PromotionKind }) {
  const { t } = useTranslation();
  const regions = useRegions();
  const brands = useBrands();
  const c = (n: string) => ['definition', 'conditions', n];
  const form = Form.useFormInstance<EditorValues>();
  const [search, setSearch] = useState('');
  const storeList = useQuery({
    queryKey: ['stores', 'pick', search],
    queryFn: () => api.stores({ q: search || undefined, limit: 20 }),
  });
  const stores = (storeList.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} ${s.name}` }));
  const chosenStores: string[] = form.getFieldValue(c('stores') as never) ?? [];
  const storeOptions = [...stores, ...chosenStores.filter((id) => !stores.some((s) => s.value === id)).map((id) => ({ value: id, label: id }))];

  return (
    <Card size="small" title={t('promotions.editor.conditionsTitle')} style={{ marginBottom: 16 }}>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name={c('start')} label={t('promotions.editor.start')}>
            <DateTimeInput style={{ width: '100%' }} data-testid="cond-start" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('end')} label={t('promotions.editor.end')}>
            <DateTimeInput role="end" style={{ width: '100%' }} data-testid="cond-end" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name={c('weekdays')} label={t('promotions.editor.weekdays')} tooltip={t('promotions.editor.weekdaysHelp')}>
        <Checkbox.Group options={[1, 2, 3, 4, 5, 6, 0].map((d) => ({ value: d, label: t(`promotions.weekdays.${d}`) }))} />
      </Form.Item>
      <Space wrap align="baseline">
        <Form.Item name={c('daily_from')} label={t('promotions.editor.dailyFrom')}>
          <MinutesInput />
        </Form.Item>
        <Form.Item name={c('daily_to')} label={t('promotions.editor.dailyTo')} extra={t('promotions.editor.dailyHelp')}>
          <MinutesInput />
        </Form.Item>
      </Space>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name={c('channels')} label={t('promotions.editor.channels')}>
            <Select mode="multiple" allowClear options={TOUCHPOINT_CHANNELS.map((ch) => ({ value: ch, label: t(`touchpoints.channels.${ch}`) }))} optionFilterProp="label" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('stores')} label={t('promotions.editor.stores')}>
            <Select mode="multiple" allowClear showSearch={{ filterOption: false, onSearch: setSearch }} options={storeOptions} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('regions')} label={t('promotions.editor.regions')}>
            <Select mode="multiple" allowClear options={(regions.data ?? []).map((r) => ({ value: r.id, label: r.name }))} optionFilterProp="label" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('store_brands')} label={t('promotions.editor.storeBrands')}>
            <Select mode="multiple" allowClear options={(brands.data ?? []).map((b) => ({ value: b.id, label: b.name }))} optionFilterProp="label" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name={c('tiers')}
            label={t('promotions.editor.tiersCond')}
            rules={kind === 'member_price' ? [{ required: true, message: t('promotions.editor.memberPriceHelp') }] : []}
          >
            <TagsSelect options={TIER_SUGGESTIONS.map((v) => ({ value: v, label: t(`promotions.tiers.${v}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('segments')} label={t('promotions.editor.segments')} tooltip={t('promotions.editor.segmentsHelp')}>
            <TagsSelect options={[]} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('payment_methods')} label={t('promotions.editor.paymentMethods')}>
            <TagsSelect options={PAYMENT_SUGGESTIONS.map((v) => ({ value: v, label: t(`promotions.payments.${v}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={c('first_order_only')} valuePropName="checked" label={t('promotions.editor.firstOrder')}>
            <Switch />
          </Form.Item>
        </Col>
        <Col xs={12} md={12}>
          <Form.Item name={c('min_spend')} label={t('promotions.editor.minSpend')}>
            <MoneyInput />
          </Form.Item>
        </Col>
        <Col xs={12} md={12}>
          <Form.Item name={c('min_qty')} label={t('promotions.editor.minQty')}>
            <InputNumber<number> min={0} precision={0} suffix={t('promotions.cart.units')} />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}
