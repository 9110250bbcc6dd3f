import { BranchesOutlined, CheckCircleOutlined, SplitCellsOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, Empty, Popconfirm, Progress, Row, Select, Space, Statistic, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { customersApi, useCustomer, useHasScope, useResolveReview, useResolveReviews, useReviewCounts, useReviews } from '../../api/customers';
import { useStoreNamesOf } from '../../api/hooks';
import { fetchAll } from '../../api/index';
import type { IdentityReview, ReviewAction, ReviewReason, ReviewStatus } from '../../api/types';
import { Chart } from '../../components/Chart';
import { CursorTable } from '../../components/CursorTable';
import { errorText } from '../../components/ErrorAlert';
import { barOption, pieOption } from '../../lib/charts';
import { formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { kindCounts, reviewKind } from './model';
import { CustomerLink } from './parts';

/**
 * scoreExplanation lists a fuzzy score's terms, whose weights in bits sum to it
 * (score = 1/(1+2^-sum)): "prior -14.5 · name fold +11.5 · …".
 */
export function scoreExplanation(r: IdentityReview): string | undefined {
  if (!r.explanation?.length) return undefined;
  const terms = r.explanation.map((e) => `${[e.comparison, e.level].filter(Boolean).join(' ')} ${e.weight >= 0 ? '+' : ''}${e.weight.toFixed(1)}`);
  const sum = r.explanation.reduce((s, e) => s + e.weight, 0);
  return `${terms.join(' · ')} = ${sum.toFixed(1)} bits`;
}

/**
 * reasonText words one review reason from its stable code in the user's language:
 * "Would hold 2 phone numbers (at most 1 allowed)".
 */
// A code the console does not know yet (a newer server) is worded as "other reason".
export function reasonText(t: TFunction, r: Omit<ReviewReason, 'code'> & { code: string }): string {
  const type = r.type ? t(`customers.identifierTypes.${r.type}`, { defaultValue: r.type }) : '';
  return t(`customers.reviews.reasons.${r.code}`, {
    type,
    count: r.count ?? 0,
    limit: r.limit ?? 0,
    score: r.score === undefined ? '' : r.score.toFixed(2),
    defaultValue: t('customers.reviews.reasons.other'),
  });
}

/** reviewReasons words every reason of a review, joined by "; ". */
export function reviewReasons(t: TFunction, r: IdentityReview): string {
  return (r.reasons ?? [{ code: 'other' }]).map((x) => reasonText(t, x)).join('; ');
}

/**
 * LEVEL_KEYS names the translation of each comparison outcome of the fuzzy model
 * (graph.Comparisons): the outcomes hold characters such as '.' that i18next reads
 * as key paths.
 */
const LEVEL_KEYS: Record<string, string> = {
  exact: 'exact',
  fold: 'fold',
  homophone: 'homophone',
  close: 'close',
  surname: 'surname',
  'surname differs': 'surnameDiffers',
  differs: 'differs',
  '7+ digits equal': 'digits7',
  '4-6 digits equal': 'digits4to6',
  typo: 'typo',
  'within 60 days': 'within60Days',
  'dice ≥ 0.85': 'dice85',
  'dice ≥ 0.6': 'dice60',
  'dice ≥ 0.4': 'dice40',
  'dice < 0.4': 'diceBelow40',
  equal: 'equal',
  'term frequency': 'termFrequency',
};

/** levelText words a comparison outcome in the user's language (as sent when unknown). */
export function levelText(t: TFunction, level: string): string {
  const key = LEVEL_KEYS[level];
  return key ? t(`customers.reviews.levels.${key}`) : level;
}

/** SCORE_FLOORS are the score filters offered for working through fuzzy reviews. */
const SCORE_FLOORS = [0, 0.5, 0.9, 0.95, 0.99];

const KIND_COLORS: Record<string, string> = { fuzzy: 'orange', limit: 'red', cluster: 'volcano', weak: 'gold', other: 'default' };

/** ReviewsPage is the identity review queue: links the resolver would not make alone. */
export default function ReviewsPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [status, setStatus] = useState<ReviewStatus>('open');
  const [minScore, setMinScore] = useState(0);
  const canWrite = useHasScope('customers:write');
  const list = useReviews(status, minScore || undefined);
  const bulk = useResolveReviews();
  const open = useReviewCounts('open');
  const resolved = useReviewCounts('resolved');
  const resolve = useResolveReview();

  const kindLabel = (k: string) => t(`customers.reviews.kinds.${k}`);
  const count = (n: number | undefined) => (n === undefined ? '—' : formatNumber(n));
  const byKind = kindCounts(open.data?.by_reason ?? []).map((c) => ({ name: kindLabel(c.key), value: c.count }));
  const byBand = (open.data?.by_score_band ?? []).map((c) => ({
    name: c.key === 'none' ? t('customers.reviews.noScore') : c.key === '<0.5' ? '< 0.5' : `≥ ${c.key}`,
    value: c.count,
  }));

  const act = (r: IdentityReview, action: ReviewAction) =>
    resolve.mutate(
      { reviewId: r.id, body: { action } },
      {
        onSuccess: () => void message.success(t(`customers.reviews.done.${action}`)),
        onError: (err) => void message.error(errorText(err)),
      },
    );

  // bulkAct resolves every open review of the current filter the same way, after a
  // confirmation that says how many; the server reports each review's outcome.
  const bulkAct = async (action: ReviewAction) => {
    let ids: string[];
    try {
      const all = await fetchAll<IdentityReview>((p) => customersApi.reviews({ status: 'open', min_score: minScore || undefined, ...p }), {
        pageSize: 500,
        max: 500,
      });
      ids = all.map((r) => r.id);
    } catch (err) {
      void message.error(errorText(err));
      return;
    }
    if (ids.length === 0) {
      void message.info(t('customers.reviews.bulk.none'));
      return;
    }
    modal.confirm({
      title: t(`customers.reviews.bulk.confirm.${action}`, { count: ids.length }),
      content: minScore ? t('customers.reviews.bulk.scope', { score: minScore }) : t('customers.reviews.bulk.scopeAll'),
      okText: t(`customers.reviews.bulk.${action}`, { count: ids.length }),
      cancelText: t('common.cancel'),
      onOk: () =>
        bulk.mutateAsync({ review_ids: ids, action }).then(
          (res) => {
            const n = (o: string) => res.items.filter((i) => i.outcome === o).length;
            void message.success(
              t('customers.reviews.bulk.result', { resolved: n('resolved'), unchanged: n('unchanged'), conflict: n('conflict') + n('not_found') }),
            );
          },
          (err) => void message.error(errorText(err)),
        ),
    });
  };

  const columns: TableColumnsType<IdentityReview> = [
    {
      title: t('customers.reviews.createdAt'),
      key: 'at',
      render: (_, r) => <Tooltip title={formatDateTime(r.created_at)}>{formatRelative(r.created_at)}</Tooltip>,
    },
    {
      title: t('customers.reviews.kind'),
      key: 'kind',
      render: (_, r) => {
        const k = reviewKind(r);
        return <Tag color={KIND_COLORS[k]}>{kindLabel(k)}</Tag>;
      },
    },
    {
      title: t('customers.reviews.reason'),
      key: 'reason',
      render: (_, r) => (
        <Typography.Text style={{ maxWidth: 360 }} ellipsis={{ tooltip: reviewReasons(t, r) }} data-testid="review-reason">
          {reviewReasons(t, r)}
        </Typography.Text>
      ),
    },
    {
      title: t('customers.reviews.score'),
      key: 'score',
      render: (_, r) =>
        r.score === null || r.score === undefined ? (
          '—'
        ) : (
          <Tooltip title={scoreExplanation(r)}>
            <Progress percent={Math.round(r.score * 100)} size="small" style={{ width: 100 }} data-testid="review-score" />
          </Tooltip>
        ),
    },
    { title: t('customers.reviews.customer'), key: 'customer', render: (_, r) => <CustomerLink id={r.left || r.customer_id} /> },
    {
      title: t('customers.reviews.candidates'),
      key: 'candidates',
      render: (_, r) =>
        (r.right ?? []).length === 0 ? (
          <Typography.Text type="secondary">{t('customers.reviews.theEvent')}</Typography.Text>
        ) : (
          <Space size={4} wrap>
            {(r.right ?? []).map((c) => (
              <CustomerLink key={c} id={c} />
            ))}
          </Space>
        ),
    },
    ...(status === 'resolved'
      ? [
          {
            title: t('customers.reviews.resolution'),
            key: 'resolution',
            render: (_: unknown, r: IdentityReview) =>
              r.resolution ? <Tag>{t(`customers.reviews.resolutions.${r.resolution}`, { defaultValue: r.resolution })}</Tag> : '—',
          },
          { title: t('customers.reviews.resolvedAt'), key: 'resolvedAt', render: (_: unknown, r: IdentityReview) => formatDateTime(r.resolved_at) },
        ]
      : []),
    ...(status === 'open' && canWrite
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: 'right' as const,
            render: (_: unknown, r: IdentityReview) => {
              const busy = resolve.isPending && resolve.variables?.reviewId === r.id;
              return (
                <Space>
                  <Popconfirm
                    title={t('customers.reviews.mergeConfirm', { count: 1 + (r.right ?? []).length })}
                    onConfirm={() => act(r, 'merge')}
                    okText={t('customers.reviews.merge')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" type="primary" icon={<BranchesOutlined />} loading={busy && resolve.variables?.body.action === 'merge'} data-testid="review-merge">
                      {t('customers.reviews.merge')}
                    </Button>
                  </Popconfirm>
                  <Button
                    size="small"
                    icon={<SplitCellsOutlined />}
                    loading={busy && resolve.variables?.body.action === 'separate'}
                    onClick={() => act(r, 'separate')}
                    data-testid="review-separate"
                  >
                    {t('customers.reviews.separate')}
                  </Button>
                </Space>
              );
            },
          },
        ]
      : []),
  ];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('customers.reviews.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('customers.reviews.intro')}</Typography.Paragraph>

      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              <Col span={12}>
                <Statistic
                  title={t('customers.reviews.open')}
                  value={count(open.data?.total)}
                  styles={{ content: { color: (open.data?.total ?? 0) > 0 ? '#fa8c16' : undefined } }}
                  data-testid="reviews-open-count"
                />
              </Col>
              <Col span={12}>
                <Statistic
                  title={t('customers.reviews.resolved')}
                  value={count(resolved.data?.total)}
                  prefix={<CheckCircleOutlined />}
                  data-testid="reviews-resolved-count"
                />
              </Col>
            </Row>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('customers.reviews.openByKind')} style={{ marginBottom: 16 }}>
            <Chart testId="chart-reviews-kind" height={200} option={pieOption(byKind)} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('customers.reviews.openByScore')} style={{ marginBottom: 16 }}>
            <Chart testId="chart-reviews-score" height={200} option={barOption(byBand)} />
          </Card>
        </Col>
      </Row>

      <Card size="small">
        <Tabs
          activeKey={status}
          onChange={(k) => setStatus(k as ReviewStatus)}
          items={[
            { key: 'open', label: `${t('customers.reviews.open')} (${count(open.data?.total)})` },
            { key: 'resolved', label: t('customers.reviews.resolved') },
          ]}
          data-testid="reviews-tabs"
        />
        <Space wrap style={{ marginBottom: 12 }}>
          <Select
            style={{ width: 200 }}
            value={minScore}
            onChange={setMinScore}
            options={SCORE_FLOORS.map((f) => ({ value: f, label: f ? t('customers.reviews.bulk.minScore', { score: f }) : t('customers.reviews.bulk.anyScore') }))}
            data-testid="reviews-min-score"
          />
          {status === 'open' && canWrite ? (
            <>
              <Button icon={<BranchesOutlined />} onClick={() => void bulkAct('merge')} loading={bulk.isPending} data-testid="reviews-bulk-merge">
                {t('customers.reviews.bulk.mergeAll')}
              </Button>
              <Button icon={<SplitCellsOutlined />} onClick={() => void bulkAct('separate')} loading={bulk.isPending} data-testid="reviews-bulk-separate">
                {t('customers.reviews.bulk.separateAll')}
              </Button>
            </>
          ) : null}
        </Space>
        <CursorTable<IdentityReview>
          rowKey="id"
          expandable={{ expandedRowRender: (r) => <ReviewCompare review={r} />, rowExpandable: () => true }}
          columns={columns}
          items={list.items}
          isLoading={list.isPending && list.fetchStatus !== 'idle'}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          data-testid="reviews-table"
        />
      </Card>
    </>
  );
}

