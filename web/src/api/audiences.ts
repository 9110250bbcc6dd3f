// The audiences API (issue 14): the tag library, customers' tags and their CSV import,
// segments with live counts, portraits and snapshots. Types come from the OpenAPI
// document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from './client';
import { useCursorList } from './hooks';
import type { components } from './schema';
import type { Page, PageParams, ProblemDetail } from './types';

type S = components['schemas'];
export type AudienceTag = S['TagDefinitionResponse'];
export type AudienceTagRequest = S['TagDefinitionRequest'];
export type AudienceTagUpdate = S['TagDefinitionUpdate'];
export type CustomerTag = S['CustomerTagResponse'];
export type TagImportReport = S['ImportReportResponse'];
export type Segment = S['SegmentResponse'];
export type SegmentRequest = S['SegmentRequest'];
export type SegmentUpdate = S['SegmentUpdateRequest'];
export type SegmentPreview = S['SegmentPreviewResponse'];
export type SegmentMember = S['SegmentMemberResponse'];
export type Portrait = S['PortraitResponse'];
export type PortraitDimension = S['PortraitDimensionResponse'];
export type Snapshot = S['SnapshotResponse'];
export type SegmentCount = S['SegmentCountResponse'];

/** TagFilter narrows the tag library. */
export interface TagFilter {
  group?: string;
  kind?: string;
  status?: string;
}

/** ConditionBody is what preview and save take: the JSON form or the text form. */
export type ConditionBody = { definition: unknown; text?: undefined } | { text: string; definition?: undefined };

const id = (v: string) => encodeURIComponent(v);
const seg = (segmentId: string) => `/audience-segments/${id(segmentId)}`;

export const audienceApi = {
  tags: (f: TagFilter & PageParams) => request<Page<AudienceTag>>('GET', '/audience-tags', { query: f }),
  createTag: (body: AudienceTagRequest) => request<AudienceTag>('POST', '/audience-tags', { body }),
  updateTag: (tagId: string, body: AudienceTagUpdate) => request<AudienceTag>('PATCH', `/audience-tags/${id(tagId)}`, { body }),
  importTags: (file: Blob) => postCsv<TagImportReport>('/audience-tags/imports', file),
  customerTags: (customerId: string) => request<{ items: CustomerTag[] | null }>('GET', `/customers/${id(customerId)}/tags`),
  setCustomerTag: (customerId: string, code: string, value: string) =>
    request<CustomerTag>('PUT', `/customers/${id(customerId)}/tags/${id(code)}`, { body: { value } }),
  removeCustomerTag: (customerId: string, code: string) => request<void>('DELETE', `/customers/${id(customerId)}/tags/${id(code)}`),
  segments: (f: { status?: string } & PageParams) => request<Page<Segment>>('GET', '/audience-segments', { query: f }),
  segment: (segmentId: string) => request<Segment>('GET', seg(segmentId)),
  createSegment: (body: SegmentRequest) => request<Segment>('POST', '/audience-segments', { body }),
  updateSegment: (segmentId: string, body: SegmentUpdate) => request<Segment>('PATCH', seg(segmentId), { body }),
  preview: (body: ConditionBody, signal?: AbortSignal) =>
    request<SegmentPreview>('POST', '/audience-segments/preview', { body, signal }),
  previewPortrait: (body: ConditionBody, signal?: AbortSignal) =>
    request<Portrait>('POST', '/audience-segments/preview/portrait', { body, signal }),
  members: (segmentId: string, p: PageParams) => request<Page<SegmentMember>>('GET', `${seg(segmentId)}/members`, { query: p }),
  portrait: (segmentId: string) => request<Portrait>('GET', `${seg(segmentId)}/portrait`),
  counts: (segmentId: string) => request<{ items: SegmentCount[] | null }>('GET', `${seg(segmentId)}/counts`),
  snapshots: (segmentId: string) => request<{ items: Snapshot[] | null }>('GET', `${seg(segmentId)}/snapshots`),
  takeSnapshot: (segmentId: string, name: string) => request<Snapshot>('POST', `${seg(segmentId)}/snapshots`, { body: { name } }),
  snapshotMembers: (snapshotId: string, p: PageParams) =>
    request<Page<SegmentMember>>('GET', `/audience-snapshots/${id(snapshotId)}/members`, { query: p }),
};

/** postCsv posts a file as text/csv, bytes as they are (UTF-8 or GBK), and decodes the JSON answer. */
async function postCsv<T>(path: string, body: Blob): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', Accept: 'application/json, application/problem+json' },
    body,
    credentials: 'same-origin',
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const problem = parsed as ProblemDetail | undefined;
    throw new ApiError(res.status, problem?.detail || problem?.title || res.statusText || `HTTP ${res.status}`, problem);
  }
  return parsed as T;
}

/** useAudienceTags pages through the tag library matching filter. */
export function useAudienceTags(filter: TagFilter) {
  return useCursorList('audience-tags', filter, audienceApi.tags, { pageSize: 100 });
}

/** useAllAudienceTags loads the active tags (up to 500) for pickers. */
export function useAllAudienceTags(enabled = true) {
  return useQuery({
    queryKey: ['audience-tags', 'all'],
    queryFn: async () => (await audienceApi.tags({ status: 'active', limit: 500 })).items ?? [],
    enabled,
    staleTime: 30_000,
  });
}

/** useAllSegments loads the active segments (up to 500) for the in_segment picker. */
export function useAllSegments(enabled = true) {
  return useQuery({
    queryKey: ['audience-segments', 'all'],
    queryFn: async () => (await audienceApi.segments({ status: 'active', limit: 500 })).items ?? [],
    enabled,
    staleTime: 30_000,
  });
}

/** useSegments pages through the segments. */
export function useSegments(filter: { status?: string }) {
  return useCursorList('audience-segments', filter, audienceApi.segments);
}

/** useSegment loads one segment. */
export function useSegment(segmentId: string) {
  return useQuery({
    queryKey: ['audience-segments', 'one', segmentId],
    queryFn: () => audienceApi.segment(segmentId),
    enabled: segmentId !== '',
  });
}

/** useCustomerTags loads a customer's tag values. */
export function useCustomerTags(customerId: string) {
  return useQuery({
    queryKey: ['audience-tags', 'customer', customerId],
    queryFn: async () => (await audienceApi.customerTags(customerId)).items ?? [],
  });
}

/** useAudienceChange runs a change and refreshes what the audience pages show. */
export function useAudienceChange<A, R>(fn: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['audience-tags'] }),
        queryClient.invalidateQueries({ queryKey: ['audience-segments'] }),
      ]);
    },
  });
}

/**
 * fieldErrors maps the per-field messages of a validation problem by location
 * ("body.expression", "body.definition.conditions[1].op"); other errors are not mapped.
 */
export function fieldErrors(err: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!(err instanceof ApiError)) return out;
  for (const e of err.problem?.errors ?? []) {
    if (e.location) out.set(e.location, e.message ?? '');
  }
  return out;
}
