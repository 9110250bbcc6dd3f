// Pieces the audience pages share: readable names of fields and values, and the
// portrait charts (a segment's share of each value against the whole base's).
import { Card, Col, Empty, Row, Statistic, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AudienceTag, Portrait, PortraitDimension } from '../../api/audiences';
import { useHasScope } from '../../api/customers';
import { useCategories } from '../../api/hooks';
import { tierNamesByCode, useLoyaltyPrograms } from '../../api/loyalty';
import { Chart } from '../../components/Chart';
import { escapeHtml } from '../../lib/charts';
import { formatNumber, formatPercent } from '../../lib/format';

/** fieldLabel names an engine field for people: "city" → 城市, "tag:vip" → the tag's name. */
export function fieldLabel(t: TFunction, field: string, tags?: Map<string, AudienceTag>): string {
  if (field.startsWith('tag:')) {
    const code = field.slice(4);
    return tags?.get(code)?.name ?? code;
  }
  if (field.startsWith('bought_category:')) return t('audiences.fields.bought_category', { window: windowLabel(t, field.slice(16)) });
  return t(`audiences.fields.${field.replace(/:/g, '_')}`, { defaultValue: field });
}

/** windowLabel names a behaviour window: 30d → 近 30 天, all → 全部时间. */
export function windowLabel(t: TFunction, w: string): string {
  return t(`audiences.windows.${w}`, { defaultValue: w });
}

/** valueLabel names a value of an attribute (gender and channel codes are translated). */
export function valueLabel(t: TFunction, field: string, value: string): string {
  if (value === '') return t('audiences.portrait.none');
  if (field === 'gender') return t(`customers.genders.${value}`, { defaultValue: value });
  if (field === 'registration_channel') return t(`touchpoints.channels.${value}`, { defaultValue: value });
  // Channels bought in are order channels (pos, mini_program…).
  if (field.startsWith('channel:')) return t(`orders.channels.${value}`, { defaultValue: t(`touchpoints.channels.${value}`, { defaultValue: value }) });
  if (field === 'consent') {
    const [purpose, channel] = value.split(':');
    return `${t(`customers.consents.purposes.${purpose}`, { defaultValue: purpose })} · ${t(`customers.consents.channels.${channel}`, { defaultValue: channel ?? '' })}`;
  }
  return value;
}

/** KindTag shows a tag's kind with a colour. */
export function KindTag({ kind }: { kind: string }) {
  const { t } = useTranslation();
  const color = { rule: 'blue', computed: 'purple', imported: 'cyan', manual: 'orange' }[kind];
  return <Tag color={color}>{t(`audiences.kinds.${kind}`, { defaultValue: kind })}</Tag>;
}

/** StatusTag shows active or archived. */
export function AudienceStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return <Tag color={status === 'active' ? 'green' : 'default'}>{t(`audiences.statuses.${status}`, { defaultValue: status })}</Tag>;
}

/**
 * portraitOption draws one dimension: per value, the segment's share against the
 * base's share as horizontal bars, with the index in the label and the tooltip.
 */
