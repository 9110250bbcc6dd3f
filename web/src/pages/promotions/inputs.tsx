// Form inputs of the promotion pages whose values are the API's units (fen,
// basis points, minutes, RFC 3339) while the merchandiser sees yuan, percent
// and 折, clock times and calendar dates.
import { useQuery } from '@tanstack/react-query';
import { DatePicker, InputNumber, Select, Space, Tag, TimePicker, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { useTenantZone } from '../../api/promotions';
import { fromWall, inZone, parseTyped, toWall, type Role } from '../../lib/zonedTime';
import type { Sku } from '../../api/types';
import { KIND_COLORS, percentOf, rulesOf, zhDiscount, type DiscountText } from './definition';
import type { PromotionDefinition } from '../../api/types';

interface ValueProps<T> {
  value?: T;
  onChange?: (v: T) => void;
  id?: string;
  'data-testid'?: string;
  disabled?: boolean;
  style?: React.CSSProperties;
}

/** MoneyInput edits an amount in fen, shown in yuan with two decimals. */
export function MoneyInput({ value, onChange, nullable, ...rest }: ValueProps<number | null> & { nullable?: boolean; placeholder?: string }) {
  return (
    <InputNumber<number>
      {...rest}
      prefix="¥"
      min={0}
      precision={2}
      step={1}
      style={{ width: 140, ...rest.style }}
      value={value === null || value === undefined ? null : value / 100}
      onChange={(v) => onChange?.(v === null ? (nullable ? null : 0) : Math.round(v * 100))}
    />
  );
}

/** useDiscountText says a percent off the way the reader does: 8.8折 in Chinese, 12% off in English. */
export function useDiscountText(): DiscountText {
  const { i18n } = useTranslation();
  return i18n.language === 'en' ? (bp) => `${percentOf(bp)}% off` : zhDiscount;
}

/** PercentOffInput edits a discount in basis points, shown as percent off and as 折. */
export function PercentOffInput({ value, onChange, ...rest }: ValueProps<number>) {
  return (
    <Space>
      <InputNumber<number>
        {...rest}
        min={0.01}
        max={100}
        precision={2}
        suffix="%"
        style={{ width: 120 }}
        value={value === undefined ? null : value / 100}
        onChange={(v) => onChange?.(v === null ? 0 : Math.round(v * 100))}
      />
      {value ? <Tag color="red">{zhDiscount(value)}</Tag> : null}
    </Space>
  );
}

/**
 * DateTimeInput edits an RFC 3339 instant in the tenant's time zone: picked, or typed
 * (2026-12-31 20:00, 2026/12/31, 20261231 …; a typed text it cannot read is said so).
 * For the end of a window a day picked or typed alone includes that whole day; the
 * line under the field says exactly which instant the value means.
 */
export function DateTimeInput({ value, onChange, role = 'start', ...rest }: ValueProps<string | undefined> & { role?: Role }) {
  const { t } = useTranslation();
  const zone = useTenantZone();
  const [bad, setBad] = useState<string | undefined>();
  const testId = (rest as { 'data-testid'?: string })['data-testid'];
  const explain = value
    ? role === 'end'
      ? t('promotions.editor.endMeans', { time: inZone(value, zone), zone })
      : t('promotions.editor.startMeans', { time: inZone(value, zone), zone })
    : t('promotions.editor.typeHint', { zone });
  return (
    <Space orientation="vertical" size={2} style={{ width: '100%' }}>
      <DatePicker
        {...rest}
        status={bad ? 'error' : undefined}
        showTime={{ format: 'HH:mm', defaultOpenValue: role === 'end' ? dayjs('23:59', 'HH:mm') : dayjs('00:00', 'HH:mm') }}
        format={['YYYY-MM-DD HH:mm', 'YYYY-MM-DD HH:mm:ss', 'YYYY/MM/DD HH:mm']}
        value={value ? toWall(value, zone, role) : null}
        onChange={(d) => {
          setBad(undefined);
          onChange?.(d ? fromWall(d, zone, role) : undefined);
        }}
        onBlur={(e) => {
          const text = (e.target as HTMLInputElement).value?.trim() ?? '';
          if (!text) return setBad(undefined);
          if (value && text === toWall(value, zone, role).format('YYYY-MM-DD HH:mm')) return setBad(undefined);
          const at = parseTyped(text, zone, role);
          if (!at) return setBad(text);
          setBad(undefined);
          if (at !== value) onChange?.(at);
        }}
      />
      <Typography.Text type={bad ? 'danger' : 'secondary'} style={{ fontSize: 12 }} data-testid={testId ? `${testId}-help` : undefined}>
        {bad ? t('promotions.editor.dateNotUnderstood', { text: bad }) : explain}
      </Typography.Text>
    </Space>
  );
}

/** MinutesInput edits minutes after midnight with a time picker. */
export function MinutesInput({ value, onChange, ...rest }: ValueProps<number | undefined>) {
  return (
    <TimePicker
      {...rest}
      format="HH:mm"
      minuteStep={5}
      value={value ? dayjs().startOf('day').add(value, 'minute') : null}
      onChange={(d) => onChange?.(d ? d.hour() * 60 + d.minute() : 0)}
    />
  );
}

/** skuLabel is how a SKU shows in pickers. */
export function skuLabel(s: Pick<Sku, 'code' | 'name'>) {
  return `${s.code} ${s.name}`;
}

/**
 * SkuSelect picks SKUs (ids) by searching the catalogue; mode "multiple" for
 * scopes, single otherwise. onPick hands over the whole SKU when one is chosen.
 */
export function SkuSelect({
  value,
  onChange,
  multiple,
  onPick,
  placeholder,
  ...rest
}: ValueProps<string | string[] | undefined> & { multiple?: boolean; onPick?: (s: Sku) => void; placeholder?: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [known, setKnown] = useState<Map<string, Sku>>(new Map());
  const skus = useQuery({
    queryKey: ['skus', 'pick', search],
    queryFn: () => api.skus({ q: search || undefined, limit: 20 }),
  });
  const found = skus.data?.items ?? [];
  const options = found.map((s) => ({ value: s.id, label: skuLabel(s) }));
  // Chosen SKUs keep their label once the search moves on; unknown ids show as they are.
  const chosen = value === undefined ? [] : Array.isArray(value) ? value : [value];
  for (const id of chosen) {
    if (!options.some((o) => o.value === id)) {
      const s = known.get(id);
      options.push({ value: id, label: s ? skuLabel(s) : id });
    }
  }
  return (
    <Select
      {...rest}
      mode={multiple ? 'multiple' : undefined}
      allowClear
      showSearch={{ filterOption: false, onSearch: setSearch }}
      placeholder={placeholder ?? t('promotions.cart.searchSku')}
      loading={skus.isFetching}
      value={value as string | string[] | undefined}
      style={{ minWidth: 240, ...rest.style }}
      options={options}
      onChange={(v: string | string[] | undefined) => {
        const ids = v === undefined ? [] : Array.isArray(v) ? v : [v];
        const next = new Map(known);
        for (const id of ids) {
          const s = found.find((x) => x.id === id);
          if (s) next.set(id, s);
        }
        setKnown(next);
        onChange?.(v);
        if (!multiple && typeof v === 'string') {
          const s = next.get(v);
          if (s) onPick?.(s);
        }
      }}
    />
  );
}

/** KindTag shows a promotion kind in its colour. */
export function KindTag({ kind }: { kind: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={KIND_COLORS[kind] ?? 'default'} data-testid="kind-tag">
      {t(`promotions.kinds.${kind}`, { defaultValue: kind })}
    </Tag>
  );
}

/** RuleText describes a definition in short phrases: 满100减10 · 满200减30. */
export function RuleText({ def }: { def: PromotionDefinition | undefined }) {
  const { t } = useTranslation();
  const rules = rulesOf(def, useDiscountText());
  if (rules.length === 0) return null;
  return (
    <Typography.Text data-testid="rule-text">
      {rules.map((r) => t(`promotions.rule.${r.key}`, r.values)).join(' · ')}
    </Typography.Text>
  );
}

const STATUS_COLORS: Record<string, string> = {
  draft: 'default',
  active: 'green',
  running: 'green',
  scheduled: 'blue',
  paused: 'orange',
  ended: 'red',
};

/** PromotionStatusTag shows a promotion status: pass effective_status where the API gives it. */
export function PromotionStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status] ?? 'default'} data-testid="promotion-status">
      {t(`promotions.status.${status}`, { defaultValue: status })}
    </Tag>
  );
}
