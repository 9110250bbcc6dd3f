// The customer API (issue 4): search, the 360 view, consents, merges,
// the identity review queue, export and erasure, with their react-query hooks.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { buildQuery, request, toApiError } from './client';
import { useCursorList, useMe } from './hooks';
import { fetchAll } from './index';
import type {
  Consent,
  ConsentRecord,
  Customer,
  CustomerAccess,
  CustomerAccessFilter,
  CustomerEvent,
  CustomerListFilter,
  CustomerListPage,
  BulkResolveResponse,
  CustomerMerge,
  CustomerSummary,
  ErasedCustomer,
  EventSchema,
  IdentityReview,
  ReviewCounts,
  MergeRequest,
  Page,
  PageParams,
  RecordConsentRequest,
  ResolveReviewRequest,
  ReviewFilter,
  ReviewStatus,
  ReviewAction,
  UnmergeResponse,
  UpdateEventSchemaRequest,
} from './types';

const id = (v: string) => encodeURIComponent(v);

/** SEARCH_LIMIT is the most results the search answers (the server caps it at 50). */
export const SEARCH_LIMIT = 50;

export const customersApi = {
  search: (q: string, limit = SEARCH_LIMIT) =>
    request<{ items: CustomerSummary[] }>('GET', '/customers/search', { query: { q, limit } }),
  list: (f?: CustomerListFilter) => request<CustomerListPage>('GET', '/customers/list', { query: f }),
  customer: (customerId: string) => request<Customer>('GET', `/customers/${id(customerId)}`),
  events: (customerId: string, p?: PageParams) =>
    request<Page<CustomerEvent>>('GET', `/customers/${id(customerId)}/events`, { query: p }),
  recordConsent: (customerId: string, body: RecordConsentRequest) =>
    request<{ items: Consent[] }>('POST', `/customers/${id(customerId)}/consents`, { body }),
  consentHistory: (customerId: string, p?: PageParams) =>
    request<Page<ConsentRecord>>('GET', `/customers/${id(customerId)}/consents/history`, { query: p }),
  merges: (customerId: string) => request<{ items: CustomerMerge[] }>('GET', `/customers/${id(customerId)}/merges`),
  merge: (customerId: string, body: MergeRequest) =>
    request<Customer>('POST', `/customers/${id(customerId)}/merge`, { body }),
  unmerge: (customerId: string, absorbedId: string) =>
    request<UnmergeResponse>('POST', `/customers/${id(customerId)}/unmerge`, { body: { customer_id: absorbedId } }),
  export: (customerId: string) => request<unknown>('GET', `/customers/${id(customerId)}/export`),
  erase: (customerId: string) => request<ErasedCustomer>('POST', `/customers/${id(customerId)}/erase`),
  reviewCounts: (status?: ReviewStatus) => request<ReviewCounts>('GET', '/identity-review-counts', { query: { status } }),
  reviews: (f?: ReviewFilter) => request<Page<IdentityReview>>('GET', '/identity-reviews', { query: f }),
  resolveReview: (reviewId: string, body: ResolveReviewRequest) =>
    request<IdentityReview>('POST', `/identity-reviews/${id(reviewId)}/resolve`, { body }),
  resolveReviews: (body: { review_ids: string[]; action: ReviewAction; note?: string }) =>
    request<BulkResolveResponse>('POST', '/identity-reviews/resolve', { body }),
  accessLog: (f?: CustomerAccessFilter) => request<Page<CustomerAccess>>('GET', '/customer-access-log', { query: f }),
  eventSchema: () => request<EventSchema>('GET', '/event-schema'),
  updateEventSchema: (body: UpdateEventSchemaRequest) => request<EventSchema>('PUT', '/event-schema', { body }),
  resetEventSchema: () => request<EventSchema>('DELETE', '/event-schema'),
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
    const res = await fetch(`/api/v1/identity-map${buildQuery({ format: 'csv', limit: pageSize, cursor: next || undefined })}`, {
      headers: { Accept: 'text/csv, application/problem+json' },
      credentials: 'same-origin',
    });
    if (!res.ok) throw await toApiError(res);
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
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
  const first = list.data?.pages[0] as CustomerListPage | undefined;
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
