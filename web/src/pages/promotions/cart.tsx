// The cart pieces shared by the price playground and the editor's preview:
// a cart builder (SKUs with units or grams) and the view of a priced cart with
// its explanation (prorated lines, applied and rejected promotions, hints).
import { BulbOutlined, DeleteOutlined, GiftOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Empty, InputNumber, Row, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType, TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { CartLine, CartPricedLine, CartPriceResponse, CartRejection, PromotionDefinition, Sku } from '../../api/types';
import { formatFen } from '../../lib/money';
import { KIND_COLORS } from './definition';
import { KindTag, MoneyInput, RuleText, SkuSelect, skuLabel } from './inputs';

/** DraftLine is a cart line being built, with the label the console shows. */
export interface DraftLine extends CartLine {
  label: string;
}

/** nextLineId returns the next free line id: L1, L2, … */
export function nextLineId(lines: { id: string }[]): string {
  const n = lines.reduce((m, l) => Math.max(m, Number(/^L(\d+)$/.exec(l.id)?.[1] ?? 0)), 0);
  return `L${n + 1}`;
}

/** lineOf makes a cart line from a SKU: one unit, or 500 g of a weighed SKU, at its list price. */
export function lineOf(id: string, s: Sku, product?: { category_id?: string; brand_id?: string | null }): DraftLine {
  const line: DraftLine = {
    id,
    sku: s.id,
    label: skuLabel(s),
    unit: s.unit,
    qty: s.unit === 'weight' ? 500 : 1,
    unit_price: s.list_price_fen,
  };
  if (product?.category_id) line.category = product.category_id;
  if (product?.brand_id) line.brand = product.brand_id;
  return line;
}

/** toCartLines drops the console's labels before sending the lines. */
export function toCartLines(lines: DraftLine[]): CartLine[] {
  return lines.map(({ label: _label, ...l }) => l);
}

/** CartBuilder edits a list of cart lines: pick SKUs, then units or grams and the price. */
export function CartBuilder({ lines, onChange, compact }: { lines: DraftLine[]; onChange: (lines: DraftLine[]) => void; compact?: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();

  const add = async (s: Sku) => {
    // The product carries the category and brand the promotion scopes match.
    let product: { category_id?: string; brand_id?: string | null } | undefined;
    try {
      product = await queryClient.fetchQuery({
        queryKey: ['products', 'one', s.product_id],
        queryFn: () => api.product(s.product_id),
        staleTime: 60_000,
      });
    } catch {
      product = undefined;
    }
    onChange([...lines, lineOf(nextLineId(lines), s, product)]);
  };
  const set = (id: string, patch: Partial<DraftLine>) => onChange(lines.map((l) => (l.id === id ? { ...l, ...patch } : l)));

  const columns: TableColumnsType<DraftLine> = [
    {
      title: t('promotions.cart.sku'),
      dataIndex: 'label',
      key: 'label',
      ellipsis: { showTitle: true },
    },
    {
      title: t('promotions.cart.qty'),
      key: 'qty',
      width: compact ? 108 : 146,
      render: (_, l) => (
        <InputNumber<number>
          min={1}
          precision={0}
          value={l.qty}
          suffix={l.unit === 'weight' ? t('promotions.cart.grams') : t('promotions.cart.units')}
          style={{ width: compact ? 96 : 130 }}
          onChange={(v) => set(l.id, { qty: v ?? 1 })}
          data-testid={`cart-qty-${l.id}`}
        />
      ),
    },
    {
      title: t('promotions.cart.unitPrice'),
      key: 'price',
      width: compact ? 112 : 160,
      render: (_, l) => (
        <Space size={4}>
          <MoneyInput
            value={l.unit_price}
            onChange={(v) => set(l.id, { unit_price: v ?? 0 })}
            style={{ width: compact ? 100 : 120 }}
            data-testid={`cart-price-${l.id}`}
          />
          {l.unit === 'weight' ? <Typography.Text type="secondary">/kg</Typography.Text> : null}
        </Space>
      ),
    },
    {
      key: 'remove',
      width: 48,
      render: (_, l) => (
        <Button
          type="text"
          danger
          icon={<DeleteOutlined />}
          aria-label={t('promotions.cart.remove')}
          onClick={() => onChange(lines.filter((x) => x.id !== l.id))}
        />
      ),
    },
  ];

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <SkuSelect
        value={undefined}
        onPick={(s) => void add(s)}
        placeholder={t('promotions.cart.addSku')}
        style={{ width: '100%' }}
        data-testid="cart-add-sku"
      />
      <Table<DraftLine>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={lines}
        pagination={false}
        tableLayout="fixed"
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('promotions.cart.empty')} /> }}
        data-testid="cart-lines"
      />
    </Space>
  );
}

