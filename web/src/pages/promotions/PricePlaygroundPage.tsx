import { CalculatorOutlined, RollbackOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Card, Col, DatePicker, Form, Row, Select, Space, Switch, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { useAllPromotions, promotionsApi } from '../../api/promotions';
import { TOUCHPOINT_CHANNELS, type CartPriceRequest, type CartPriceResponse, type Store } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatFen } from '../../lib/money';
import { CartBuilder, PricedCartView, toCartLines, type DraftLine } from './cart';
import { MoneyInput } from './inputs';

/** CartContext is who buys, where, when and how, as the playground's form holds it. */
export interface CartContext {
  channel?: string;
  store?: Store;
  time?: Dayjs;
  tier?: string;
  segments?: string[];
  first_order?: boolean;
  payment_method?: string;
  coupons?: string[];
  delivery_fee?: number;
}

/** toPriceRequest builds the price request; the store brings its region, brand and time zone. */
export function toPriceRequest(lines: DraftLine[], c: CartContext): CartPriceRequest {
  const req: CartPriceRequest = { lines: toCartLines(lines) };
  if (c.channel) req.channel = c.channel;
  if (c.store) {
    req.store_id = c.store.id;
    if (c.store.region_id) req.region = c.store.region_id;
    if (c.store.brand_id) req.brand = c.store.brand_id;
    if (c.store.time_zone) req.time_zone = c.store.time_zone;
  }
  req.time = (c.time ?? dayjs()).toISOString();
  if (c.tier) req.tier = c.tier;
  if (c.segments?.length) req.segments = c.segments;
  if (c.first_order) req.first_order = true;
  if (c.payment_method) req.payment_method = c.payment_method;
  if (c.coupons?.length) req.coupons = c.coupons;
  if (c.delivery_fee) req.delivery_fee = c.delivery_fee;
  return req;
}

