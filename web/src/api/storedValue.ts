// Stored value, gift cards and paid membership (issue 13 scope 3). Types come from the
// OpenAPI document (schema.d.ts).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data } from './client';
import type { components } from './schema';

type S = components['schemas'];
export type StoredValue = S['StoredValueResponse'];
export type SVEntry = S['SVEntryResponse'];
export type SVPosting = S['SVPostingBody'];
export type GiftCardBatch = S['GiftCardBatchResponse'];
export type GiftCardBatchBody = S['GiftCardBatchBody'];
export type GiftCard = S['GiftCardResponse'];
export type IssuedBatch = S['IssuedBatchResponse'];
export type Liability = S['LiabilityResponse'];
export type MembershipPlan = S['MembershipPlanBody'];
export type MembershipStatus = S['MembershipStatusResponse'];

const customer = (customer_id: string) => ({ params: { path: { customer_id } } });

export const storedValueApi = {
  storedValue: (customer_id: string) =>
    data(
      client.GET('/api/v1/loyalty/customers/{customer_id}/stored-value', {
        params: { path: { customer_id }, query: { limit: 20 } },
      }),
    ),
  adjust: (customerId: string, body: SVPosting) =>
    data(client.POST('/api/v1/loyalty/customers/{customer_id}/stored-value/adjustments', { ...customer(customerId), body })),
  membership: (customerId: string) =>
    data(client.GET('/api/v1/loyalty/customers/{customer_id}/membership', customer(customerId))),
  batches: () => data(client.GET('/api/v1/loyalty/gift-card-batches')),
  issue: (body: GiftCardBatchBody) => data(client.POST('/api/v1/loyalty/gift-card-batches', { body })),
  cards: (id: string) =>
    data(client.GET('/api/v1/loyalty/gift-card-batches/{id}/cards', { params: { path: { id }, query: { limit: 200 } } })),
  liability: () => data(client.GET('/api/v1/loyalty/stored-value/liability')),
};

/** useStoredValue loads a customer's stored value and its latest postings. */
export function useStoredValue(customerId: string) {
  return useQuery({ queryKey: ['stored-value', 'account', customerId], queryFn: () => storedValueApi.storedValue(customerId) });
}

/** usePaidMembership loads a customer's paid membership. */
export function usePaidMembership(customerId: string) {
  return useQuery({ queryKey: ['stored-value', 'membership', customerId], queryFn: () => storedValueApi.membership(customerId) });
}

/** useGiftCardBatches loads the tenant's gift card batches. */
export function useGiftCardBatches() {
  return useQuery({ queryKey: ['stored-value', 'batches'], queryFn: storedValueApi.batches });
}

/** useGiftCards loads a batch's cards (full codes; loyalty:write). */
export function useGiftCards(batchId: string | null) {
  return useQuery({ queryKey: ['stored-value', 'cards', batchId], queryFn: () => storedValueApi.cards(batchId ?? ''), enabled: !!batchId });
}

/** useLiability loads the stored value the tenant owes. */
export function useLiability(enabled = true) {
  return useQuery({ queryKey: ['stored-value', 'liability'], queryFn: storedValueApi.liability, enabled });
}

/** useStoredValueChange runs a change and refreshes what stored value shows. */
export function useStoredValueChange<A, R>(fn: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['stored-value'] }) });
}
