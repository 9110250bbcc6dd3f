import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Descriptions, Input, InputNumber, Modal, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import {
  newReference,
  useConfirmChange,
  usePreviewChange,
  type OrderChangeRequest,
  type OrderDetail,
  type OrderLine,
} from '../../api/orders';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatFen } from '../../lib/money';
import { formatQty } from './parts';

type ChangeKind = 'return' | 'short_pick' | 'substitution' | 'exchange';

const TITLES: Record<ChangeKind, string> = {
  return: 'orders.changeDialog.returnTitle',
  short_pick: 'orders.changeDialog.shortPickTitle',
  substitution: 'orders.changeDialog.substitutionTitle',
  exchange: 'orders.changeDialog.exchangeTitle',
};
const HELP: Record<ChangeKind, string> = {
  return: 'orders.changeDialog.returnHelp',
  short_pick: 'orders.changeDialog.shortPickHelp',
  substitution: 'orders.changeDialog.substitutionHelp',
  exchange: 'orders.changeDialog.exchangeHelp',
};
const QTY: Record<ChangeKind, string> = {
  return: 'orders.changeDialog.returnQty',
  short_pick: 'orders.changeDialog.missingQty',
  substitution: 'orders.changeDialog.substituteQty',
  exchange: 'orders.changeDialog.exchangeQty',
};
const PREFIX: Record<ChangeKind, string> = { return: 'ret', short_pick: 'short', substitution: 'sub', exchange: 'exch' };
const PAY_METHODS = ['cash', 'card', 'wechat_pay', 'alipay'];

type Item = { key: number; sku_id?: string; qty: number };

/**
 * ChangeDialog returns goods of a completed order, or records a short pick or a
 * substitution while picking: pick lines and quantities (and for a substitution the
 * substitute SKU and its quantity), Preview shows the refund of each line and the
 * notes (from the shares frozen at sale time; for a substitute what the customer
 * pays for it), Confirm stores it. The dialog makes one reference when it opens and
 * sends it with every confirm, so a double click or a retry after a lost answer
 * refunds once. An exchange (of a completed order) also lists the items the customer
 * takes instead; the preview says what the customer pays (due_fen, the server's
 * figure) or is refunded, and Confirm sends that payment with the method chosen.
 */