/** PricePlaygroundPage builds a cart, prices it against the active promotions and explains the result. */
export default function PricePlaygroundPage() {
  const { t } = useTranslation();
  const [lines, setLines] = useState<DraftLine[]>([]);
  const [form] = Form.useForm<CartContext>();
  const [storeSearch, setStoreSearch] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const stores = useQuery({
    queryKey: ['stores', 'pick', storeSearch],
    queryFn: () => api.stores({ q: storeSearch || undefined, limit: 20 }),
  });
  const promotions = useAllPromotions();
  const names = new Map((promotions.data ?? []).map((p) => [p.id, p.name]));
  const labels = new Map(lines.map((l) => [l.id, l.label]));

  const price = useMutation({ mutationFn: (req: CartPriceRequest) => promotionsApi.price(req) });
  // The quote comes from the server-signed priced cart, never from amounts the console posts.
  const quote = useMutation({
    mutationFn: (priced: CartPriceResponse) =>
      promotionsApi.returnQuote({
        priced_token: priced.priced_token ?? '',
        returned: Object.fromEntries(priced.lines.filter((l) => selected.includes(l.id) && !l.gift).map((l) => [l.id, l.qty])),
      }),
  });

  const run = () => {
    setSelected([]);
    quote.reset();
    price.mutate(toPriceRequest(lines, form.getFieldsValue(true)));
  };

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('promotions.playground.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('promotions.playground.intro')}</Typography.Paragraph>
      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('promotions.playground.cart')} style={{ marginBottom: 16 }}>
            <CartBuilder lines={lines} onChange={setLines} />
          </Card>
          <Card size="small" title={t('promotions.playground.context')} style={{ marginBottom: 16 }}>
            <Form<CartContext> form={form} layout="vertical" initialValues={{ channel: 'pos' }}>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="channel" label={t('promotions.editor.channels')}>
                    <Select allowClear options={TOUCHPOINT_CHANNELS.map((c) => ({ value: c, label: t(`touchpoints.channels.${c}`) }))} data-testid="pg-channel" />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="store" label={t('promotions.playground.store')} getValueProps={(s?: Store) => ({ value: s?.id })}
                    getValueFromEvent={(id?: string) => stores.data?.items.find((s) => s.id === id)}
                  >
                    <Select
                      allowClear
                      showSearch={{ filterOption: false, onSearch: setStoreSearch }}
                      options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} ${s.name}` }))}
                      data-testid="pg-store"
                    />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="time" label={t('promotions.playground.time')} extra={t('promotions.playground.timeHelp')}>
                    <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="tier" label={t('promotions.playground.tier')}>
                    <Select allowClear options={['normal', 'silver', 'gold', 'platinum'].map((v) => ({ value: v, label: t(`promotions.tiers.${v}`) }))} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="segments" label={t('promotions.editor.segments')}>
                    <Select mode="tags" allowClear tokenSeparators={[',', '，', ' ']} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="payment_method" label={t('promotions.playground.payment')}>
                    <Select
                      allowClear
                      options={['wechat_pay', 'alipay', 'unionpay', 'cash', 'card', 'points'].map((v) => ({ value: v, label: t(`promotions.payments.${v}`) }))}
                    />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="coupons" label={t('promotions.playground.coupons')}>
                    <Select mode="tags" allowClear tokenSeparators={[',', '，', ' ']} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="delivery_fee" label={t('promotions.playground.deliveryFee')}>
                    <MoneyInput style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="first_order" valuePropName="checked" label={t('promotions.playground.firstOrder')}>
                    <Switch />
                  </Form.Item>
                </Col>
              </Row>
            </Form>
            <Button
              type="primary"
              size="large"
              block
              icon={<CalculatorOutlined />}
              disabled={lines.length === 0}
              loading={price.isPending}
              onClick={run}
              data-testid="pg-price"
            >
              {t('promotions.playground.price')}
            </Button>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          {price.error ? <ErrorAlert error={price.error} /> : null}
          {price.data ? (
            <Space orientation="vertical" style={{ width: '100%' }} size="middle">
              <PricedCartView
                result={price.data}
                names={names}
                labels={labels}
                rowSelection={{
                  selectedRowKeys: selected,
                  onChange: (keys) => setSelected(keys.map(String)),
                  getCheckboxProps: (l) => ({ disabled: !!l.gift }),
                }}
              />
              <Card
                size="small"
                title={
                  <span>
                    <RollbackOutlined /> {t('promotions.playground.returnTitle')}
                  </span>
                }
                extra={
                  <Button
                    disabled={selected.length === 0 || !price.data.priced_token}
                    loading={quote.isPending}
                    onClick={() => quote.mutate(price.data!)}
                    data-testid="pg-return"
                  >
                    {t('promotions.playground.returnQuote', { count: selected.length })}
                  </Button>
                }
              >
                {quote.error ? <ErrorAlert error={quote.error} /> : null}
                {quote.data ? (
                  <Space orientation="vertical" style={{ width: '100%' }}>
                    <Typography.Title level={5} style={{ margin: 0 }} data-testid="pg-refund">
                      {t('promotions.playground.refund', { amount: formatFen(quote.data.refund) })}
                    </Typography.Title>
                    <Table
                      size="small"
                      rowKey="line_id"
                      pagination={false}
                      dataSource={quote.data.lines}
                      columns={[
                        { title: t('promotions.cart.sku'), key: 'sku', render: (_, l) => labels.get(l.line_id) ?? l.line_id },
                        { title: t('promotions.cart.qty'), dataIndex: 'qty', key: 'qty' },
                        { title: t('promotions.playground.refundCol'), key: 'refund', align: 'right', render: (_, l) => formatFen(l.refund) },
                        {
                          title: t('promotions.playground.clawBack'),
                          key: 'claw',
                          align: 'right',
                          render: (_, l) => (l.claw_back ? `-${formatFen(l.claw_back)}` : '—'),
                        },
                      ]}
                    />
                    {quote.data.adjustments.map((a) => (
                      <Typography.Text key={a.promotion_id} type="secondary">
                        {names.get(a.promotion_id) ?? a.promotion_id}: {a.message}
                      </Typography.Text>
                    ))}
                  </Space>
                ) : (
                  <Typography.Text type="secondary">{t('promotions.playground.returnHelp')}</Typography.Text>
                )}
              </Card>
            </Space>
          ) : (
            <Card>
              <Typography.Text type="secondary">{t('promotions.playground.emptyResult')}</Typography.Text>
            </Card>
          )}
        </Col>
      </Row>
    </>
  );
}
