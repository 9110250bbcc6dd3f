import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, fetchAll } from './index';
import type { Brand, Category, CreateTouchpointRequest, Page, PageParams, Region, Store, TouchpointFilter } from './types';

/** PAGE_SIZE is the page size of the console's paginated tables. */
export const PAGE_SIZE = 50;

/** useMe loads the signed-in user; a 401 sends the console to /login. */
export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: api.me, staleTime: 60_000 });
}

/** useBrands loads all brands (a small reference list). */
export function useBrands() {
  return useQuery({
    queryKey: ['brands', 'all'],
    queryFn: () => fetchAll<Brand>(api.brands),
    staleTime: 60_000,
  });
}

/** useRegions loads all regions (a small reference list). */
export function useRegions() {
  return useQuery({
    queryKey: ['regions', 'all'],
    queryFn: () => fetchAll<Region>(api.regions),
    staleTime: 60_000,
  });
}

/** useCategories loads the whole category list, flat, with parent_id (when enabled). */
export function useCategories(enabled = true) {
  return useQuery({
    queryKey: ['categories', 'all'],
    queryFn: () => fetchAll<Category>(api.categories, { pageSize: 1000, max: 20000 }),
    staleTime: 60_000,
    enabled,
  });
}

/** useNameLookup maps ids to names for a reference list. */
export function useNameLookup<T extends { id: string; name: string }>(items: T[] | undefined) {
  return useMemo(() => new Map((items ?? []).map((i) => [i.id, i.name])), [items]);
}

/**
 * useCursorList pages through a cursor-paginated list; fetchNextPage loads
 * the next page ("load more"), items holds every page loaded so far.
 */
export function useCursorList<T, F extends object, P extends Page<T>>(
  key: string,
  filter: F,
  fetchPage: (f: F & PageParams) => Promise<P & Page<T>>,
  opts: { enabled?: boolean; pageSize?: number } = {},
) {
  const query = useInfiniteQuery({
    queryKey: [key, 'list', filter],
    queryFn: ({ pageParam }) =>
      fetchPage({ ...filter, limit: opts.pageSize ?? PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
    enabled: opts.enabled ?? true,
  });
  const items = useMemo(
    () => query.data?.pages.flatMap((p) => p.items ?? []) ?? [],
    [query.data],
  );
  return { ...query, items };
}

/** useAllStores loads the store list (up to max stores) for name lookups. */
export function useAllStores(max = 5000) {
  return useQuery({
    queryKey: ['stores', 'all', {}],
    queryFn: () => fetchAll<Store>(api.stores, { max }),
    staleTime: 60_000,
  });
}

/**
 * useStoreNamesOf names the stores among ids (a page's rows) in one request, so a
 * page labels what it shows without reading every store of a national chain; without
 * org:read it names none (the page shows ids).
 */
export function useStoreNamesOf(ids: (string | null | undefined)[]) {
  const canRead = useMe().data?.scopes?.includes('org:read') ?? false;
  const wanted = useMemo(() => [...new Set(ids.filter((id): id is string => !!id))].sort().slice(0, 200), [ids]);
  const names = useQuery({
    queryKey: ['stores', 'names', wanted],
    queryFn: () => api.storeNames(wanted),
    enabled: canRead && wanted.length > 0,
    staleTime: 60_000,
  });
  return useMemo(() => new Map((names.data?.items ?? []).map((s) => [s.id, s.name])), [names.data]);
}

/** useTouchpoints pages through the touchpoints matching filter. */
export function useTouchpoints(filter: Omit<TouchpointFilter, 'limit' | 'cursor'>) {
  return useCursorList('touchpoints', filter, api.touchpoints);
}

/** useTouchpointMaturity loads the touchpoints' maturity over the last days UTC days. */
export function useTouchpointMaturity(days: number) {
  return useQuery({ queryKey: ['touchpoints', 'maturity', days], queryFn: () => api.touchpointMaturity(days) });
}

/** useCreateTouchpoint registers a touchpoint and refreshes the touchpoint lists. */
export function useCreateTouchpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTouchpointRequest) => api.createTouchpoint(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['touchpoints'] }),
  });
}
