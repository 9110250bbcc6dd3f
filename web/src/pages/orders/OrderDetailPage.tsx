import { ArrowLeftOutlined, ExclamationCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api';
import { customersApi, useHasScope } from '../../api/customers';
import {
  CANCELLABLE,
  COMPLAINT_KINDS,
  PAYMENT_METHODS,
  nextActions,
  useCancelOrder,
  useOpenComplaint,
  useOrder,
  usePayOrder,
  useTransitionOrder,
  useUpdateComplaint,
  type ComplaintKind,
  type OrderAction,
  type OrderChange,
  type OrderComplaint,
  type OrderDetail,
  type OrderException,
  type OrderLine,
  type OrderPayment,
} from '../../api/orders';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { formatFen } from '../../lib/money';
import { ChangeDialog } from './ChangeDialog';
import { RoutingCard } from './RoutingCard';
import {
  ChannelLabel,
  FulfilmentLabel,
  formatInZone,
  formatQty,
  OrderStatusTag,
  PromotionName,
  StoreName,
  usePromotionNames,
} from './parts';
import { useStoreNamesOf } from '../../api/hooks';

/**
 * OrderDetailPage shows one order: header, totals, lines with each promotion's
 * share, where it is fulfilled from and why, payments and refunds, exceptions,
 * changes, complaints and the timeline;
 * with orders:write it pays, moves, cancels, returns and handles complaints.
 */
export default function OrderDetailPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { id = '' } = useParams();
  const order = useOrder(id);
  const canWrite = useHasScope('orders:write');
  const back = () => (location.key !== 'default' ? navigate(-1) : navigate('/orders'));

  if (order.isPending) {
    return (
      <div style={{ textAlign: 'center', padding: 80 }}>
        <Spin />
      </div>
    );
  }
  if (order.isError) {
    const notFound = order.error instanceof ApiError && order.error.status === 404;
    return notFound ? (
      <Result
        status="404"
        title={t('common.notFound')}
        extra={<Button onClick={() => navigate('/orders')}>{t('orders.backToList')}</Button>}
      />
    ) : (
      <ErrorAlert error={order.error} />
    );
  }
  const o = order.data;
  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={back} style={{ paddingLeft: 0, marginBottom: 8 }}>
        {t('common.back')}
      </Button>
      <Header order={o} canWrite={canWrite} />
      <ExceptionsCard order={o} />
      <LinesCard order={o} />
      <RoutingCard order={o} />
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <PaymentsCard order={o} />
          <ChangesCard order={o} />
        </Col>
        <Col xs={24} xl={12}>
          <ComplaintsCard order={o} canWrite={canWrite} />
          <TimelineCard order={o} />
        </Col>
      </Row>
    </>
  );
}

