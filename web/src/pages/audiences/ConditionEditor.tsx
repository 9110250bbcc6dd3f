// The point-and-click editor of a condition tree: AND/OR groups that nest, conditions
// of every kind the engine knows, and a NOT on each. Pure UI over model.ts.
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Dropdown, InputNumber, Segmented, Select, Space, Switch, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { createContext, useContext, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AudienceTag, Segment } from '../../api/audiences';
import {
  ATTRIBUTES,
  emptyGroup,
  isSetCond,
  NUMBER_OPS,
  newCond,
  SET_OPS,
  WINDOWS,
  type Cond,
  type CondType,
  type Group,
  type Node,
  type Op,
} from './model';
import { valueLabel } from './parts';

/** EditorContext carries what pickers offer and where the server's errors landed. */
export interface EditorContextValue {
  tags: AudienceTag[];
  segments: Segment[];
  /** Category codes with names for bought(…). */
  categories: { value: string; label: string }[];
  /** Values seen in the base per attribute (city, tier…), from the portrait. */
  suggestions: Map<string, string[]>;
  /** Server messages by node id. */
  errors: Map<string, string>;
  /** The segment being edited (it cannot contain itself). */
  selfCode?: string;
}

export const EditorContext = createContext<EditorContextValue>({
  tags: [],
  segments: [],
  categories: [],
  suggestions: new Map(),
  errors: new Map(),
});

const TYPES: CondType[] = ['attr', 'orders', 'spend', 'bought', 'did', 'recency', 'tag', 'segment'];
const CHANNELS = [
  'pos',
  'self_checkout',
  'smart_cart',
  'app',
  'wechat_mini_program',
  'wechat_official_account',
  'tmall',
  'jd',
  'meituan',
  'eleme',
  'associate_app',
  'in_store_screen',
  'web',
  'other',
];
const ORDER_CHANNELS = ['pos', 'mini_program', 'app', 'web', 'meituan', 'eleme', 'marketplace'];
const CONSENT_CHANNELS = ['sms', 'wechat', 'push', 'email', 'phone'];
const EVENT_TYPES = ['visit', 'scan', 'product_view', 'add_to_cart', 'registration', 'login', 'order', 'coupon_received', 'coupon_redeemed', 'message_open', 'message_sent', 'favorite'];

/** opLabel names an operator for people. */
export function opLabel(t: TFunction, op: Op): string {
  return t(`audiences.ops.${op}`, { defaultValue: op });
}

/** GroupEditor edits a group and everything in it; onChange gets the new group, onRemove drops it. */
export function GroupEditor({
  group,
  onChange,
  onRemove,
  depth = 0,
}: {
  group: Group;
  onChange: (g: Group) => void;
  onRemove?: () => void;
  depth?: number;
}) {
  const { t } = useTranslation();
  const { errors } = useContext(EditorContext);
  const setChild = (i: number, n: Node | null) => {
    const children = group.children.slice();
    if (n === null) children.splice(i, 1);
    else children[i] = n;
    onChange({ ...group, children });
  };
  const add = (n: Node) => onChange({ ...group, children: [...group.children, n] });
  const error = errors.get(group.id);
  return (
    <div
      data-testid={depth === 0 ? 'builder-root' : 'builder-group'}
      style={{
        border: `1px solid ${error ? '#ff4d4f' : '#d9d9d9'}`,
        borderLeft: `3px solid ${group.op === 'and' ? '#1677ff' : '#fa8c16'}`,
        borderRadius: 6,
        padding: 12,
        marginBottom: 8,
        background: depth % 2 ? '#fafafa' : '#fff',
      }}
    >
      <Space wrap style={{ marginBottom: group.children.length ? 8 : 0 }}>
        <Segmented
          size="small"
          value={group.op}
          onChange={(op) => onChange({ ...group, op: op as 'and' | 'or' })}
          options={[
            { value: 'and', label: t('audiences.builder.and') },
            { value: 'or', label: t('audiences.builder.or') },
          ]}
          data-testid="group-op"
        />
        <NotSwitch value={group.not} onChange={(not) => onChange({ ...group, not })} testId="group-not" />
        <Dropdown
          trigger={['click']}
          menu={{
            items: TYPES.map((k) => ({ key: k, label: t(`audiences.condTypes.${k}`), 'data-testid': `add-${k}` })),
            onClick: ({ key }) => add(newCond(key as CondType)),
          }}
        >
          <Button size="small" icon={<PlusOutlined />} data-testid="add-condition">
            {t('audiences.builder.addCondition')}
          </Button>
        </Dropdown>
        <Button size="small" icon={<PlusOutlined />} onClick={() => add(emptyGroup())} data-testid="add-group">
          {t('audiences.builder.addGroup')}
        </Button>
        {onRemove ? (
          <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('audiences.builder.remove')} />
        ) : null}
      </Space>
      {error ? (
        <Typography.Text type="danger" style={{ display: 'block' }} data-testid="node-error">
          {error}
        </Typography.Text>
      ) : null}
      {group.children.length === 0 ? (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {depth === 0 ? t('audiences.builder.emptyRoot') : t('audiences.builder.emptyGroup')}
        </Typography.Text>
      ) : null}
      {group.children.map((c, i) => (
        <div key={c.id}>
          {i > 0 ? (
            <Tag color={group.op === 'and' ? 'blue' : 'orange'} style={{ margin: '2px 0 6px' }}>
              {group.op === 'and' ? t('audiences.builder.and') : t('audiences.builder.or')}
            </Tag>
          ) : null}
          {c.kind === 'group' ? (
            <GroupEditor group={c} depth={depth + 1} onChange={(g) => setChild(i, g)} onRemove={() => setChild(i, null)} />
          ) : (
            <CondEditor cond={c} onChange={(n) => setChild(i, n)} onRemove={() => setChild(i, null)} />
          )}
        </div>
      ))}
    </div>
  );
}

