// The coupon API (issue 13 scope 4): templates, issuance, customers' coupons. Types
// come straight from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data } from './client';
import type { components } from './schema';

type S = components['schemas'];
export type CouponTemplate = S['CouponTemplateResponse'];
export type CouponTemplateRequest = S['CouponTemplateRequest'];
export type CouponIssue = S['CouponIssueResponse'];
export type CouponIssueRequest = S['CouponIssueRequest'];
export type Coupon = S['CouponResponse'];
export type CouponTrigger = NonNullable<CouponTemplateRequest['triggers']>[number];

/** couponTriggers are the events that can issue a template by themselves. */
export const couponTriggers: CouponTrigger[] = ['registration', 'birthday', 'first_order'];

export const couponApi = {
  templates: () => data(client.GET('/api/v1/coupon-templates', { params: { query: { limit: 200 } } })),
  createTemplate: (body: CouponTemplateRequest) => data(client.POST('/api/v1/coupon-templates', { body })),
  setStatus: (id: string, status: 'active' | 'inactive') =>
    data(client.POST('/api/v1/coupon-templates/{id}/status', { params: { path: { id } }, body: { status } })),
  setTriggers: (id: string, triggers: CouponTrigger[]) =>
    data(client.PUT('/api/v1/coupon-templates/{id}/triggers', { params: { path: { id } }, body: { triggers } })),
  issue: (id: string, body: CouponIssueRequest) =>
    data(client.POST('/api/v1/coupon-templates/{id}/issues', { params: { path: { id } }, body })),
  customerCoupons: (customerId: string) =>
    data(client.GET('/api/v1/coupons', { params: { query: { customer_id: customerId, limit: 100 } } })),
};

/** useCouponTemplates loads the coupon templates. */
export function useCouponTemplates() {
  return useQuery({ queryKey: ['coupons', 'templates'], queryFn: couponApi.templates });
}

/** useCustomerCoupons loads a customer's coupons. */
export function useCustomerCoupons(customerId: string) {
  return useQuery({ queryKey: ['coupons', 'customer', customerId], queryFn: () => couponApi.customerCoupons(customerId) });
}

/** useCouponChange runs a change to templates or coupons and refreshes what coupons show. */
export function useCouponChange<A, R>(fn: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['coupons'] }) });
}
