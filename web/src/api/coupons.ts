// The coupon API (issue 13 scope 4): templates, issuance, customers' coupons. Types
// come straight from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { components } from './schema';
import type { Page } from './types';

type S = components['schemas'];
export type CouponTemplate = S['CouponTemplateResponse'];
export type CouponTemplateRequest = S['CouponTemplateRequest'];
export type CouponIssue = S['CouponIssueResponse'];
export type CouponIssueRequest = S['CouponIssueRequest'];
export type Coupon = S['CouponResponse'];

const id = (v: string) => encodeURIComponent(v);

export const couponApi = {
  templates: () => request<Page<CouponTemplate>>('GET', '/coupon-templates', { query: { limit: 200 } }),
  createTemplate: (body: CouponTemplateRequest) => request<CouponTemplate>('POST', '/coupon-templates', { body }),
  setStatus: (templateId: string, status: 'active' | 'inactive') =>
    request<CouponTemplate>('POST', `/coupon-templates/${id(templateId)}/status`, { body: { status } }),
  issue: (templateId: string, body: CouponIssueRequest) =>
    request<CouponIssue>('POST', `/coupon-templates/${id(templateId)}/issues`, { body }),
  customerCoupons: (customerId: string) =>
    request<Page<Coupon>>('GET', '/coupons', { query: { customer_id: customerId, limit: 100 } }),
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
