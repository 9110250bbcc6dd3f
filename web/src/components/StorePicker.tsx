import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import type { CSSProperties } from 'react';
import { useState } from 'react';
import { api } from '../api';
import { useStoreNamesOf } from '../api/hooks';

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
  testId,
}: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  placeholder?: string;
  style?: CSSProperties;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const stores = useQuery({
    queryKey: ['stores', 'pick', search],
    queryFn: () => api.stores({ q: search || undefined, limit: 20 }),
  });
  const chosen = useStoreNamesOf([value]);
  const options = (stores.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} · ${s.code}` }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: chosen.get(value) ?? value });
  return (
    <Select
      allowClear
      showSearch={{ filterOption: false, onSearch: setSearch }}
      placeholder={placeholder}
      style={style}
      // Store names are long (华联优选·上海徐汇店 · SH001): the list may be wider than the box.
      popupMatchSelectWidth={false}
      value={value}
      onChange={(v) => onChange?.(v || undefined)}
      loading={stores.isFetching}
      options={options}
      data-testid={testId}
    />
  );
}
