// The customer API (issue 4): search, the 360 view, consents, merges,
// the identity review queue, export and erasure, with their react-query hooks.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data } from './client';
import { useCursorList, useMe } from './hooks';
import { fetchAll } from './index';
import type {
  BulkResolveRequest,
  CustomerAccess,
  CustomerAccessFilter,
  CustomerEvent,
  CustomerListFilter,
  MergeRequest,
  PageParams,
  RecordConsentRequest,
  ResolveReviewRequest,
  ReviewFilter,
  ReviewStatus,
  UpdateEventSchemaRequest,
} from './types';

/** SEARCH_LIMIT is the most results the search answers (the server caps it at 50). */
export const SEARCH_LIMIT = 50;

export const customersApi = {
  search: (q: string, limit = SEARCH_LIMIT) =>
    data(client.GET('/api/v1/customers/search', { params: { query: { q, limit } } })),
  list: (f?: CustomerListFilter) => data(client.GET('/api/v1/customers/list', { params: { query: f } })),
  customer: (id: string) => data(client.GET('/api/v1/customers/{id}', { params: { path: { id } } })),
  events: (id: string, p?: PageParams) =>
    data(client.GET('/api/v1/customers/{id}/events', { params: { path: { id }, query: p } })),
  recordConsent: (id: string, body: RecordConsentRequest) =>
    data(client.POST('/api/v1/customers/{id}/consents', { params: { path: { id } }, body })),
  consentHistory: (id: string, p?: PageParams) =>
    data(client.GET('/api/v1/customers/{id}/consents/history', { params: { path: { id }, query: p } })),
  merges: (id: string) => data(client.GET('/api/v1/customers/{id}/merges', { params: { path: { id } } })),
  merge: (id: string, body: MergeRequest) =>
    data(client.POST('/api/v1/customers/{id}/merge', { params: { path: { id } }, body })),
  unmerge: (id: string, absorbedId: string) =>
    data(client.POST('/api/v1/customers/{id}/unmerge', { params: { path: { id } }, body: { customer_id: absorbedId } })),
  export: (id: string) => data(client.GET('/api/v1/customers/{id}/export', { params: { path: { id } } })),
  erase: (id: string) => data(client.POST('/api/v1/customers/{id}/erase', { params: { path: { id } } })),
  reviewCounts: (status?: ReviewStatus) =>
    data(client.GET('/api/v1/identity-review-counts', { params: { query: { status } } })),
  reviews: (f?: ReviewFilter) => data(client.GET('/api/v1/identity-reviews', { params: { query: f } })),
  resolveReview: (id: string, body: ResolveReviewRequest) =>
    data(client.POST('/api/v1/identity-reviews/{id}/resolve', { params: { path: { id } }, body })),
  resolveReviews: (body: BulkResolveRequest) => data(client.POST('/api/v1/identity-reviews/resolve', { body })),
  accessLog: (f?: CustomerAccessFilter) => data(client.GET('/api/v1/customer-access-log', { params: { query: f } })),
  eventSchema: () => data(client.GET('/api/v1/event-schema')),
  updateEventSchema: (body: UpdateEventSchemaRequest) => data(client.PUT('/api/v1/event-schema', { body })),
  resetEventSchema: () => data(client.DELETE('/api/v1/event-schema')),
};

/** IdentityMapExport is the identity map read as CSV up to a cursor. */
export interface IdentityMapExport {
  csv: string;
  /** records is the number of CSV rows without the header. */
  records: number;
  /** next is the cursor to continue from later (X-Next-Cursor). */
  next: string;
  /** more says the export stopped at maxPages with more records waiting. */
  more: boolean;
}

/**
 * exportIdentityMap reads the identity map (GET /identity-map, identity_map:read) as
 * CSV from cursor (none: a snapshot), page after page until the log is exhausted or
 * maxPages pages were read, and joins the pages under one header row.
 */
export async function exportIdentityMap(cursor = '', maxPages = 100, pageSize = 10000): Promise<IdentityMapExport> {
  let csv = '';
  let records = 0;
  let next = cursor;
  let more = true;
  for (let page = 0; page < maxPages && more; page++) {
    const { data: text, response: res } = await client.GET('/api/v1/identity-map', {
      params: { query: { format: 'csv', limit: pageSize, cursor: next || undefined } },
      headers: { Accept: 'text/csv, application/problem+json' },
      parseAs: 'text',
    });
    const lines = (text ?? '').split('\n').filter((l) => l !== '');
    if (csv === '' && lines.length > 0) csv = lines[0] + '\n';
    for (const l of lines.slice(1)) csv += l + '\n';
    records += Math.max(0, lines.length - 1);
    next = res.headers.get('X-Next-Cursor') ?? next;
    more = res.headers.get('X-More') === 'true';
  }
  return { csv, records, next, more };
}

/** useCustomerAccessLog pages through the customer access log matching filter, newest first. */
export function useCustomerAccessLog(filter: Omit<CustomerAccessFilter, 'limit' | 'cursor'>) {
  return useCursorList('customer-access-log', filter, customersApi.accessLog);
}

/** useCustomerAccessSample loads up to max entries matching filter for the charts. */
export function useCustomerAccessSample(filter: Omit<CustomerAccessFilter, 'limit' | 'cursor'>, max = 1000) {
  return useQuery({
    queryKey: ['customer-access-log', 'sample', filter, max],
    queryFn: () => fetchAll<CustomerAccess>((p) => customersApi.accessLog({ ...filter, ...p }), { pageSize: 500, max }),
  });
}