/** Header names the order and its store and customer, shows its totals and offers its actions. */
function Header({ order: o, canWrite }: { order: OrderDetail; canWrite: boolean }) {
  const { t } = useTranslation();
  const names = useStoreNamesOf([o.store_id]);
  const tp = o.totals;
  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Row gutter={[16, 16]} align="middle">
        <Col flex="auto">
          <Space size={8} align="center" wrap>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="order-number">
              {o.number}
            </Typography.Title>
            <OrderStatusTag status={o.status} />
            <Tag color="blue">
              <ChannelLabel channel={o.channel} />
            </Tag>
            <Tag>
              <FulfilmentLabel fulfilment={o.fulfilment} />
            </Tag>
          </Space>
        </Col>
        <Col>{canWrite ? <Actions order={o} /> : null}</Col>
      </Row>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} style={{ marginTop: 12 }} data-testid="order-header">
        <Descriptions.Item label={t('orders.store')}>
          <StoreName id={o.store_id} names={names} />
        </Descriptions.Item>
        <Descriptions.Item label={t('orders.customer')}>
          <CustomerName id={o.customer_id} />
        </Descriptions.Item>
        <Descriptions.Item label={t('orders.placedAt')}>
          <span data-testid="order-placed-at">{formatInZone(o.placed_at, o.time_zone)}</span>{' '}
          <Typography.Text type="secondary">({o.time_zone})</Typography.Text>
        </Descriptions.Item>
        {o.external_ref ? <Descriptions.Item label={t('orders.externalRef')}>{o.external_ref}</Descriptions.Item> : null}
        {o.receiver ? (
          <Descriptions.Item label={t('orders.receiver')}>
            {[o.receiver.name, o.receiver.phone, o.receiver.address].filter(Boolean).join(' · ')}
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('orders.updatedAt')}>{formatInZone(o.updated_at, o.time_zone)}</Descriptions.Item>
      </Descriptions>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, md: 3, lg: 4, xxl: 7 }}
        style={{ marginTop: 8 }}
        labelStyle={{ whiteSpace: 'nowrap' }}
        contentStyle={{ whiteSpace: 'nowrap' }}
        data-testid="order-totals"
        bordered
      >
        <Descriptions.Item label={t('orders.subtotal')}>{formatFen(tp.subtotal_fen)}</Descriptions.Item>
        <Descriptions.Item label={t('orders.discount')}>{formatFen(-tp.discount_fen)}</Descriptions.Item>
        <Descriptions.Item label={t('orders.deliveryFee')}>{formatFen(tp.delivery_fee_fen)}</Descriptions.Item>
        <Descriptions.Item label={t('orders.deliveryDiscount')}>{formatFen(-tp.delivery_discount_fen)}</Descriptions.Item>
        <Descriptions.Item label={t('orders.payable')}>
          <Typography.Text strong>{formatFen(tp.payable_fen)}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('orders.paid')}>{formatFen(o.paid_fen)}</Descriptions.Item>
        <Descriptions.Item label={t('orders.refunded')}>
          {o.refunded_fen > 0 ? <Typography.Text type="danger">{formatFen(o.refunded_fen)}</Typography.Text> : formatFen(0)}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

/** CustomerName links the 360 page, named when the user may read customers. */
function CustomerName({ id }: { id?: string }) {
  const { t } = useTranslation();
  const canRead = useHasScope('customers:read');
  const customer = useQuery({
    queryKey: ['customers', 'one', id],
    queryFn: () => customersApi.customer(id!),
    enabled: !!id && canRead,
  });
  if (!id) return <Tag>{t('orders.anonymous')}</Tag>;
  const name = customer.data?.profile?.name;
  return (
    <Link to={`/customers/${encodeURIComponent(id)}`} data-testid="order-customer">
      {name ? `${name} · ${t('orders.customer360')}` : t('orders.customer360')}
    </Link>
  );
}

