// The coupon anti-abuse API (issue 13 scope 4): velocity rules per device, address,
// phone and payment account, and the flags they raise for review. Types come straight
// from the OpenAPI document (schema.d.ts).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { components } from './schema';
import type { Page } from './types';

type S = components['schemas'];
export type VelocityRule = S['CouponVelocityRuleResponse'];
export type VelocityRuleRequest = S['CouponVelocityRuleRequest'];
export type VelocityFlag = S['CouponVelocityFlagResponse'];
export type FlagStatus = VelocityFlag['status'];
export type Dimension = VelocityRule['dimension'];

export const dimensions: Dimension[] = ['device', 'address', 'phone', 'payment_account'];

const id = (v: string) => encodeURIComponent(v);

export const couponGuardApi = {
  rules: () => request<{ items: VelocityRule[] }>('GET', '/coupon-velocity-rules'),
  setRule: (body: VelocityRuleRequest) => request<VelocityRule>('PUT', '/coupon-velocity-rules', { body }),
  deleteRule: (ruleId: string) => request<void>('DELETE', `/coupon-velocity-rules/${id(ruleId)}`),
  flags: (q: { status?: FlagStatus; template_id?: string; dimension?: Dimension; cursor?: string }) =>
    request<Page<VelocityFlag>>('GET', '/coupon-velocity-flags', { query: { ...q, limit: 50 } }),
  review: (flagId: string, status: 'dismissed' | 'confirmed', note?: string) =>
    request<VelocityFlag>('POST', `/coupon-velocity-flags/${id(flagId)}/review`, { body: { status, note } }),
};

/** useVelocityRules loads the tenant's velocity rules. */
export function useVelocityRules() {
  return useQuery({ queryKey: ['couponGuard', 'rules'], queryFn: couponGuardApi.rules });
}

/** useVelocityFlags loads a page of flags. */
export function useVelocityFlags(q: { status?: FlagStatus; template_id?: string; dimension?: Dimension; cursor?: string }) {
  return useQuery({ queryKey: ['couponGuard', 'flags', q], queryFn: () => couponGuardApi.flags(q) });
}

/** useCouponGuardChange runs a change to rules or flags and refreshes both. */
export function useCouponGuardChange<A, R>(fn: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['couponGuard'] }) });
}