/** useHasScope reports whether the signed-in user holds scope (from GET /me). */
export function useHasScope(scope: string): boolean {
  const me = useMe();
  return me.data?.scopes?.includes(scope) ?? false;
}

/** useCustomerSearch runs a search for q; nothing is asked while q is empty. */
export function useCustomerSearch(q: string) {
  return useQuery({
    queryKey: ['customers', 'search', q],
    queryFn: () => customersApi.search(q),
    enabled: q.trim() !== '',
  });
}

/** useCustomer loads the 360 view of one customer. */
export function useCustomer(customerId: string) {
  return useQuery({ queryKey: ['customers', 'one', customerId], queryFn: () => customersApi.customer(customerId) });
}

/** useCustomerEvents pages through a customer's timeline, newest first. */
export function useCustomerEvents(customerId: string, pageSize = 20) {
  return useCursorList('customer-events', { customerId }, (f) =>
    customersApi.events(f.customerId, { limit: f.limit, cursor: f.cursor }),
  { pageSize });
}

/** useCustomerEventSample loads up to max recent events for the activity chart. */
export function useCustomerEventSample(customerId: string, max = 1000) {
  return useQuery({
    queryKey: ['customer-events', 'sample', customerId, max],
    queryFn: () => fetchAll<CustomerEvent>((p) => customersApi.events(customerId, p), { pageSize: 500, max }),
  });
}

/** useConsentHistory pages through the recorded consent changes. */
export function useConsentHistory(customerId: string, enabled: boolean) {
  return useCursorList('consent-history', { customerId }, (f) =>
    customersApi.consentHistory(f.customerId, { limit: f.limit, cursor: f.cursor }),
  {
    enabled,
  });
}

/** useCustomerMerges lists the merges the customer took part in. */
export function useCustomerMerges(customerId: string) {
  return useQuery({ queryKey: ['customers', 'merges', customerId], queryFn: () => customersApi.merges(customerId) });
}

/** invalidateCustomers refreshes every customer view after a change. */
function useInvalidateCustomers() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['customers'] }),
      queryClient.invalidateQueries({ queryKey: ['customer-events'] }),
      queryClient.invalidateQueries({ queryKey: ['consent-history'] }),
      queryClient.invalidateQueries({ queryKey: ['identity-reviews'] }),
    ]);
}

/** useRecordConsent records a consent change for the customer. */
export function useRecordConsent(customerId: string) {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    mutationFn: (body: RecordConsentRequest) => customersApi.recordConsent(customerId, body),
    onSuccess: invalidate,
  });
}

/** useMergeCustomers merges other customers into customerId. */
export function useMergeCustomers(customerId: string) {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    mutationFn: (body: MergeRequest) => customersApi.merge(customerId, body),
    onSuccess: invalidate,
  });
}

/** useUnmerge restores a customer previously merged into customerId. */
export function useUnmerge(customerId: string) {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    mutationFn: (absorbedId: string) => customersApi.unmerge(customerId, absorbedId),
    onSuccess: invalidate,
  });
}

/** useEraseCustomer erases the customer's personal data. */
export function useEraseCustomer(customerId: string) {
  const invalidate = useInvalidateCustomers();
  return useMutation({ mutationFn: () => customersApi.erase(customerId), onSuccess: invalidate });
}

/** useReviews pages through the identity reviews in one state (and score floor). */
export function useReviews(status: ReviewStatus, minScore?: number) {
  return useCursorList('identity-reviews', { status, min_score: minScore }, customersApi.reviews);
}

/** useCustomerList pages through the customers matching filter, newest first. */
export function useCustomerList(filter: Omit<CustomerListFilter, 'limit' | 'cursor'>) {
  const list = useCursorList('customers', filter, customersApi.list, { pageSize: 20 });
  const first = list.data?.pages[0];
  return { ...list, total: first?.total, totalExact: first?.total_exact ?? true };
}

/** useResolveReviews resolves many reviews the same way and reports each outcome. */
export function useResolveReviews() {
  const invalidate = useInvalidateCustomers();
  return useMutation({ mutationFn: customersApi.resolveReviews, onSuccess: invalidate });
}

/** useReviewCounts counts the reviews in one state by reason and score band, on the server. */
export function useReviewCounts(status: ReviewStatus) {
  return useQuery({ queryKey: ['identity-reviews', 'counts', status], queryFn: () => customersApi.reviewCounts(status) });
}

/** useResolveReview merges or keeps apart the candidates of a review. */
export function useResolveReview() {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    mutationFn: ({ reviewId, body }: { reviewId: string; body: ResolveReviewRequest }) =>
      customersApi.resolveReview(reviewId, body),
    onSuccess: invalidate,
  });
}

/** useEventSchema loads the tenant's event schema (the names declared non-personal). */
export function useEventSchema() {
  return useQuery({ queryKey: ['event-schema'], queryFn: customersApi.eventSchema });
}

/**
 * useChangeEventSchema replaces (with a list) or resets (with null) the event
 * schema; timelines are read again, since what they mask changed.
 */
export function useChangeEventSchema() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (names: string[] | null) =>
      names === null ? customersApi.resetEventSchema() : customersApi.updateEventSchema({ non_personal: names }),
    onSuccess: (schema) => {
      queryClient.setQueryData(['event-schema'], schema);
      return queryClient.invalidateQueries({ queryKey: ['customer-events'] });
    },
  });
}
