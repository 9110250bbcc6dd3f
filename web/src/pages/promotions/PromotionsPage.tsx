import { CalendarOutlined, ExperimentOutlined, PlusOutlined, ShoppingCartOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { App, Button, Card, Popconfirm, Progress, Segmented, Select, Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { EFFECTIVE_STATUSES, PROMOTION_KINDS, type EffectiveStatus, type Promotion } from '../../api/types';
import { usePromotions, usePromotionTransition, type PromotionAction } from '../../api/promotions';
import { ExportMenu } from '../../components/ExportMenu';
import { CursorTable } from '../../components/CursorTable';
import { errorText } from '../../components/ErrorAlert';
import { formatFen } from '../../lib/money';
import { formatNumber } from '../../lib/format';
import { isRecurring, minutesLabel } from './definition';
import { KindTag, PromotionStatusTag, RuleText } from './inputs';
import { PromotionCalendar } from './PromotionCalendar';

/** ACTIONS lists the transitions each status allows. */
export const ACTIONS: Record<string, PromotionAction[]> = {
  draft: ['activate', 'end'],
  active: ['pause', 'end'],
  paused: ['activate', 'end'],
  ended: [],
};

/** usagePercent is how much of a limit is used, 0..100, or undefined without a limit. */
export function usagePercent(used: number | undefined, limit: number | null | undefined): number | undefined {
  if (limit === null || limit === undefined || limit <= 0) return undefined;
  return Math.min(100, Math.round(((used ?? 0) * 1000) / limit) / 10);
}

/** PromotionsPage lists the promotions with their rules, windows and usage, and a calendar of their windows. */
export default function PromotionsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tab = params.get('view') === 'calendar' ? 'calendar' : 'list';

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('promotions.title')}
        </Typography.Title>
        <Space wrap>
          <Button icon={<ShoppingCartOutlined />} onClick={() => navigate('/promotions/playground')}>
            {t('promotions.playground.title')}
          </Button>
          <Button icon={<ExperimentOutlined />} onClick={() => navigate('/promotions/simulations')}>
            {t('promotions.simulation.title')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/promotions/new')} data-testid="promotion-create">
            {t('promotions.create')}
          </Button>
        </Space>
      </Space>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'calendar' ? { view: 'calendar' } : {})}
        items={[
          { key: 'list', label: <span><UnorderedListOutlined /> {t('promotions.tabs.list')}</span>, children: <PromotionList /> },
          {
            key: 'calendar',
            label: <span data-testid="tab-calendar"><CalendarOutlined /> {t('promotions.tabs.calendar')}</span>,
            children: <PromotionCalendar />,
          },
        ]}
      />
    </>
  );
}

