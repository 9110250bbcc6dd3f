import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, fetchAll } from './index';
import type { Brand, Category, CreateTouchpointRequest, Page, PageParams, Region, TouchpointFilter } from './types';

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

/** STORE_NAMES_PER_CALL is the most ids one GET /store-names names (the server's maxItems). */
const STORE_NAMES_PER_CALL = 200;

/**
 * useStoreNamesOf names the stores among ids (a page's rows) in one request per 200
 * ids, so a page labels what it shows without reading every store of a national
 * chain; without org:read it names none (the page shows ids).
 */
export function useStoreNamesOf(ids: (string | null | undefined)[]) {
  const canRead = useMe().data?.scopes?.includes('org:read') ?? false;
  const chunks = useMemo(() => {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))].sort();
    const out: string[][] = [];
    for (let i = 0; i < wanted.length; i += STORE_NAMES_PER_CALL) out.push(wanted.slice(i, i + STORE_NAMES_PER_CALL));
    return out;
  }, [ids]);
  return useQueries({
    queries: chunks.map((chunk) => ({
      queryKey: ['stores', 'names', chunk],
      queryFn: () => api.storeNames(chunk),
      enabled: canRead,
      staleTime: 60_000,
    })),
    combine: nameMap,
  });
}

/** nameMap joins the answers of GET /store-names into one map from id to name (stable: combine reruns only when they change). */
function nameMap(results: { data?: { items: { id: string; name: string }[] } }[]): Map<string, string> {
  return new Map(results.flatMap((r) => (r.data?.items ?? []).map((s) => [s.id, s.name] as const)));
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
