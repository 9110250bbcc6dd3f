// The coupon anti-abuse API (issue 13 scope 4): velocity rules per device, address,
// phone and payment account, and the flags they raise for review. Types come straight
// from the OpenAPI document (schema.d.ts).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data, done } from './client';
import type { components } from './schema';

type S = components['schemas'];
export type VelocityRule = S['CouponVelocityRuleResponse'];
export type VelocityRuleRequest = S['CouponVelocityRuleRequest'];
export type VelocityFlag = S['CouponVelocityFlagResponse'];
export type FlagStatus = VelocityFlag['status'];
export type Dimension = VelocityRule['dimension'];
export type FlagQuery = { status?: FlagStatus; template_id?: string; dimension?: Dimension; cursor?: string };

export const dimensions: Dimension[] = ['device', 'address', 'phone', 'payment_account'];

export const couponGuardApi = {
  rules: () => data(client.GET('/api/v1/coupon-velocity-rules')),
  setRule: (body: VelocityRuleRequest) => data(client.PUT('/api/v1/coupon-velocity-rules', { body })),
  deleteRule: (id: string) => done(client.DELETE('/api/v1/coupon-velocity-rules/{id}', { params: { path: { id } } })),
  flags: (q: FlagQuery) => data(client.GET('/api/v1/coupon-velocity-flags', { params: { query: { ...q, limit: 50 } } })),
  review: (id: string, status: 'dismissed' | 'confirmed', note?: string) =>
    data(client.POST('/api/v1/coupon-velocity-flags/{id}/review', { params: { path: { id } }, body: { status, note } })),
};

/** useVelocityRules loads the tenant's velocity rules. */
export function useVelocityRules() {
  return useQuery({ queryKey: ['couponGuard', 'rules'], queryFn: couponGuardApi.rules });
}

/** useVelocityFlags loads a page of flags. */
export function useVelocityFlags(q: FlagQuery) {
  return useQuery({ queryKey: ['couponGuard', 'flags', q], queryFn: () => couponGuardApi.flags(q) });
}

/** useCouponGuardChange runs a change to rules or flags and refreshes both. */
export function useCouponGuardChange<A, R>(fn: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['couponGuard'] }) });
}