function PromotionList() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  // The filter is the status as read now (scheduled, running, ended …), as the server derives it.
  const [status, setStatus] = useState<EffectiveStatus | undefined>();
  const [kind, setKind] = useState<string | undefined>();
  const list = usePromotions({ effective_status: status });
  const transition = usePromotionTransition();
  const items = kind ? list.items.filter((p) => p.definition?.kind === kind) : list.items;

  const act = (p: Promotion, action: PromotionAction) =>
    transition.mutate(
      { promotionId: p.id, action },
      {
        onSuccess: () => void message.success(t(`promotions.actionDone.${action}`, { name: p.name })),
        onError: (err) => void message.error(errorText(err)),
      },
    );

  const columns: TableColumnsType<Promotion> = [
    {
      title: t('promotions.name'),
      key: 'name',
      fixed: 'left',
      render: (_, p) => (
        <Space orientation="vertical" size={0} style={{ maxWidth: 200 }}>
          <Link to={`/promotions/${p.id}`} data-testid="promotion-link">
            {p.name}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {p.code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('promotions.type'),
      key: 'type',
      render: (_, p) => (
        // Rules wrap within the column, so that the table fits a laptop screen beside
        // the fixed actions column in every language.
        <Space orientation="vertical" size={2} style={{ maxWidth: 200 }}>
          <KindTag kind={p.definition?.kind} />
          <RuleText def={p.definition} />
        </Space>
      ),
    },
    {
      title: t('field.status'),
      key: 'status',
      render: (_, p) => <PromotionStatusTag status={p.effective_status ?? p.status} />,
    },
    {
      title: t('promotions.window'),
      key: 'window',
      render: (_, p) => {
        const c = p.definition?.conditions;
        return (
          <Space orientation="vertical" size={2}>
            <span style={{ whiteSpace: 'nowrap' }}>{p.starts_at ? dayjs(p.starts_at).format('MM-DD HH:mm') : t('promotions.open')} →</span>
            <span style={{ whiteSpace: 'nowrap' }}>{p.ends_at ? dayjs(p.ends_at).format('MM-DD HH:mm') : t('promotions.open')}</span>
            {isRecurring(p.definition) ? (
              <Tag color="purple" data-testid="recurring-tag">
                {(c?.weekdays ?? []).map((d) => t(`promotions.weekdays.${d}`)).join('·')}
                {c?.daily_from || c?.daily_to ? ` ${minutesLabel(c.daily_from)}–${minutesLabel(c.daily_to)}` : ''}
              </Tag>
            ) : null}
          </Space>
        );
      },
    },
    {
      title: t('promotions.stacking'),
      key: 'stacking',
      render: (_, p) => (
        <Space size={4} wrap>
          <Tooltip title={t('promotions.editor.priority')}>
            <Tag>P{p.definition?.priority ?? 0}</Tag>
          </Tooltip>
          {p.definition?.group ? <Tag color="blue">{p.definition.group}</Tag> : null}
          {p.definition?.exclusive ? <Tag color="volcano">{t('promotions.editor.exclusive')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('promotions.usage'),
      key: 'usage',
      width: 170,
      render: (_, p) => {
        const budget = usagePercent(p.usage?.discount_fen, p.limits?.budget_fen);
        const uses = usagePercent(p.usage?.uses, p.limits?.max_uses);
        return (
          <Space orientation="vertical" size={0} style={{ width: 150 }} data-testid="promotion-usage">
            <Typography.Text style={{ fontSize: 12 }}>
              {formatFen(p.usage?.discount_fen ?? 0)}
              {p.limits?.budget_fen != null ? ` / ${formatFen(p.limits.budget_fen)}` : ''}
            </Typography.Text>
            {budget !== undefined ? (
              <Progress percent={budget} size="small" status={budget >= 90 ? 'exception' : 'active'} />
            ) : null}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('promotions.uses', { uses: formatNumber(p.usage?.uses ?? 0) })}
              {p.limits?.max_uses != null ? ` / ${formatNumber(p.limits.max_uses)}` : ''}
            </Typography.Text>
            {uses !== undefined ? <Progress percent={uses} size="small" showInfo={false} /> : null}
          </Space>
        );
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_, p) => (
        <Space size={4} wrap>
          {(ACTIONS[p.status] ?? []).map((a) =>
            a === 'end' ? (
              <Popconfirm key={a} title={t('promotions.confirmEnd')} onConfirm={() => act(p, a)}>
                <Button size="small" danger data-testid={`promotion-${a}`}>
                  {t(`promotions.actions.${a}`)}
                </Button>
              </Popconfirm>
            ) : (
              <Button
                key={a}
                size="small"
                type={a === 'activate' ? 'primary' : 'default'}
                onClick={() => act(p, a)}
                loading={transition.isPending && transition.variables?.promotionId === p.id && transition.variables.action === a}
                data-testid={`promotion-${a}`}
              >
                {t(`promotions.actions.${a}`)}
              </Button>
            ),
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Segmented
            value={status ?? ''}
            onChange={(v) => setStatus((v || undefined) as EffectiveStatus | undefined)}
            options={[
              { value: '', label: t('common.all') },
              ...EFFECTIVE_STATUSES.map((s) => ({ value: s, label: t(`promotions.status.${s}`) })),
            ]}
            data-testid="promotion-filter-status"
          />
          <Select
            allowClear
            placeholder={t('promotions.anyType')}
            style={{ width: 180 }}
            value={kind}
            onChange={setKind}
            options={PROMOTION_KINDS.map((k) => ({ value: k, label: t(`promotions.kinds.${k}`) }))}
            data-testid="promotion-filter-kind"
          />
          <ExportMenu path="/promotions/export" filter={{ effective_status: status, kind }} name="promotions" />
        </Space>
      </Card>
      <Card size="small">
        <CursorTable<Promotion>
          rowKey="id"
          columns={columns}
          items={items}
          isLoading={list.isPending && list.fetchStatus !== 'idle'}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          data-testid="promotions-table"
        />
      </Card>
    </>
  );
}
