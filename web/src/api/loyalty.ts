// The loyalty API (issue 13): programs, tiers, members' points. Types come straight
// from the OpenAPI document (schema.d.ts), so they cannot drift.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data, done } from './client';
import type { components } from './schema';

type S = components['schemas'];
export type LoyaltyProgram = S['ProgramResponse'];
export type LoyaltyProgramRequest = S['ProgramRequest'];
export type LoyaltyTier = S['TierBody'];
export type LoyaltyBalance = S['BalanceResponse'];
export type LoyaltyLot = S['LotResponse'];
export type LoyaltyEntry = S['EntryResponse'];
export type LoyaltyAdjust = S['AdjustBody'];

const member = (id: string, customer_id: string) => ({ params: { path: { id, customer_id } } });

export const loyaltyApi = {
  programs: () => data(client.GET('/api/v1/loyalty/programs')),
  createProgram: (body: LoyaltyProgramRequest) => data(client.POST('/api/v1/loyalty/programs', { body })),
  replaceProgram: (id: string, body: LoyaltyProgramRequest) =>
    data(client.PUT('/api/v1/loyalty/programs/{id}', { params: { path: { id } }, body })),
  createTier: (id: string, body: LoyaltyTier) =>
    data(client.POST('/api/v1/loyalty/programs/{id}/tiers', { params: { path: { id } }, body })),
  deleteTier: (id: string, tierId: string) =>
    done(client.DELETE('/api/v1/loyalty/programs/{id}/tiers/{tier_id}', { params: { path: { id, tier_id: tierId } } })),
  balances: (customer_id: string) =>
    data(client.GET('/api/v1/loyalty/customers/{customer_id}', { params: { path: { customer_id } } })),
  lots: (programId: string, customerId: string) =>
    data(client.GET('/api/v1/loyalty/programs/{id}/members/{customer_id}/lots', member(programId, customerId))),
  entries: (id: string, customer_id: string) =>
    data(
      client.GET('/api/v1/loyalty/programs/{id}/members/{customer_id}/entries', {
        params: { path: { id, customer_id }, query: { limit: 20 } },
      }),
    ),
  enrol: (id: string, customerId: string) =>
    data(client.POST('/api/v1/loyalty/programs/{id}/members', { params: { path: { id } }, body: { customer_id: customerId } })),
  adjust: (programId: string, customerId: string, body: LoyaltyAdjust) =>
    data(
      client.POST('/api/v1/loyalty/programs/{id}/members/{customer_id}/adjustments', { ...member(programId, customerId), body }),
    ),
  pointsReport: (query: { from: string; to: string }) =>
    data(client.GET('/api/v1/loyalty/reports/points', { params: { query } })),
  couponFunnel: (query: { from: string; to: string }) =>
    data(client.GET('/api/v1/loyalty/reports/coupons', { params: { query } })),
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
    queryFn: () => loyaltyApi.pointsReport({ from: range.from, to: range.to }),
    enabled,
  });
}

/** useCouponFunnel loads the funnel of the coupons issued in a period. */
export function useCouponFunnel(range: { from: string; to: string }, enabled = true) {
  return useQuery({
    queryKey: ['loyalty', 'reports', 'coupons', range.from, range.to],
    queryFn: () => loyaltyApi.couponFunnel({ from: range.from, to: range.to }),
    enabled,
  });
}