/**
 * ReviewCompare shows the two sides of a review side by side — each customer's
 * masked profile, identities, stores and last activity — and the score's parts (the
 * Fellegi–Sunter weights in bits). A review of one customer has the event on the
 * other side.
 */
export function ReviewCompare({ review }: { review: IdentityReview }) {
  const { t } = useTranslation();
  const right = review.right ?? [];
  return (
    <div data-testid="review-compare">
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <SideCard id={review.left || review.customer_id} />
        </Col>
        <Col xs={24} md={12}>
          {right.length === 0 ? (
            <Card size="small" title={t('customers.reviews.theEvent')}>
              <Descriptions size="small" column={1} items={[{ key: 'e', label: t('customers.reviews.eventId'), children: review.event_id || '—' }]} />
              <Typography.Text type="secondary">{reviewReasons(t, review)}</Typography.Text>
            </Card>
          ) : (
            right.map((id) => <SideCard key={id} id={id} />)
          )}
        </Col>
      </Row>
      {review.explanation?.length ? (
        <Table
          size="small"
          style={{ marginTop: 12, maxWidth: 560 }}
          pagination={false}
          rowKey={(x) => x.comparison + x.level}
          dataSource={review.explanation}
          columns={[
            { title: t('customers.reviews.comparison'), key: 'c', render: (_, x) => t(`customers.reviews.comparisons.${x.comparison}`, { defaultValue: x.comparison }) },
            { title: t('customers.reviews.level'), key: 'l', render: (_, x) => (x.level ? levelText(t, x.level) : '—') },
            { title: t('customers.reviews.weight'), key: 'w', align: 'right', render: (_, x) => `${x.weight >= 0 ? '+' : ''}${x.weight.toFixed(1)}` },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={2}>
                {t('customers.reviews.scoreSum', { score: ((review.score ?? 0) * 100).toFixed(0) })}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">
                {review.explanation!.reduce((s, x) => s + x.weight, 0).toFixed(1)}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          )}
          data-testid="review-explanation"
        />
      ) : null}
    </div>
  );
}