function NotSwitch({ value, onChange, testId }: { value: boolean; onChange: (v: boolean) => void; testId: string }) {
  const { t } = useTranslation();
  return (
    <Switch
      size="small"
      checked={value}
      onChange={onChange}
      checkedChildren={t('audiences.builder.not')}
      unCheckedChildren={t('audiences.builder.not')}
      data-testid={testId}
    />
  );
}

/** CondEditor edits one condition: what it tests, the window, the comparison and the values. */
function CondEditor({ cond, onChange, onRemove }: { cond: Cond; onChange: (c: Cond) => void; onRemove: () => void }) {
  const { t } = useTranslation();
  const ctx = useContext(EditorContext);
  const error = ctx.errors.get(cond.id);
  const set = (patch: Partial<Cond>) => onChange({ ...cond, ...patch });
  const tag = cond.type === 'tag' ? ctx.tags.find((x) => x.code === cond.field) : undefined;
  const windowPicker = (
    <Select
      size="small"
      style={{ width: 136 }}
      value={cond.window}
      onChange={(window) => set({ window })}
      options={WINDOWS.map((w) => ({ value: w, label: t(`audiences.windows.${w}`) }))}
      data-testid="cond-window"
    />
  );
  let subject: ReactNode = null;
  switch (cond.type) {
    case 'attr':
      subject = (
        <Select
          size="small"
          style={{ width: 130 }}
          value={cond.field}
          onChange={(field: string) => set({ field, values: ATTRIBUTES[field] === 'number' ? [] : [], op: ATTRIBUTES[field] === 'number' ? 'between' : 'in' })}
          options={Object.keys(ATTRIBUTES).map((f) => ({ value: f, label: t(`audiences.fields.${f.replace(/:/g, '_')}`) }))}
          data-testid="cond-attr"
        />
      );
      break;
    case 'orders':
    case 'spend':
    case 'bought':
      subject = windowPicker;
      break;
    case 'did':
      subject = (
        <>
          <AutoComplete
            size="small"
            style={{ width: 150 }}
            value={cond.field}
            onChange={(field: string) => set({ field })}
            placeholder={t('audiences.builder.eventType')}
            options={EVENT_TYPES.map((e) => ({ value: e, label: t(`customers.eventTypes.${e}`, { defaultValue: e }) }))}
            data-testid="cond-event"
          />
          {windowPicker}
        </>
      );
      break;
    case 'tag':
      subject = (
        <Select
          size="small"
          showSearch
          optionFilterProp="label"
          style={{ width: 180 }}
          value={cond.field || undefined}
          placeholder={t('audiences.builder.pickTag')}
          onChange={(code: string) => {
            const vt = ctx.tags.find((x) => x.code === code)?.value_type;
            set({ field: code, valueType: vt, values: [], op: vt === 'enum' ? 'in' : vt === 'number' ? '>=' : 'exists' });
          }}
          options={ctx.tags.map((x) => ({ value: x.code, label: x.group ? `${x.group} · ${x.name}` : x.name }))}
          data-testid="cond-tag"
        />
      );
      break;
    case 'segment':
      subject = (
        <Select
          size="small"
          showSearch
          optionFilterProp="label"
          style={{ width: 200 }}
          value={cond.field || undefined}
          placeholder={t('audiences.builder.pickSegment')}
          onChange={(field: string) => set({ field })}
          options={ctx.segments.filter((s) => s.code !== ctx.selfCode).map((s) => ({ value: s.code, label: s.name }))}
          data-testid="cond-segment"
        />
      );
      break;
  }
  return (
    <div
      data-testid="builder-cond"
      style={{ border: `1px solid ${error ? '#ff4d4f' : '#f0f0f0'}`, borderRadius: 6, padding: '6px 8px', marginBottom: 4, background: '#fff' }}
    >
      <Space wrap size={6} align="center">
        <NotSwitch value={cond.not} onChange={(not) => set({ not })} testId="cond-not" />
        <Tag>{t(`audiences.condTypes.${cond.type}`)}</Tag>
        {subject}
        <Comparison cond={cond} tag={tag} onChange={onChange} />
        <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('audiences.builder.remove')} data-testid="cond-remove" />
      </Space>
      {error ? (
        <Typography.Text type="danger" style={{ display: 'block' }} data-testid="node-error">
          {error}
        </Typography.Text>
      ) : null}
    </div>
  );
}