/** qtyText renders a line quantity: "3 件" or "520 克". */
function useQtyText() {
  const { t } = useTranslation();
  return (l: { unit: string; qty: number }) =>
    `${l.qty} ${l.unit === 'weight' ? t('promotions.cart.grams') : t('promotions.cart.units')}`;
}

/** reasonText explains a rejection in the console's language, with the amount or units missing. */
export function useReasonText() {
  const { t } = useTranslation();
  return (r: CartRejection, name: (id: string) => string) => {
    const missing =
      r.code === 'threshold_not_met' ? formatFen(r.missing) : r.code === 'quantity_not_met' ? String(r.missing ?? '') : '';
    return t(`promotions.reason.${r.code}`, {
      defaultValue: r.code,
      missing,
      condition: r.condition ? t(`promotions.conditionNames.${r.condition}`, { defaultValue: r.condition }) : '',
      winner: r.winner_id ? name(r.winner_id) : '',
    });
  };
}

export interface PricedCartViewProps {
  result: CartPriceResponse;
  /** names maps promotion ids to names (applied ones carry theirs). */
  names?: Map<string, string>;
  /** labels maps line ids to what the console shows for them. */
  labels?: Map<string, string>;
  rowSelection?: TableProps<CartPricedLine>['rowSelection'];
  compact?: boolean;
}

