// Realistic customer API answers shared by the customer page tests.
import type { Customer, CustomerEvent, CustomerSummary, IdentityReview, Me } from '../../api/types';

/** meWith is the signed-in user holding the given scopes. */
export function meWith(scopes: string[]): Me {
  return {
    id: 'u1',
    kind: 'user',
    tenant_id: 't1',
    login: 'marketer',
    name: '李娜',
    role: 'marketer',
    scope_type: 'tenant',
    scope_id: '',
    must_change_password: false,
    scopes,
  };
}

export const summaries: CustomerSummary[] = [
  {
    id: 'c1',
    name: '王**',
    phone: '138****8000',
    city: '上海',
    registration_channel: 'wechat_mini_program',
    last_seen_at: '2026-11-20T03:04:05Z',
    event_count: 42,
    status: 'active',
    masked: true,
  },
  {
    id: 'c2',
    name: '王**',
    phone: '139****9000',
    city: '北京',
    registration_channel: 'pos',
    last_seen_at: '2026-11-01T03:04:05Z',
    event_count: 3,
    status: 'active',
    masked: true,
  },
];

export const customer: Customer = {
  id: 'c1',
  status: 'active',
  first_seen_at: '2026-10-01T02:00:00Z',
  last_seen_at: '2026-11-20T03:04:05Z',
  event_count: 42,
  created_at: '2026-10-01T02:00:00Z',
  updated_at: '2026-11-20T03:04:05Z',
  masked: true,
  identifiers: [
    { type: 'phone', value: '138****8000', strength: 'strong', created_at: '2026-10-01T02:00:00Z' },
    { type: 'wechat_unionid', value: 'oU-union-1', strength: 'strong', created_at: '2026-10-02T02:00:00Z' },
    { type: 'wechat_openid', value: 'oP-open-1', strength: 'medium', created_at: '2026-10-02T02:00:00Z' },
    { type: 'device_id', value: 'dev-77', strength: 'weak', created_at: '2026-10-03T02:00:00Z' },
  ],
  profile: {
    name: '王**',
    gender: 'female',
    birthday: '1990-**-**',
    city: '上海',
    address: '上海市****',
    preferred_store_id: '',
    registration_channel: 'wechat_mini_program',
    registered_at: '2026-10-01T02:00:00Z',
  },
  consents: [
    { purpose: 'marketing', channel: 'sms', granted: true, source: 'POS-SH001-01', updated_at: '2026-10-05T02:00:00Z' },
    { purpose: 'marketing', channel: 'wechat', granted: false, source: 'console', updated_at: '2026-10-06T02:00:00Z' },
  ],
  slots: { orders: null, points: null, coupons: null, tags: [], associate: null },
};

/** event makes a timeline event. */
export function event(id: string, type: string, occurredAt: string, properties?: Record<string, unknown>): CustomerEvent {
  return {
    id,
    type,
    touchpoint_id: 'tp1',
    occurred_at: occurredAt,
    received_at: occurredAt,
    identifiers: { phone: '138****8000' },
    masked: true,
    properties,
  };
}

export const reviews: IdentityReview[] = [
  {
    id: 'r1',
    event_id: 'e9',
    customer_id: 'c1',
    candidates: ['c1', 'c2'],
    reason: 'would hold 3 phone identifiers (at most 2 allowed)',
    reasons: [{ code: 'type_limit', type: 'phone', count: 3, limit: 2 }],
    left: 'c1',
    right: ['c2'],
    score: null,
    explanation: null,
    status: 'open',
    created_at: '2026-11-20T03:04:05Z',
    resolved_at: null,
    resolution: null,
  },
  {
    id: 'r2',
    event_id: 'e10',
    customer_id: 'c3',
    candidates: ['c3', 'c4'],
    reason: 'same name and birthday',
    reasons: [{ code: 'fuzzy_match', score: 0.87 }],
    left: 'c3',
    right: ['c4'],
    score: 0.87,
    explanation: null,
    status: 'open',
    created_at: '2026-11-21T03:04:05Z',
    resolved_at: null,
    resolution: null,
  },
];