export function portraitOption(
  dim: PortraitDimension,
  p: { segment: number; base: number },
  names: { segment: string; base: string; index: string; label: (v: string) => string },
) {
  const buckets = dim.buckets ?? [];
  const share = (n: number, of: number) => (of > 0 ? (n * 100) / of : 0);
  const labels = buckets.map((b) => names.label(b.value));
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: { dataIndex: number }[]) => {
        const b = buckets[params[0]?.dataIndex ?? 0];
        if (!b) return '';
        return [
          `<b>${escapeHtml(labels[params[0].dataIndex])}</b>`,
          `${escapeHtml(names.segment)}: ${formatNumber(b.segment)} (${share(b.segment, p.segment).toFixed(1)}%)`,
          `${escapeHtml(names.base)}: ${formatNumber(b.base)} (${share(b.base, p.base).toFixed(1)}%)`,
          `${escapeHtml(names.index)}: ${Math.round(b.index)}`,
        ].join('<br/>');
      },
    },
    legend: { top: 0, data: [names.segment, names.base] },
    grid: { left: 8, right: 64, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', inverse: true, data: labels, axisLabel: { interval: 0, width: 110, overflow: 'truncate' } },
    series: [
      {
        name: names.segment,
        type: 'bar',
        data: buckets.map((b) => Number(share(b.segment, p.segment).toFixed(1))),
        barMaxWidth: 14,
        label: {
          show: true,
          position: 'right',
          formatter: (x: { dataIndex: number }) => `${Math.round(buckets[x.dataIndex]?.index ?? 0)}`,
          color: '#595959',
        },
      },
      { name: names.base, type: 'bar', data: buckets.map((b) => Number(share(b.base, p.base).toFixed(1))), barMaxWidth: 14, itemStyle: { color: '#bfbfbf' } },
    ],
  };
}

/** PortraitCharts shows every dimension of a portrait, one card each; charts grow with their values. */
export function PortraitCharts({ portrait, tags }: { portrait: Portrait | undefined; tags?: Map<string, AudienceTag> }) {
  const { t } = useTranslation();
  // Categories bought are codes: show their names where the catalogue is readable,
  // reading the catalogue's categories only when the portrait has such a dimension.
  const hasCategories = (portrait?.dimensions ?? []).some((d) => d.field.startsWith('bought_category:') && (d.buckets ?? []).length > 0);
  const categories = useCategories(useHasScope('catalog:read') && hasCategories);
  const categoryNames = useMemo(() => new Map((categories.data ?? []).map((c) => [c.code, c.name])), [categories.data]);
  // Tiers are codes too: their names where loyalty is readable.
  const programs = useLoyaltyPrograms(useHasScope('loyalty:read'));
  const tierNames = useMemo(() => tierNamesByCode(programs.data?.items ?? []), [programs.data]);
  const label = (field: string, v: string) => {
    if (field.startsWith('bought_category:')) return categoryNames.get(v) ?? v;
    if (field === 'tier') return tierNames.get(v) ?? valueLabel(t, field, v);
    return valueLabel(t, field, v);
  };
  if (!portrait) return null;
  const dims = (portrait.dimensions ?? []).filter((d) => (d.buckets ?? []).length > 0);
  const names = { segment: t('audiences.portrait.segmentShare'), base: t('audiences.portrait.baseShare'), index: t('audiences.portrait.index') };
  return (
    <div data-testid="portrait">
      <Row gutter={16} style={{ marginBottom: 8 }}>
        <Col span={8}>
          <Statistic title={t('audiences.portrait.segment')} value={formatNumber(portrait.segment)} />
        </Col>
        <Col span={8}>
          <Statistic title={t('audiences.portrait.base')} value={formatNumber(portrait.base)} />
        </Col>
        <Col span={8}>
          <Statistic title={t('audiences.portrait.coverage')} value={formatPercent(portrait.base > 0 ? portrait.segment / portrait.base : 0)} />
        </Col>
      </Row>
      <Typography.Paragraph type="secondary">{t('audiences.portrait.indexHint')}</Typography.Paragraph>
      {dims.length === 0 ? (
        <Empty description={t('audiences.portrait.empty')} />
      ) : (
        <Row gutter={16}>
          {dims.map((d) => (
            <Col xs={24} xl={12} key={d.field}>
              <Card size="small" title={d.field === 'age' ? t('audiences.portrait.ageBands') : fieldLabel(t, d.field, tags)} style={{ marginBottom: 16 }}>
                <Chart
                  testId={`portrait-${d.field}`}
                  height={Math.max(160, 48 + (d.buckets ?? []).length * 30)}
                  option={portraitOption(d, portrait, { ...names, label: (v) => label(d.field, v) })}
                />
              </Card>
            </Col>
          ))}
        </Row>
      )}
    </div>
  );
}
