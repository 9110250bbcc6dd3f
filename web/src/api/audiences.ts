// The audiences API (issue 14): the tag library, customers' tags and their CSV import,
// segments with live counts, portraits and snapshots. Types come from the OpenAPI
// document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, client, data, done } from './client';
import { useCursorList } from './hooks';
import type { components } from './schema';
import type { PageParams, Query } from './types';

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
export type TagFilter = Omit<Query<'list-audience-tags'>, 'limit' | 'cursor'>;
/** SegmentFilter narrows the segment list. */
export type SegmentFilter = Omit<Query<'list-audience-segments'>, 'limit' | 'cursor'>;

/** ConditionBody is what preview and save take: the JSON form or the text form. */
export type ConditionBody = { definition: unknown; text?: undefined } | { text: string; definition?: undefined };

const path = (id: string) => ({ params: { path: { id } } });
const tag = (customer_id: string, code: string) => ({ params: { path: { customer_id, code } } });

export const audienceApi = {
  tags: (f: TagFilter & PageParams) => data(client.GET('/api/v1/audience-tags', { params: { query: f } })),
  createTag: (body: AudienceTagRequest) => data(client.POST('/api/v1/audience-tags', { body })),
  updateTag: (id: string, body: AudienceTagUpdate) => data(client.PATCH('/api/v1/audience-tags/{id}', { ...path(id), body })),
  /** importTags posts the file as text/csv, bytes as they are (UTF-8 or GBK), not as JSON. */
  importTags: (file: Blob) =>
    data(
      client.POST('/api/v1/audience-tags/imports', {
        // The schema types a text/csv body as a string; the file's bytes go as they are
        // (a Blob), so a GBK file is not re-encoded by the browser.
        body: file as unknown as string,
        bodySerializer: (b) => b,
        headers: { 'Content-Type': 'text/csv' },
      }),
    ),
  customerTags: (customer_id: string) =>
    data(client.GET('/api/v1/customers/{customer_id}/tags', { params: { path: { customer_id } } })),
  setCustomerTag: (customerId: string, code: string, value: string) =>
    data(client.PUT('/api/v1/customers/{customer_id}/tags/{code}', { ...tag(customerId, code), body: { value } })),
  removeCustomerTag: (customerId: string, code: string) =>
    done(client.DELETE('/api/v1/customers/{customer_id}/tags/{code}', tag(customerId, code))),
  segments: (f: SegmentFilter & PageParams) =>
    data(client.GET('/api/v1/audience-segments', { params: { query: f } })),
  segment: (id: string) => data(client.GET('/api/v1/audience-segments/{id}', path(id))),
  createSegment: (body: SegmentRequest) => data(client.POST('/api/v1/audience-segments', { body })),
  updateSegment: (id: string, body: SegmentUpdate) =>
    data(client.PATCH('/api/v1/audience-segments/{id}', { ...path(id), body })),
  preview: (body: ConditionBody, signal?: AbortSignal) =>
    data(client.POST('/api/v1/audience-segments/preview', { body, signal })),
  previewPortrait: (body: ConditionBody, signal?: AbortSignal) =>
    data(client.POST('/api/v1/audience-segments/preview/portrait', { body, signal })),
  members: (id: string, p: PageParams) =>
    data(client.GET('/api/v1/audience-segments/{id}/members', { params: { path: { id }, query: p } })),
  portrait: (id: string) => data(client.GET('/api/v1/audience-segments/{id}/portrait', path(id))),
  counts: (id: string) => data(client.GET('/api/v1/audience-segments/{id}/counts', path(id))),
  snapshots: (id: string) => data(client.GET('/api/v1/audience-segments/{id}/snapshots', path(id))),
  takeSnapshot: (id: string, name: string) =>
    data(client.POST('/api/v1/audience-segments/{id}/snapshots', { ...path(id), body: { name } })),
  snapshotMembers: (id: string, p: PageParams) =>
    data(client.GET('/api/v1/audience-snapshots/{id}/members', { params: { path: { id }, query: p } })),
};

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
export function useSegments(filter: SegmentFilter) {
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
