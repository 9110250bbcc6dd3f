import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Popconfirm, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type PriceOverride } from '../api';
import { manageApi, useCanManage, useSave } from '../api/manage';
import { CursorTable } from '../components/CursorTable';
import { ErrorAlert, errorText } from '../components/ErrorAlert';
import { StatusTag } from '../components/StatusTag';
import { formatFen, marginPercent } from '../lib/money';
import { PriceOverrideForm, SkuForm } from './manage/CatalogForms';

/**
 * SkuDetailPage shows a SKU's barcodes, prices and overrides (/catalog/skus/:id).
 * The detail brings a summary and the first overrides; "load more" pages through
 * the rest (/skus/{id}/prices), so a SKU priced in every store stays one small call.
 */
export default function SkuDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const sku = useQuery({ queryKey: ['skus', 'detail', id], queryFn: () => api.sku(id) });
  const s = sku.data;
  const product = useQuery({
    queryKey: ['products', 'detail', s?.product_id],
    queryFn: () => api.product(s!.product_id),
    enabled: !!s?.product_id,
  });

  const more = useInfiniteQuery({
    queryKey: ['skus', 'prices', id, s?.price_overrides_next_cursor],
    queryFn: ({ pageParam }) => api.skuPrices(id, { cursor: pageParam, limit: 100 }),
    initialPageParam: s?.price_overrides_next_cursor ?? '',
    getNextPageParam: (last) => last.next_cursor || undefined,
    enabled: false,
  });
  const loaded = more.data?.pages.flatMap((p) => p.items) ?? [];
  const overrides = [...(s?.price_overrides ?? []), ...loaded];
  const lastPage = more.data?.pages[more.data.pages.length - 1];
  const hasMore = more.data ? !!lastPage?.next_cursor : !!s?.price_overrides_next_cursor;
  const sum = s?.price_override_summary;
  const can = useCanManage();
  const { message } = App.useApp();
  const [editing, setEditing] = useState(false);
  // pricing is the override form: an override to change, null for a new one, undefined when closed.
  const [pricing, setPricing] = useState<PriceOverride | null | undefined>();
  const remove = useSave((o: PriceOverride) => manageApi.deletePrice(id, o.scope_type, o.scope_id), [['skus'], ['products']]);

  const back = () => (s ? navigate(`/catalog/products/${encodeURIComponent(s.product_id)}`) : navigate('/catalog/products'));

  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={back} style={{ paddingLeft: 0 }}>
        {t('common.back')}
      </Button>
      <Row justify="space-between" align="middle">
        <Typography.Title level={4} style={{ marginTop: 8 }}>
          {t('skus.title')}
          {s ? ` · ${s.name}` : ''}
        </Typography.Title>
        {can.catalog && s ? (
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="edit-sku">
            {t('common.edit')}
          </Button>
        ) : null}
      </Row>
      {sku.error ? <ErrorAlert error={sku.error} /> : null}
      <Card style={{ marginBottom: 16 }}>
        {sku.isPending ? (
          <Skeleton active />
        ) : (
          s && (
            <Descriptions
              bordered
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                { key: 'code', label: t('field.code'), children: s.code },
                { key: 'name', label: t('field.name'), children: s.name },
                {
                  key: 'product',
                  label: t('skus.product'),
                  children: (
                    <Link to={`/catalog/products/${encodeURIComponent(s.product_id)}`}>
                      {product.data?.name ?? s.product_id}
                    </Link>
                  ),
                },
                {
                  key: 'barcodes',
                  label: t('skus.barcodes'),
                  children: (
                    <Space size={[0, 4]} wrap data-testid="sku-barcodes">
                      {(s.barcodes ?? []).length ? s.barcodes.map((b) => <Tag key={b}>{b}</Tag>) : '—'}
                    </Space>
                  ),
                },
                { key: 'unit', label: t('field.unit'), children: t(`unit.${s.unit}`, { defaultValue: s.unit }) },
                { key: 'spec', label: t('skus.spec'), children: s.spec || '—' },
                {
                  key: 'price',
                  label: t('skus.listPrice'),
                  children: (
                    <Typography.Text strong data-testid="sku-list-price">
                      {formatFen(s.list_price_fen)}
                    </Typography.Text>
                  ),
                },
                { key: 'cost', label: t('skus.cost'), children: <span data-testid="sku-cost">{formatFen(s.cost_fen)}</span> },
                {
                  key: 'margin',
                  label: t('skus.margin'),
                  children: <span data-testid="sku-margin">{marginPercent(s.list_price_fen, s.cost_fen)}</span>,
                },
                { key: 'status', label: t('field.status'), children: <StatusTag status={s.status} /> },
                { key: 'id', label: t('field.id'), children: <code>{s.id}</code> },
              ]}
            />
          )
        )}
      </Card>
      <Card
        title={t('skus.overrides')}
        size="small"
        extra={
          can.catalog && s ? (
            <Button size="small" icon={<PlusOutlined />} onClick={() => setPricing(null)} data-testid="new-price-override">
              {t('manage.newOverride')}
            </Button>
          ) : null
        }
      >
        {sum ? (
          <Typography.Paragraph type="secondary" data-testid="override-summary">
            {sum.total
              ? t('skus.overrideSummary', {
                  total: sum.total,
                  zones: sum.price_zones,
                  stores: sum.stores,
                  min: formatFen(sum.min_price_fen),
                  max: formatFen(sum.max_price_fen),
                })
              : t('skus.noOverrides')}
          </Typography.Paragraph>
        ) : null}
        <CursorTable<PriceOverride>
          rowKey={(o) => `${o.scope_type}:${o.scope_id}`}
          items={overrides}
          isLoading={sku.isPending}
          error={more.error}
          hasNextPage={hasMore}
          isFetchingNextPage={more.isFetching}
          fetchNextPage={() => (more.data ? more.fetchNextPage() : more.refetch())}
          data-testid="price-overrides"
          columns={[
            {
              title: t('skus.scopeType'),
              key: 'type',
              render: (_, o) => (
                <Tag color={o.scope_type === 'store' ? 'blue' : 'purple'}>
                  {t(`skus.scopeTypes.${o.scope_type}`, { defaultValue: o.scope_type })}
                </Tag>
              ),
            },
            { title: t('skus.scope'), key: 'name', render: (_, o) => o.scope_name || o.scope_id },
            { title: t('skus.price'), key: 'price', align: 'right', render: (_, o) => formatFen(o.price_fen) },
            {
              title: t('skus.priceDiff'),
              key: 'diff',
              align: 'right',
              render: (_, o) => {
                if (!s) return '—';
                const d = o.price_fen - s.list_price_fen;
                const text = d > 0 ? `+${formatFen(d)}` : formatFen(d);
                return <Typography.Text type={d < 0 ? 'success' : d > 0 ? 'danger' : undefined}>{text}</Typography.Text>;
              },
            },
            {
              title: t('skus.margin'),
              key: 'margin',
              align: 'right',
              render: (_, o) => marginPercent(o.price_fen, s?.cost_fen),
            },
            ...(can.catalog
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    render: (_: unknown, o: PriceOverride) => (
                      <Space size={0}>
                        <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setPricing(o)} data-testid="edit-price-override">
                          {t('common.edit')}
                        </Button>
                        <Popconfirm
                          title={t('manage.deleteOverride', { name: o.scope_name || o.scope_id })}
                          onConfirm={() =>
                            remove.mutateAsync(o).then(
                              () => void message.success(t('manage.overrideDeleted')),
                              (err: unknown) => void message.error(errorText(err)),
                            )
                          }
                        >
                          <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid="delete-price-override">
                            {t('common.delete')}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {s ? <SkuForm open={editing} item={s} productId={s.product_id} onClose={() => setEditing(false)} /> : null}
      {s ? <PriceOverrideForm open={pricing !== undefined} item={pricing} sku={s} onClose={() => setPricing(undefined)} /> : null}
    </>
  );
}
