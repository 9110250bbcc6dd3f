import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import type { CSSProperties } from 'react';
import { useState } from 'react';
import { api } from '../api';
import { useStoreNamesOf } from '../api/hooks';

/** storeLabel is how a picker shows a store it found: name and code. */
const storeLabel = (s: { name: string; code: string }) => `${s.name} · ${s.code}`;

/** useStoreSearch finds the first 20 stores matching what the user typed, on the server. */
function useStoreSearch() {
  const [search, setSearch] = useState('');
  const stores = useQuery({
    queryKey: ['stores', 'pick', search],
    queryFn: () => api.stores({ q: search || undefined, limit: 20 }),
  });
  const options = (stores.data?.items ?? []).map((s) => ({ value: s.id, label: storeLabel(s) }));
  return { options, setSearch, loading: stores.isFetching };
}

/**
 * StorePicker chooses a store by searching the store list on the server, 20 at a
 * time, so that it works for a chain of any size; the chosen store keeps its name
 * when it is not among the current matches.
 */
export function StorePicker({
  value,
  onChange,
  placeholder,
  style,
  disabled,
  testId,
}: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  placeholder?: string;
  style?: CSSProperties;
  disabled?: boolean;
  testId?: string;
}) {
  const { options, setSearch, loading } = useStoreSearch();
  const chosen = useStoreNamesOf([value]);
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: chosen.get(value) ?? value });
  return (
    <Select
      allowClear
      showSearch={{ filterOption: false, onSearch: setSearch }}
      placeholder={placeholder}
      style={style}
      disabled={disabled}
      // Store names are long (华联优选·上海徐汇店 · SH001): the list may be wider than the box.
      popupMatchSelectWidth={false}
      value={value}
      onChange={(v) => onChange?.(v || undefined)}
      loading={loading}
      options={options}
      data-testid={testId}
    />
  );
}

/** STORES_SHOWN is how many chosen stores StoresPicker shows as tags before "+n". */
const STORES_SHOWN = 30;

/**
 * StoresPicker chooses several stores (a price zone's) by searching the server like
 * StorePicker; it shows and names the first 30 chosen and counts the rest, so a
 * zone of a thousand stores costs one name look-up.
 */
export function StoresPicker({
  value,
  onChange,
  placeholder,
  testId,
}: {
  value?: string[];
  onChange?: (v: string[]) => void;
  placeholder?: string;
  testId?: string;
}) {
  const { options, setSearch, loading } = useStoreSearch();
  const shown = (value ?? []).slice(0, STORES_SHOWN);
  const chosen = useStoreNamesOf(shown);
  const found = new Set(options.map((o) => o.value));
  const named = shown.filter((id) => !found.has(id)).map((id) => ({ value: id, label: chosen.get(id) ?? id }));
  return (
    <Select
      mode="multiple"
      showSearch={{ filterOption: false, onSearch: setSearch }}
      placeholder={placeholder}
      popupMatchSelectWidth={false}
      maxTagCount={STORES_SHOWN}
      value={value}
      onChange={(v) => onChange?.(v)}
      loading={loading}
      options={[...options, ...named]}
      data-testid={testId}
    />
  );
}