/** Actions offers what the order's status allows: pay, move on, cancel, return, short-pick or substitute, open a case. */
function Actions({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const transition = useTransitionOrder(o.id);
  const [dialog, setDialog] = useState<'pay' | 'cancel' | 'return' | 'short_pick' | 'substitution' | 'exchange' | 'complaint' | null>(null);
  const [pendingAction, setPendingAction] = useState<OrderAction | null>(null);
  const move = (action: OrderAction) => {
    setPendingAction(action);
    transition.mutate(action, {
      onSuccess: () => void message.success(t('orders.moved', { action: t(`orders.actions.${action}`) })),
      onError: (err) => void message.error(errorText(err)),
      onSettled: () => setPendingAction(null),
    });
  };
  return (
    <>
      <Space wrap data-testid="order-actions">
        {o.status === 'created' ? (
          <Button type="primary" onClick={() => setDialog('pay')} data-testid="order-pay">
            {t('orders.pay')}
          </Button>
        ) : null}
        {nextActions(o.status, o.fulfilment).map((a, i) => (
          <Button
            key={a}
            type={i === 0 ? 'primary' : 'default'}
            loading={pendingAction === a}
            disabled={transition.isPending && pendingAction !== a}
            onClick={() => move(a)}
            data-testid={`order-action-${a}`}
          >
            {t(`orders.actions.${a}`)}
          </Button>
        ))}
        {o.status === 'picking' ? (
          <Button onClick={() => setDialog('short_pick')} data-testid="order-short-pick">
            {t('orders.shortPick')}
          </Button>
        ) : null}
        {o.status === 'picking' ? (
          <Button onClick={() => setDialog('substitution')} data-testid="order-substitute">
            {t('orders.substitute')}
          </Button>
        ) : null}
        {o.status === 'completed' ? (
          <Button onClick={() => setDialog('return')} data-testid="order-return">
            {t('orders.return')}
          </Button>
        ) : null}
        {o.status === 'completed' ? (
          <Button onClick={() => setDialog('exchange')} data-testid="order-exchange">
            {t('orders.exchange')}
          </Button>
        ) : null}
        <Button onClick={() => setDialog('complaint')} data-testid="order-complaint-open">
          {t('orders.complaints.open')}
        </Button>
        {CANCELLABLE.includes(o.status) ? (
          <Button danger onClick={() => setDialog('cancel')} data-testid="order-cancel">
            {t('orders.cancel')}
          </Button>
        ) : null}
      </Space>
      {dialog === 'pay' ? <PayDialog order={o} onClose={() => setDialog(null)} /> : null}
      {dialog === 'cancel' ? <CancelDialog order={o} onClose={() => setDialog(null)} /> : null}
      {dialog === 'return' || dialog === 'short_pick' || dialog === 'substitution' || dialog === 'exchange' ? (
        <ChangeDialog order={o} kind={dialog} onClose={() => setDialog(null)} />
      ) : null}
      {dialog === 'complaint' ? <ComplaintDialog order={o} onClose={() => setDialog(null)} /> : null}
    </>
  );
}

/** PayDialog records the payment of an order; the amount is its payable (the server refuses any other). */
function PayDialog({ order: o, onClose }: { order: OrderDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const pay = usePayOrder(o.id);
  const [form] = Form.useForm<{ method: string; amount: number; reference?: string }>();
  return (
    <Modal
      open
      title={t('orders.payTitle', { number: o.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('orders.pay')}
      okButtonProps={{ 'data-testid': 'pay-submit' }}
      confirmLoading={pay.isPending}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ method: 'wechat_pay', amount: o.totals.payable_fen / 100 }}
        onFinish={(v) =>
          pay.mutate(
            { method: v.method, amount_fen: Math.round(v.amount * 100), reference: v.reference || undefined },
            {
              onSuccess: () => {
                void message.success(t('orders.paidDone'));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="method" label={t('orders.method')} rules={[{ required: true }]}>
          <Select options={PAYMENT_METHODS.map((m) => ({ value: m, label: t(`promotions.payments.${m}`) }))} />
        </Form.Item>
        <Form.Item name="amount" label={t('orders.amount')} rules={[{ required: true }]} extra={t('orders.amountHelp')}>
          <InputNumber min={0} precision={2} prefix="¥" style={{ width: '100%' }} data-testid="pay-amount" />
        </Form.Item>
        <Form.Item name="reference" label={t('orders.paymentReference')}>
          <Input maxLength={128} />
        </Form.Item>
        {pay.error ? <ErrorAlert error={pay.error} /> : null}
      </Form>
    </Modal>
  );
}

/** CancelDialog cancels an order with a reason: stock goes back, what was paid is refunded. */
function CancelDialog({ order: o, onClose }: { order: OrderDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const cancel = useCancelOrder(o.id);
  const [reason, setReason] = useState('');
  return (
    <Modal
      open
      title={t('orders.cancelTitle', { number: o.number })}
      onCancel={onClose}
      onOk={() =>
        cancel.mutate(reason.trim(), {
          onSuccess: () => {
            void message.success(t('orders.cancelled'));
            onClose();
          },
        })
      }
      okText={t('orders.cancel')}
      okButtonProps={{ danger: true, disabled: reason.trim() === '', 'data-testid': 'cancel-submit' }}
      confirmLoading={cancel.isPending}
    >
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('orders.cancelWarning', { paid: formatFen(o.paid_fen) })} />
      <Input.TextArea
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        maxLength={500}
        placeholder={t('orders.cancelReason')}
        data-testid="cancel-reason"
      />
      {cancel.error ? <div style={{ marginTop: 12 }}><ErrorAlert error={cancel.error} /></div> : null}
    </Modal>
  );
}

/** ComplaintDialog opens an after-sales case on the order, due in 24 hours. */
function ComplaintDialog({ order: o, onClose }: { order: OrderDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const open = useOpenComplaint(o.id);
  const [form] = Form.useForm<{ kind: ComplaintKind; description: string }>();
  return (
    <Modal
      open
      title={t('orders.complaints.openTitle', { number: o.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={open.isPending}
      okButtonProps={{ 'data-testid': 'complaint-submit' }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'quality' }}
        onFinish={(v) =>
          open.mutate(v, {
            onSuccess: () => {
              void message.success(t('orders.complaints.opened'));
              onClose();
            },
          })
        }
      >
        <Form.Item name="kind" label={t('orders.complaints.kind')} rules={[{ required: true }]}>
          <Select options={COMPLAINT_KINDS.map((k) => ({ value: k, label: t(`orders.complaints.kinds.${k}`) }))} />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('orders.complaints.description')}
          rules={[{ required: true, whitespace: true, message: t('orders.complaints.descriptionRequired') }]}
        >
          <Input.TextArea maxLength={2000} data-testid="complaint-description" />
        </Form.Item>
        {open.error ? <ErrorAlert error={open.error} /> : null}
      </Form>
    </Modal>
  );
}

/** ExceptionsCard shows what the server kept apart: price mismatches (both figures) and stock shortfalls. */
function ExceptionsCard({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  if (o.exceptions.length === 0) return null;
  return (
    <Card size="small" title={t('orders.exceptions.title')} style={{ marginBottom: 16 }} data-testid="order-exceptions">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {o.exceptions.map((e, i) => (
          <ExceptionItem key={i} exception={e} timeZone={o.time_zone} />
        ))}
      </Space>
    </Card>
  );
}

function ExceptionItem({ exception: e, timeZone }: { exception: OrderException; timeZone: string }) {
  const { t } = useTranslation();
  const when = formatInZone(e.created_at, timeZone);
  if (e.kind === 'price_mismatch') {
    return (
      <Alert
        type="warning"
        showIcon
        icon={<ExclamationCircleOutlined />}
        data-testid="exception-price-mismatch"
        title={t('orders.exceptions.price_mismatch')}
        description={
          <Space orientation="vertical" size={2}>
            <Space wrap>
              <span>{t('orders.exceptions.stated')}</span>
              <Typography.Text mark strong data-testid="exception-stated">
                {formatFen(e.stated_fen)}
              </Typography.Text>
              <span>{t('orders.exceptions.server')}</span>
              <Typography.Text mark strong data-testid="exception-server">
                {formatFen(e.server_fen)}
              </Typography.Text>
              <Typography.Text type="danger">
                {t('orders.exceptions.difference', { amount: formatFen(e.stated_fen - e.server_fen) })}
              </Typography.Text>
            </Space>
            <Typography.Text type="secondary">
              {when} · {e.detail}
            </Typography.Text>
          </Space>
        }
      />
    );
  }
  return (
    <Alert
      type="warning"
      showIcon
      data-testid={`exception-${e.kind}`}
      title={t(`orders.exceptions.${e.kind}`, { defaultValue: e.kind })}
      description={
        <Typography.Text type="secondary">
          {when} · {e.detail}
        </Typography.Text>
      }
    />
  );
}

/** LinesCard lists the lines as sold, each with every promotion's frozen share of its discount. */
function LinesCard({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const promotions = usePromotionNames();
  const columns: TableColumnsType<OrderLine> = [
    {
      title: t('orders.lines.item'),
      key: 'item',
      render: (_, l) => (
        <Space orientation="vertical" size={0}>
          <span>
            {l.name} {l.gift_of ? <Tag color="magenta">{t('orders.lines.gift')}</Tag> : null}
          </span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {l.sku_code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('orders.lines.qty'), key: 'qty', align: 'right', render: (_, l) => formatQty(l.qty, l.unit) },
    {
      title: t('orders.lines.unitPrice'),
      key: 'price',
      align: 'right',
      render: (_, l) => (l.unit === 'weight' ? `${formatFen(l.unit_price_fen)}/kg` : formatFen(l.unit_price_fen)),
    },
    { title: t('orders.lines.amount'), key: 'amount', align: 'right', render: (_, l) => formatFen(l.amount_fen) },
    {
      title: t('orders.lines.shares'),
      key: 'shares',
      render: (_, l) =>
        l.shares.length === 0 ? (
          '—'
        ) : (
          <Space orientation="vertical" size={0} data-testid={`line-shares-${l.id}`}>
            {l.shares.map((s) => (
              <span key={s.promotion_id}>
                <PromotionName id={s.promotion_id} names={promotions} />{' '}
                <Typography.Text type="success">{formatFen(-s.discount_fen)}</Typography.Text>
              </span>
            ))}
          </Space>
        ),
    },
    { title: t('orders.lines.discount'), key: 'discount', align: 'right', render: (_, l) => formatFen(-l.discount_fen) },
    {
      title: t('orders.lines.net'),
      key: 'net',
      align: 'right',
      render: (_, l) => <Typography.Text strong>{formatFen(l.net_fen)}</Typography.Text>,
    },
    {
      title: t('orders.lines.returned'),
      key: 'returned',
      align: 'right',
      render: (_, l) => (
        <Space size={4} wrap>
          {l.returned_qty > 0 ? <Tag color="orange">{formatQty(l.returned_qty, l.unit)}</Tag> : null}
          {l.substituted_qty > 0 ? (
            <Tag color="purple" data-testid={`line-substituted-${l.id}`}>
              {t('orders.substitutedTag', { qty: formatQty(l.substituted_qty, l.unit) })}
            </Tag>
          ) : null}
          {l.substitute_for ? (
            <Tag color="blue" data-testid={`line-substitute-${l.id}`}>
              {t('orders.substituteFor', { line: l.substitute_for })}
            </Tag>
          ) : null}
          {l.exchange_for ? (
            <Tag color="cyan" data-testid={`line-exchange-${l.id}`}>
              {t('orders.exchangeFor', { line: l.exchange_for })}
            </Tag>
          ) : null}
          {l.returned_qty === 0 && l.substituted_qty === 0 && !l.substitute_for && !l.exchange_for ? '—' : null}
        </Space>
      ),
    },
  ];
  return (
    <Card size="small" title={t('orders.lines.title')} style={{ marginBottom: 16 }}>
      <Table<OrderLine>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={o.lines}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="order-lines"
      />
    </Card>
  );
}

/** PaymentsCard lists payments and refunds. */
function PaymentsCard({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<OrderPayment> = [
    { title: t('orders.payments.at'), key: 'at', render: (_, p) => formatInZone(p.at, o.time_zone) },
    {
      title: t('orders.payments.kind'),
      key: 'kind',
      render: (_, p) => <Tag color={p.kind === 'refund' ? 'orange' : 'green'}>{t(`orders.payments.kinds.${p.kind}`)}</Tag>,
    },
    {
      title: t('orders.method'),
      key: 'method',
      render: (_, p) =>
        t(`promotions.payments.${p.method}`, { defaultValue: t(`orders.payments.methods.${p.method}`, { defaultValue: p.method }) }),
    },
    {
      title: t('orders.amount'),
      key: 'amount',
      align: 'right',
      render: (_, p) => (p.kind === 'refund' ? formatFen(-p.amount_fen) : formatFen(p.amount_fen)),
    },
    { title: t('orders.paymentReference'), key: 'ref', render: (_, p) => p.reference || '—' },
  ];
  return (
    <Card size="small" title={t('orders.payments.title')} style={{ marginBottom: 16 }}>
      <Table<OrderPayment>
        rowKey="seq"
        size="small"
        columns={columns}
        dataSource={o.payments}
        pagination={false}
        locale={{ emptyText: t('orders.payments.none') }}
        data-testid="order-payments"
      />
    </Card>
  );
}

/** ChangesCard lists the confirmed change sets: returns, short picks and the cancellation refund. */
function ChangesCard({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const lineNames = new Map(o.lines.map((l) => [l.id, l]));
  return (
    <Card size="small" title={t('orders.changes.title')} style={{ marginBottom: 16 }} data-testid="order-changes">
      {o.changes.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('orders.changes.none')} />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {o.changes.map((c) => (
            <ChangeItem key={c.id ?? c.version} change={c} lines={lineNames} timeZone={o.time_zone} />
          ))}
        </Space>
      )}
    </Card>
  );
}

function ChangeItem({ change: c, lines, timeZone }: { change: OrderChange; lines: Map<string, OrderLine>; timeZone: string }) {
  const { t } = useTranslation();
  return (
    <Card size="small" type="inner" title={
      <Space wrap>
        <Tag color={c.kind === 'cancel' ? 'red' : 'orange'}>{t(`orders.changes.kinds.${c.kind}`)}</Tag>
        <span>v{c.version}</span>
        <Typography.Text type="secondary">{formatInZone(c.created_at, timeZone)}</Typography.Text>
      </Space>
    } extra={<Typography.Text strong>{t('orders.changes.refund', { amount: formatFen(c.refund_fen) })}</Typography.Text>}>
      {c.reason ? <div>{t('orders.changes.reason')}: {c.reason}</div> : null}
      {c.reference ? <Typography.Text type="secondary">{t('orders.changes.reference')}: {c.reference}</Typography.Text> : null}
      {c.lines.length > 0 ? (
        <ul style={{ margin: '4px 0', paddingLeft: 20 }}>
          {c.lines.map((l) => {
            const line = lines.get(l.line_id);
            return (
              <li key={l.line_id}>
                {line?.name ?? l.line_id} × {line ? formatQty(l.qty, line.unit) : l.qty} → {formatFen(l.refund_fen)}
                {l.restocked ? <Tag style={{ marginLeft: 8 }}>{t('orders.changes.restocked')}</Tag> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {c.claw_back_fen > 0 ? (
        <Typography.Text type="danger">{t('orders.changes.clawBack', { amount: formatFen(c.claw_back_fen) })}</Typography.Text>
      ) : null}
      {c.notes.map((n) => (
        <div key={n}>
          <Typography.Text type="secondary">{n}</Typography.Text>
        </div>
      ))}
    </Card>
  );
}

/** ComplaintsCard lists the order's after-sales cases, answers and resolves them. */
function ComplaintsCard({ order: o, canWrite }: { order: OrderDetail; canWrite: boolean }) {
  const { t } = useTranslation();
  const [answering, setAnswering] = useState<{ complaint: OrderComplaint; status: 'responded' | 'resolved' } | null>(null);
  return (
    <Card size="small" title={t('orders.complaints.title')} style={{ marginBottom: 16 }} data-testid="order-complaints">
      {o.complaints.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('orders.complaints.none')} />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {o.complaints.map((c) => (
            <Card
              key={c.id}
              size="small"
              type="inner"
              data-testid={`complaint-${c.id}`}
              title={
                <Space wrap>
                  <span>{t(`orders.complaints.kinds.${c.kind}`, { defaultValue: c.kind })}</span>
                  <Tag color={c.status === 'resolved' ? 'green' : c.status === 'responded' ? 'blue' : 'gold'}>
                    {t(`orders.complaints.statuses.${c.status}`)}
                  </Tag>
                  {c.overdue ? (
                    <Tag color="red" data-testid="complaint-overdue">
                      {t('orders.complaints.overdue')}
                    </Tag>
                  ) : null}
                </Space>
              }
              extra={
                canWrite && c.status !== 'resolved' ? (
                  <Space>
                    {c.status === 'open' ? (
                      <Button size="small" onClick={() => setAnswering({ complaint: c, status: 'responded' })} data-testid="complaint-respond">
                        {t('orders.complaints.respond')}
                      </Button>
                    ) : null}
                    <Button size="small" type="primary" onClick={() => setAnswering({ complaint: c, status: 'resolved' })} data-testid="complaint-resolve">
                      {t('orders.complaints.resolve')}
                    </Button>
                  </Space>
                ) : null
              }
            >
              <div>{c.description}</div>
              <Typography.Text type={c.overdue ? 'danger' : 'secondary'}>
                {t('orders.complaints.due', { at: formatInZone(c.due_at, o.time_zone) })}
              </Typography.Text>
              {c.resolution ? (
                <div>
                  {t('orders.complaints.resolution')}: {c.resolution}
                </div>
              ) : null}
            </Card>
          ))}
        </Space>
      )}
      {answering ? (
        <AnswerDialog order={o} complaint={answering.complaint} status={answering.status} onClose={() => setAnswering(null)} />
      ) : null}
    </Card>
  );
}

/** AnswerDialog answers (responded) or closes (resolved) a case. */
function AnswerDialog({
  order: o,
  complaint,
  status,
  onClose,
}: {
  order: OrderDetail;
  complaint: OrderComplaint;
  status: 'responded' | 'resolved';
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const update = useUpdateComplaint(o.id);
  const [resolution, setResolution] = useState(complaint.resolution ?? '');
  return (
    <Modal
      open
      title={status === 'resolved' ? t('orders.complaints.resolve') : t('orders.complaints.respond')}
      onCancel={onClose}
      onOk={() =>
        update.mutate(
          { complaintId: complaint.id, body: { status, resolution: resolution.trim() } },
          {
            onSuccess: () => {
              void message.success(t('orders.complaints.updated'));
              onClose();
            },
          },
        )
      }
      okButtonProps={{ disabled: resolution.trim() === '', 'data-testid': 'complaint-answer-submit' }}
      confirmLoading={update.isPending}
    >
      <Typography.Paragraph>{complaint.description}</Typography.Paragraph>
      <Input.TextArea
        value={resolution}
        onChange={(e) => setResolution(e.target.value)}
        maxLength={2000}
        placeholder={t('orders.complaints.resolution')}
        data-testid="complaint-resolution"
      />
      {update.error ? <div style={{ marginTop: 12 }}><ErrorAlert error={update.error} /></div> : null}
    </Modal>
  );
}

/** TimelineCard lists every transition, change, exception and complaint in order. */
function TimelineCard({ order: o }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const label = (kind: string) => t(`orders.timeline.${kind}`, { defaultValue: t(`orders.statuses.${kind}`, { defaultValue: kind }) });
  return (
    <Card size="small" title={t('orders.timeline.title')} style={{ marginBottom: 16 }} data-testid="order-timeline">
      <Timeline
        items={[...o.timeline]
          .sort((a, b) => a.seq - b.seq)
          .map((e) => ({
            key: e.seq,
            content: (
              <>
                <Typography.Text strong>{label(e.kind)}</Typography.Text>
                {e.from && e.to && e.from !== e.to ? (
                  <Typography.Text type="secondary">
                    {' '}
                    ({t(`orders.statuses.${e.from}`, { defaultValue: e.from })} → {t(`orders.statuses.${e.to}`, { defaultValue: e.to })})
                  </Typography.Text>
                ) : null}
                <div>
                  <Typography.Text type="secondary">{formatInZone(e.at, o.time_zone)}</Typography.Text>
                </div>
                {e.note ? <div>{noteText(e.kind, e.note, t)}</div> : null}
              </>
            ),
          }))}
      />
    </Card>
  );
}

/** noteText words a timeline note: a complaint's kind and a payment method are translated. */
function noteText(kind: string, note: string, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (kind === 'complaint') return t(`orders.complaints.kinds.${note}`, { defaultValue: note });
  if (kind === 'paid') return t(`promotions.payments.${note}`, { defaultValue: note });
  return note;
}
