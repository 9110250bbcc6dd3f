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

type ChangeKind = 'return' | 'short_pick' | 'substitution';

const TITLES: Record<ChangeKind, string> = {
  return: 'orders.changeDialog.returnTitle',
  short_pick: 'orders.changeDialog.shortPickTitle',
  substitution: 'orders.changeDialog.substitutionTitle',
};
const HELP: Record<ChangeKind, string> = {
  return: 'orders.changeDialog.returnHelp',
  short_pick: 'orders.changeDialog.shortPickHelp',
  substitution: 'orders.changeDialog.substitutionHelp',
};
const QTY: Record<ChangeKind, string> = {
  return: 'orders.changeDialog.returnQty',
  short_pick: 'orders.changeDialog.missingQty',
  substitution: 'orders.changeDialog.substituteQty',
};
const PREFIX: Record<ChangeKind, string> = { return: 'ret', short_pick: 'short', substitution: 'sub' };

/**
 * ChangeDialog returns goods of a completed order, or records a short pick or a
 * substitution while picking: pick lines and quantities (and for a substitution the
 * substitute SKU and its quantity), Preview shows the refund of each line and the
 * notes (from the shares frozen at sale time; for a substitute what the customer
 * pays for it), Confirm stores it. The dialog makes one reference when it opens and
 * sends it with every confirm, so a double click or a retry after a lost answer
 * refunds once.
 */
export function ChangeDialog({ order: o, kind, onClose }: { order: OrderDetail; kind: ChangeKind; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [reference] = useState(() => newReference(PREFIX[kind]));
  const [qtys, setQtys] = useState<Record<string, number>>({});
  const [subSku, setSubSku] = useState<Record<string, string>>({});
  const [subQty, setSubQty] = useState<Record<string, number>>({});
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(kind === 'return');
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
      restock: kind === 'return' ? restock : undefined,
      lines: Object.entries(qtys)
        .filter(([, q]) => q > 0)
        .map(([line_id, qty]) =>
          kind === 'substitution'
            ? { line_id, qty, substitute_sku_id: subSku[line_id] ?? '', substitute_qty: subQty[line_id] || undefined }
            : { line_id, qty },
        ),
    }),
    [kind, reference, reason, restock, qtys, subSku, subQty],
  );
  const chosen = (body.lines ?? []).length > 0 && (body.lines ?? []).every((l) => kind !== 'substitution' || !!l.substitute_sku_id);
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
    confirm.mutate(previewed, {
      onSuccess: (r) => {
        void message.success(t('orders.changeDialog.done', { amount: formatFen(r.change.refund_fen) }));
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
          <Button
            type="primary"
            danger
            onClick={runConfirm}
            disabled={!result}
            loading={confirm.isPending}
            data-testid="change-confirm"
          >
            {t('orders.changeDialog.confirm')}
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
        {kind === 'return' ? (
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
            title={t('orders.changeDialog.previewTotal', { amount: formatFen(result.refund_fen) })}
            description={
              <>
                <Descriptions size="small" column={2}>
                  <Descriptions.Item label={t('orders.changeDialog.refund')}>{formatFen(result.refund_fen)}</Descriptions.Item>
                  <Descriptions.Item label={t('orders.changeDialog.clawBack')}>{formatFen(result.claw_back_fen)}</Descriptions.Item>
                </Descriptions>
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
