// The loyalty API (issue 13): programs, tiers, members' points. Types come straight
// from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { components } from './schema';
import type { Page } from './types';

type S = components['schemas'];
export type LoyaltyProgram = S['ProgramResponse'];
export type LoyaltyProgramRequest = S['ProgramRequest'];
export type LoyaltyTier = S['TierBody'];
export type LoyaltyBalance = S['BalanceResponse'];
export type LoyaltyLot = S['LotResponse'];
export type LoyaltyEntry = S['EntryResponse'];
export type LoyaltyAdjust = S['AdjustBody'];

const id = (v: string) => encodeURIComponent(v);
const member = (programId: string, customerId: string) => `/loyalty/programs/${id(programId)}/members/${id(customerId)}`;

export const loyaltyApi = {
  programs: () => request<{ items: LoyaltyProgram[] }>('GET', '/loyalty/programs'),
  createProgram: (body: LoyaltyProgramRequest) => request<LoyaltyProgram>('POST', '/loyalty/programs', { body }),
  replaceProgram: (programId: string, body: LoyaltyProgramRequest) =>
    request<LoyaltyProgram>('PUT', `/loyalty/programs/${id(programId)}`, { body }),
  createTier: (programId: string, body: LoyaltyTier) => request<LoyaltyTier>('POST', `/loyalty/programs/${id(programId)}/tiers`, { body }),
  deleteTier: (programId: string, tierId: string) =>
    request<void>('DELETE', `/loyalty/programs/${id(programId)}/tiers/${id(tierId)}`),
  balances: (customerId: string) => request<{ items: LoyaltyBalance[] }>('GET', `/loyalty/customers/${id(customerId)}`),
  lots: (programId: string, customerId: string) => request<{ items: LoyaltyLot[] }>('GET', `${member(programId, customerId)}/lots`),
  entries: (programId: string, customerId: string) =>
    request<Page<LoyaltyEntry>>('GET', `${member(programId, customerId)}/entries`, { query: { limit: 20 } }),
  enrol: (programId: string, customerId: string) =>
    request<unknown>('POST', `/loyalty/programs/${id(programId)}/members`, { body: { customer_id: customerId } }),
  adjust: (programId: string, customerId: string, body: LoyaltyAdjust) =>
    request<LoyaltyEntry>('POST', `${member(programId, customerId)}/adjustments`, { body }),
};

/** useLoyaltyPrograms loads every program with its tiers. */
export function useLoyaltyPrograms(enabled = true) {
  return useQuery({ queryKey: ['loyalty', 'programs'], queryFn: loyaltyApi.programs, enabled });
}

/**
 * tierNamesByCode maps tier codes to tier names over every program. Other domains
 * (audiences, exports) carry a member's tier as its code; a code two programs name
 * differently maps to both names.
 */
export function tierNamesByCode(programs: LoyaltyProgram[]): Map<string, string> {
  const names = new Map<string, string[]>();
  for (const tier of programs.flatMap((p) => p.tiers ?? [])) {
    const seen = names.get(tier.code) ?? [];
    if (!seen.includes(tier.name)) names.set(tier.code, [...seen, tier.name]);
  }
  return new Map([...names].map(([code, n]) => [code, n.join(' / ')]));
}

/** useLoyaltyBalances loads a customer's points in every program it is a member of. */
export function useLoyaltyBalances(customerId: string) {
  return useQuery({ queryKey: ['loyalty', 'balances', customerId], queryFn: () => loyaltyApi.balances(customerId) });
}

/** useLoyaltyLedger loads a member's lots and latest postings. */
export function useLoyaltyLedger(programId: string, customerId: string) {
  const lots = useQuery({ queryKey: ['loyalty', 'lots', programId, customerId], queryFn: () => loyaltyApi.lots(programId, customerId) });
  const entries = useQuery({
    queryKey: ['loyalty', 'entries', programId, customerId],
    queryFn: () => loyaltyApi.entries(programId, customerId),
  });
  return { lots, entries };
}

/** useLoyaltyChange runs a change to programs or points and refreshes what loyalty shows. */
export function useLoyaltyChange<A, R>(fn: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['loyalty'] }) });
}

export type PointsReport = S['PointsReportResponse'];
export type CouponFunnel = S['FunnelResponse'];

/** usePointsReport loads the points report of a period (tenant-wide, loyalty:read). */
export function usePointsReport(range: { from: string; to: string }, enabled = true) {
  return useQuery({
    queryKey: ['loyalty', 'reports', 'points', range.from, range.to],
    queryFn: () => request<PointsReport>('GET', '/loyalty/reports/points', { query: { from: range.from, to: range.to } }),
    enabled,
  });
}

/** useCouponFunnel loads the funnel of the coupons issued in a period. */
export function useCouponFunnel(range: { from: string; to: string }, enabled = true) {
  return useQuery({
    queryKey: ['loyalty', 'reports', 'coupons', range.from, range.to],
    queryFn: () => request<CouponFunnel>('GET', '/loyalty/reports/coupons', { query: { from: range.from, to: range.to } }),
    enabled,
  });
}