export function ChangeDialog({ order: o, kind, onClose }: { order: OrderDetail; kind: ChangeKind; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [reference] = useState(() => newReference(PREFIX[kind]));
  const [qtys, setQtys] = useState<Record<string, number>>({});
  const [subSku, setSubSku] = useState<Record<string, string>>({});
  const [subQty, setSubQty] = useState<Record<string, number>>({});
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(kind === 'return' || kind === 'exchange');
  const [items, setItems] = useState<Item[]>([{ key: 0, qty: 1 }]);
  const [payMethod, setPayMethod] = useState('cash');
  const [payReference, setPayReference] = useState('');
  const preview = usePreviewChange(o.id);
  const confirm = useConfirmChange(o.id);
  // The body the preview answered for: Confirm sends exactly it.
  const [previewed, setPreviewed] = useState<OrderChangeRequest | null>(null);
  const confirming = useRef(false);

  const left = (l: OrderLine) => l.qty - l.returned_qty - l.substituted_qty;
  const open = o.lines.filter((l) => left(l) > 0 && (kind !== 'substitution' || !l.substitute_for));
  const body: OrderChangeRequest = useMemo(
    () => ({
      kind,
      reference,
      reason: reason.trim() || undefined,
      restock: kind === 'return' || kind === 'exchange' ? restock : undefined,
      items:
        kind === 'exchange'
          ? items.filter((i) => i.sku_id && i.qty > 0).map((i) => ({ sku_id: i.sku_id ?? '', qty: i.qty }))
          : undefined,
      lines: Object.entries(qtys)
        .filter(([, q]) => q > 0)
        .map(([line_id, qty]) =>
          kind === 'substitution'
            ? { line_id, qty, substitute_sku_id: subSku[line_id] ?? '', substitute_qty: subQty[line_id] || undefined }
            : { line_id, qty },
        ),
    }),
    [kind, reference, reason, restock, qtys, subSku, subQty, items],
  );
  const chosen =
    (body.lines ?? []).length > 0 &&
    (body.lines ?? []).every((l) => kind !== 'substitution' || !!l.substitute_sku_id) &&
    (kind !== 'exchange' || (body.items ?? []).length > 0);
  const stale = previewed !== null && JSON.stringify(previewed) !== JSON.stringify(body);

  const edit = (fn: () => void) => {
    fn();
    preview.reset();
    setPreviewed(null);
  };

  const runPreview = () => {
    const sent = body;
    preview.mutate(sent, { onSuccess: () => setPreviewed(sent) });
  };

  const runConfirm = () => {
    if (!previewed || confirming.current) return;
    confirming.current = true;
    // An exchange pays exactly what the server previewed; the server checks it again.
    const due = preview.data?.due_fen ?? 0;
    const sent: OrderChangeRequest =
      kind === 'exchange' && due > 0
        ? { ...previewed, payment: { method: payMethod, amount_fen: due, reference: payReference.trim() || undefined } }
        : previewed;
    confirm.mutate(sent, {
      onSuccess: (r) => {
        void message.success(
          kind === 'exchange'
            ? t('orders.changeDialog.exchanged', { due: formatFen(r.change.due_fen ?? 0), refund: formatFen(r.change.refund_fen) })
            : t('orders.changeDialog.done', { amount: formatFen(r.change.refund_fen) }),
        );
        onClose();
      },
      onSettled: () => {
        confirming.current = false;
      },
    });
  };

  const columns: TableColumnsType<OrderLine> = [
    { title: t('orders.lines.item'), key: 'item', render: (_, l) => `${l.name} · ${l.sku_code}` },
    { title: t('orders.lines.qty'), key: 'qty', align: 'right', render: (_, l) => formatQty(l.qty, l.unit) },
    { title: t('orders.lines.net'), key: 'net', align: 'right', render: (_, l) => formatFen(l.net_fen) },
    {
      title: t('orders.lines.returned'),
      key: 'returned',
      align: 'right',
      render: (_, l) => (l.returned_qty > 0 ? formatQty(l.returned_qty, l.unit) : '—'),
    },
    {
      title: t(QTY[kind]),
      key: 'pick',
      render: (_, l) => (
        <InputNumber
          min={0}
          max={left(l)}
          precision={0}
          value={qtys[l.id] ?? 0}
          suffix={l.unit === 'weight' ? 'g' : undefined}
          onChange={(v) => edit(() => setQtys((q) => ({ ...q, [l.id]: Number(v ?? 0) })))}
          data-testid={`change-qty-${l.id}`}
        />
      ),
    },
    ...(kind === 'substitution'
      ? ([
          {
            title: t('orders.changeDialog.substituteSku'),
            key: 'sub',
            render: (_, l) => (
              <Space orientation="vertical" size={4}>
                <SkuSelect
                  value={subSku[l.id]}
                  exclude={l.sku_id}
                  onChange={(v) => edit(() => setSubSku((m) => ({ ...m, [l.id]: v })))}
                  testId={`change-sub-sku-${l.id}`}
                />
                <InputNumber
                  min={0}
                  precision={0}
                  value={subQty[l.id] || null}
                  placeholder={t('orders.changeDialog.substituteQtyOf')}
                  style={{ width: '100%' }}
                  onChange={(v) => edit(() => setSubQty((m) => ({ ...m, [l.id]: Number(v ?? 0) })))}
                  data-testid={`change-sub-qty-${l.id}`}
                />
              </Space>
            ),
          },
          {
            title: t('orders.changeDialog.customerPays'),
            key: 'pays',
            align: 'right',
            render: (_, l) => {
              const line = previewed && !stale ? preview.data?.lines.find((x) => x.line_id === l.id) : undefined;
              return line?.substitute_net_fen !== undefined ? (
                <span data-testid={`change-pays-${l.id}`}>
                  {formatFen(line.substitute_net_fen)}
                  {line.substitute_amount_fen !== undefined && line.substitute_amount_fen !== line.substitute_net_fen ? (
                    <Typography.Text type="secondary" delete style={{ marginLeft: 4 }}>
                      {formatFen(line.substitute_amount_fen)}
                    </Typography.Text>
                  ) : null}
                </span>
              ) : (
                '—'
              );
            },
          },
        ] as TableColumnsType<OrderLine>)
      : []),
    {
      title: t('orders.changeDialog.refund'),
      key: 'refund',
      align: 'right',
      render: (_, l) => {
        const line = previewed && !stale ? preview.data?.lines.find((x) => x.line_id === l.id) : undefined;
        return line ? <span data-testid={`change-refund-${l.id}`}>{formatFen(line.refund_fen)}</span> : '—';
      },
    },
  ];

  const result = previewed && !stale ? preview.data : undefined;
  return (
    <Modal
      open
      width={kind === 'substitution' ? 1160 : 900}
      title={t(TITLES[kind], { number: o.number })}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={runPreview} disabled={!chosen} loading={preview.isPending} data-testid="change-preview">
            {t('orders.changeDialog.preview')}
          </Button>
          {kind === 'exchange' && result && (result.due_fen ?? 0) > 0 ? (
            <>
              <Select
                value={payMethod}
                onChange={setPayMethod}
                options={PAY_METHODS.map((m) => ({ value: m, label: m }))}
                style={{ width: 130 }}
                aria-label={t('orders.changeDialog.payMethod')}
                data-testid="change-pay-method"
              />
              <Input
                value={payReference}
                onChange={(e) => setPayReference(e.target.value)}
                maxLength={128}
                placeholder={t('orders.changeDialog.payReference')}
                style={{ width: 180 }}
                data-testid="change-pay-reference"
              />
            </>
          ) : null}
          <Button
            type="primary"
            danger
            onClick={runConfirm}
            disabled={!result}
            loading={confirm.isPending}
            data-testid="change-confirm"
          >
            {kind === 'exchange' ? t('orders.changeDialog.confirmExchange') : t('orders.changeDialog.confirm')}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        {t(HELP[kind])}
      </Typography.Paragraph>
      <Table<OrderLine>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={open}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('orders.changeDialog.nothingLeft') }}
        data-testid="change-lines"
      />
      <Space orientation="vertical" style={{ width: '100%', marginTop: 12 }}>
        <Input
          value={reason}
          onChange={(e) => edit(() => setReason(e.target.value))}
          maxLength={500}
          placeholder={t('orders.changeDialog.reason')}
          data-testid="change-reason"
        />
        {kind === 'exchange' ? (
          <ExchangeItems items={items} onChange={(next) => edit(() => setItems(next))} />
        ) : null}
        {kind === 'return' || kind === 'exchange' ? (
          <Checkbox checked={restock} onChange={(e) => edit(() => setRestock(e.target.checked))} data-testid="change-restock">
            {t('orders.changeDialog.restock')}
          </Checkbox>
        ) : null}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('orders.changeDialog.reference', { reference })}
        </Typography.Text>
        {preview.error ? <ErrorAlert error={preview.error} /> : null}
        {confirm.error ? <ErrorAlert error={confirm.error} /> : null}
        {result ? (
          <Alert
            type="info"
            showIcon
            data-testid="change-preview-result"
            title={
              kind === 'exchange' && (result.due_fen ?? 0) > 0
                ? t('orders.changeDialog.customerOwes', { amount: formatFen(result.due_fen ?? 0) })
                : t('orders.changeDialog.previewTotal', { amount: formatFen(result.refund_fen) })
            }
            description={
              <>
                <Descriptions size="small" column={2}>
                  <Descriptions.Item label={t('orders.changeDialog.refund')}>{formatFen(result.refund_fen)}</Descriptions.Item>
                  <Descriptions.Item label={t('orders.changeDialog.clawBack')}>{formatFen(result.claw_back_fen)}</Descriptions.Item>
                </Descriptions>
                {result.added && result.added.length > 0 ? (
                  <Descriptions size="small" column={1} data-testid="change-added">
                    <Descriptions.Item label={t('orders.changeDialog.newItems')}>
                      {result.added.map((a) => `${a.sku_code} × ${a.qty} = ${formatFen(a.amount_fen)}`).join('; ')}
                    </Descriptions.Item>
                  </Descriptions>
                ) : null}
                {result.notes.length > 0 ? (
                  <ul style={{ margin: 0, paddingLeft: 20 }} data-testid="change-notes">
                    {result.notes.map((n) => (
                      <li key={n}>{n}</li>
                    ))}
                  </ul>
                ) : null}
              </>
            }
          />
        ) : null}
      </Space>
    </Modal>
  );
}