/** SideCard is one customer of a review: masked profile, identities, stores, activity. */
function SideCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const c = useCustomer(id);
  const stores = useStoreNamesOf([c.data?.profile?.preferred_store_id]);
  if (c.isLoading) return <Card size="small" loading />;
  if (!c.data) return <Card size="small"><Empty description={errorText(c.error)} /></Card>;
  const d = c.data;
  const store = d.profile?.preferred_store_id ? (stores.get(d.profile.preferred_store_id) ?? d.profile.preferred_store_id) : '—';
  return (
    <Card size="small" title={<CustomerLink id={d.id} />} data-testid="review-side">
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'name', label: t('customers.name'), children: d.profile?.name || '—' },
          { key: 'store', label: t('customers.preferredStore'), children: store },
          { key: 'channel', label: t('customers.registrationChannel'), children: d.profile?.registration_channel ? t(`touchpoints.channels.${d.profile.registration_channel}`, { defaultValue: d.profile.registration_channel }) : '—' },
          { key: 'last', label: t('customers.lastSeen'), children: d.last_seen_at ? formatDateTime(d.last_seen_at) : '—' },
          { key: 'events', label: t('customers.eventCount'), children: formatNumber(d.event_count) },
          {
            key: 'ids',
            label: t('customers.identitiesCount'),
            children: (
              <Space size={4} wrap>
                {(d.identifiers ?? []).map((i) => (
                  <Tag key={i.type + i.value}>
                    {t(`customers.identifierTypes.${i.type}`, { defaultValue: i.type })}: {i.value}
                  </Tag>
                ))}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