/** opsFor lists the comparisons a condition offers. */
function opsFor(cond: Cond, tag?: AudienceTag): Op[] {
  if (cond.type === 'segment') return [];
  if (cond.type === 'bought') return ['in', 'not_in'];
  if (cond.type === 'tag') {
    const vt = tag?.value_type ?? cond.valueType;
    if (vt === 'enum') return SET_OPS;
    if (vt === 'number') return NUMBER_OPS;
    return ['exists', 'missing'];
  }
  if (isSetCond(cond)) return SET_OPS;
  if (cond.type === 'did' || cond.type === 'orders') return NUMBER_OPS.filter((o) => o !== 'exists' && o !== 'missing');
  return NUMBER_OPS;
}

/** Comparison picks the operator and its values. */
function Comparison({ cond, tag, onChange }: { cond: Cond; tag?: AudienceTag; onChange: (c: Cond) => void }) {
  const { t } = useTranslation();
  const ctx = useContext(EditorContext);
  const ops = opsFor(cond, tag);
  if (ops.length === 0) return null;
  const set = (patch: Partial<Cond>) => onChange({ ...cond, ...patch });
  const opPicker = (
    <Select
      size="small"
      style={{ width: 120 }}
      value={cond.op}
      onChange={(op: Op) => set({ op, values: op === 'between' ? [cond.values[0] ?? 0, cond.values[1] ?? 0] : cond.values.slice(0, op === 'in' || op === 'not_in' ? undefined : 1) })}
      options={ops.map((o) => ({ value: o, label: opLabel(t, o) }))}
      data-testid="cond-op"
    />
  );
  if (cond.op === 'exists' || cond.op === 'missing') return opPicker;
  if (isSetCond(cond)) {
    const field = cond.type === 'attr' ? cond.field : '';
    let options: { value: string; label: string }[];
    if (cond.type === 'tag') options = (tag?.enum_values ?? []).map((v) => ({ value: v, label: v }));
    else if (cond.type === 'bought') options = ctx.categories;
    else if (field === 'gender') options = ['male', 'female', 'unknown'].map((v) => ({ value: v, label: valueLabel(t, field, v) }));
    else if (field === 'registration_channel') options = CHANNELS.map((v) => ({ value: v, label: valueLabel(t, field, v) }));
    else if (field === 'channel:365d') options = ORDER_CHANNELS.map((v) => ({ value: v, label: valueLabel(t, field, v) }));
    else if (field === 'consent') options = CONSENT_CHANNELS.map((c) => `marketing:${c}`).map((v) => ({ value: v, label: valueLabel(t, field, v) }));
    else options = (ctx.suggestions.get(field) ?? []).map((v) => ({ value: v, label: v }));
    // Free values are allowed where the list is only what the base showed (cities, tiers, categories).
    const free = cond.type === 'bought' || field === 'city' || field === 'tier';
    return (
      <>
        {opPicker}
        <Select
          size="small"
          mode={free ? 'tags' : 'multiple'}
          style={{ minWidth: 200, maxWidth: 360 }}
          value={cond.values as string[]}
          onChange={(values: string[]) => set({ values })}
          options={options}
          optionFilterProp="label"
          placeholder={t('audiences.builder.pickValues')}
          data-testid="cond-values"
        />
      </>
    );
  }
  const unit = cond.type === 'spend' ? '¥' : undefined;
  const num = (i: number) => (
    <InputNumber
      size="small"
      style={{ width: 110 }}
      prefix={unit}
      min={cond.type === 'attr' || cond.type === 'recency' || cond.type === 'orders' || cond.type === 'did' ? 0 : undefined}
      precision={cond.type === 'spend' ? 2 : 0}
      value={cond.values[i] as number | undefined}
      onChange={(v) => {
        const values = cond.values.slice();
        values[i] = v ?? '';
        set({ values });
      }}
      data-testid={`cond-value-${i}`}
    />
  );
  return (
    <>
      {opPicker}
      {num(0)}
      {cond.op === 'between' ? (
        <>
          <Typography.Text type="secondary">{t('audiences.builder.and')}</Typography.Text>
          {num(1)}
        </>
      ) : null}
      {cond.type === 'recency' ? <Typography.Text type="secondary">{t('audiences.builder.days')}</Typography.Text> : null}
    </>
  );
}