/** SkuSelect finds a substitute SKU by name, code or barcode (not the line's own). */
function SkuSelect({ value, exclude, onChange, testId }: { value?: string; exclude: string; onChange: (v: string) => void; testId: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const skus = useQuery({ queryKey: ['skus', 'pick', q], queryFn: () => api.skus({ q, limit: 20 }), enabled: q.length > 0 });
  return (
    <Select
      showSearch
      value={value}
      placeholder={t('orders.changeDialog.pickSku')}
      filterOption={false}
      onSearch={setQ}
      onChange={onChange}
      loading={skus.isFetching}
      options={(skus.data?.items ?? []).filter((s) => s.id !== exclude).map((s) => ({ value: s.id, label: `${s.name} · ${s.code}` }))}
      style={{ width: 220 }}
      data-testid={testId}
    />
  );
}

/** ExchangeItems lists the items the customer takes in an exchange: a SKU and a quantity each. */
function ExchangeItems({ items, onChange }: { items: Item[]; onChange: (items: Item[]) => void }) {
  const { t } = useTranslation();
  const set = (key: number, patch: Partial<Item>) => onChange(items.map((i) => (i.key === key ? { ...i, ...patch } : i)));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="change-items">
      <Typography.Text strong>{t('orders.changeDialog.items')}</Typography.Text>
      {items.map((i, n) => (
        <Space key={i.key}>
          <SkuSelect value={i.sku_id} exclude="" onChange={(v) => set(i.key, { sku_id: v })} testId={`change-item-sku-${n}`} />
          <InputNumber
            min={1}
            precision={0}
            value={i.qty}
            aria-label={t('orders.changeDialog.itemQty')}
            onChange={(v) => set(i.key, { qty: Number(v ?? 0) })}
            data-testid={`change-item-qty-${n}`}
          />
          {items.length > 1 ? (
            <Button onClick={() => onChange(items.filter((x) => x.key !== i.key))}>{t('orders.changeDialog.removeItem')}</Button>
          ) : null}
        </Space>
      ))}
      <Button onClick={() => onChange([...items, { key: Math.max(...items.map((x) => x.key)) + 1, qty: 1 }])} data-testid="change-item-add">
        {t('orders.changeDialog.addItem')}
      </Button>
    </Space>
  );
}