/** PricedCartView shows a priced cart and why: totals, hints, lines, applied and rejected promotions. */
export function PricedCartView({ result, names, labels, rowSelection, compact }: PricedCartViewProps) {
  const { t } = useTranslation();
  const qtyText = useQtyText();
  const reasonText = useReasonText();
  const applied = new Map(result.applied.map((a) => [a.promotion_id, a]));
  // A lean answer (?detail=lines) leaves out what was refused.
  const rejected = result.rejected ?? [];
  const name = (id: string) => applied.get(id)?.name || names?.get(id) || id;

  const lineColumns: TableColumnsType<CartPricedLine> = [
    {
      title: t('promotions.cart.sku'),
      key: 'sku',
      render: (_, l) => (
        <Space>
          {l.gift ? <GiftOutlined style={{ color: '#eb2f96' }} /> : null}
          <span>{labels?.get(l.id) ?? l.sku}</span>
          {l.gift ? <Tag color="magenta">{t('promotions.cart.gift')}</Tag> : null}
        </Space>
      ),
    },
    { title: t('promotions.cart.qty'), key: 'qty', render: (_, l) => qtyText(l) },
    { title: t('promotions.cart.amount'), key: 'amount', align: 'right', render: (_, l) => formatFen(l.amount) },
    {
      title: t('promotions.cart.discount'),
      key: 'discount',
      align: 'right',
      render: (_, l) =>
        l.discount ? <Typography.Text type="danger">-{formatFen(l.discount)}</Typography.Text> : formatFen(0),
    },
    {
      title: t('promotions.cart.net'),
      key: 'net',
      align: 'right',
      render: (_, l) => <Typography.Text strong>{formatFen(l.net)}</Typography.Text>,
    },
    {
      title: t('promotions.cart.allocations'),
      key: 'alloc',
      // A bounded width, so several promotions' tags wrap inside the card instead of
      // widening the table past it.
      width: 260,
      render: (_, l) => (
        <Space size={4} wrap style={{ maxWidth: 260 }}>
          {(l.allocations ?? []).map((a) => (
            <Tag
              key={a.promotion_id}
              color={KIND_COLORS[applied.get(a.promotion_id ?? '')?.kind ?? ''] ?? 'red'}
              style={{ whiteSpace: 'normal', marginInlineEnd: 0 }}
            >
              {name(a.promotion_id ?? '')} -{formatFen(a.amount)}
            </Tag>
          ))}
        </Space>
      ),
    },
  ];

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="priced-cart">
      <Row gutter={[12, 12]}>
        <Col xs={12} md={compact ? 12 : 6}>
          <Card size="small">
            <Statistic title={t('promotions.cart.subtotal')} value={formatFen(result.subtotal)} />
          </Card>
        </Col>
        <Col xs={12} md={compact ? 12 : 6}>
          <Card size="small">
            <Statistic
              title={t('promotions.cart.totalDiscount')}
              value={`-${formatFen(result.discount)}`}
              styles={{ content: { color: '#cf1322' } }}
              data-testid="cart-discount"
            />
          </Card>
        </Col>
        {!compact && (
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t('promotions.cart.delivery')}
                value={formatFen(result.delivery_net)}
                suffix={
                  result.delivery_discount ? (
                    <Typography.Text delete type="secondary" style={{ fontSize: 14 }}>
                      {formatFen(result.delivery_fee)}
                    </Typography.Text>
                  ) : null
                }
              />
            </Card>
          </Col>
        )}
        <Col xs={12} md={compact ? 24 : 6}>
          <Card size="small">
            <Statistic
              title={t('promotions.cart.payable')}
              value={formatFen(result.payable)}
              styles={{ content: { color: '#389e0d', fontWeight: 600 } }}
              data-testid="cart-payable"
            />
          </Card>
        </Col>
      </Row>

      {result.hints.map((h) => (
        <Alert
          key={h.promotion_id}
          type="warning"
          showIcon
          icon={<BulbOutlined />}
          data-testid="cart-hint"
          title={
            h.save
              ? t('promotions.cart.hintSave', { missing: formatFen(h.missing), save: formatFen(h.save), name: name(h.promotion_id) })
              : t('promotions.cart.hintMore', { missing: formatFen(h.missing), name: name(h.promotion_id) })
          }
        />
      ))}
      {result.truncated ? <Alert type="info" showIcon title={t('promotions.cart.truncated')} /> : null}

      <Table<CartPricedLine>
        size="small"
        rowKey="id"
        columns={lineColumns}
        dataSource={result.lines}
        pagination={false}
        rowSelection={rowSelection}
        scroll={{ x: 'max-content' }}
        data-testid="priced-lines"
      />

      <Card size="small" title={t('promotions.cart.applied', { count: result.applied.length })}>
        {result.applied.length === 0 && !result.delivery ? (
          <Typography.Text type="secondary">{t('promotions.cart.noneApplied')}</Typography.Text>
        ) : (
          <div data-testid="applied-list">
            {result.applied.map((a) => (
              <Row key={a.promotion_id} wrap={false} gutter={8} style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}>
                <Col flex="auto" style={{ minWidth: 0 }}>
                  <Space wrap>
                    <KindTag kind={a.kind} />
                    <Typography.Text strong>{name(a.promotion_id)}</Typography.Text>
                  </Space>
                  <div>
                    <Tooltip title={a.message}>
                      <span>
                        <RuleText def={a.promotion as PromotionDefinition | undefined} />
                      </span>
                    </Tooltip>
                  </div>
                  <Space size={4} wrap>
                    {(a.lines ?? []).map((l) => (
                      <Tag key={l.line_id} style={{ whiteSpace: 'normal', marginInlineEnd: 0 }}>
                        {labels?.get(l.line_id ?? '') ?? l.line_id} -{formatFen(l.amount)}
                      </Tag>
                    ))}
                  </Space>
                </Col>
                <Col flex="none">
                  <Typography.Text type="danger" strong>
                    -{formatFen(a.discount)}
                  </Typography.Text>
                </Col>
              </Row>
            ))}
          </div>
        )}
        {result.delivery ? (
          <Alert
            style={{ marginTop: 8 }}
            type="success"
            showIcon
            title={t('promotions.cart.deliveryApplied', { name: result.delivery.name || name(result.delivery.promotion_id), off: formatFen(result.delivery.discount) })}
          />
        ) : null}
      </Card>

      {rejected.length > 0 && (
        <Card size="small" title={t('promotions.cart.rejected', { count: rejected.length })}>
          <div data-testid="rejected-list">
            {rejected.map((r) => (
              <div key={r.promotion_id} style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}>
                <Space wrap>
                  <Typography.Text>{name(r.promotion_id)}</Typography.Text>
                  <Tag color="orange">{t(`promotions.reasonCode.${r.code}`, { defaultValue: r.code })}</Tag>
                </Space>
                <div>
                  <Tooltip title={r.message}>
                    <Typography.Text type="secondary">{reasonText(r, name)}</Typography.Text>
                  </Tooltip>
                </div>
              </div>
            ))}
          </div>
        </Card>
      )}
    </Space>
  );
}
