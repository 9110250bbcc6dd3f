// Realistic audience API answers shared by the audience page tests.
import type { AudienceTag, Portrait, Segment } from '../../api/audiences';

export const tagVip: AudienceTag = {
  id: 't1',
  code: 'vip',
  name: '高价值会员',
  group: '价值分层',
  kind: 'rule',
  value_type: 'boolean',
  enum_values: [],
  expression: 'orders(90d) >= 3 and spend(90d) > 600',
  description: '',
  status: 'active',
  customers: 1234,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
};

export const tagLayer: AudienceTag = {
  ...tagVip,
  id: 't2',
  code: 'layer',
  name: '生命周期',
  group: '偏好',
  kind: 'imported',
  value_type: 'enum',
  enum_values: ['新客', '成长', '成熟'],
  expression: undefined,
  customers: 56,
};

export const tagNote: AudienceTag = {
  ...tagVip,
  id: 't3',
  code: 'note',
  name: '重点关注',
  group: '',
  kind: 'manual',
  value_type: 'boolean',
  expression: undefined,
  customers: 3,
};

export const segment: Segment = {
  id: 's1',
  code: 'mums',
  name: '母婴高潜',
  description: '近 90 天买过奶粉',
  definition: { op: 'and', conditions: [{ op: 'in', field: 'bought_category:90d', values: ['infant_formula'] }, { op: '>=', field: 'orders:90d', value: 2 }] },
  text: 'bought("infant_formula", 90d) and orders(90d) >= 2',
  status: 'active',
  count: 4321,
  counted_at: '2026-12-07T02:00:00Z',
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
};

const cities = ['上海', '北京', '广州', '深圳', '杭州', '南京', '苏州', '成都', '武汉', '西安', '重庆', '天津', '长沙', '郑州', '青岛', '宁波', '厦门', '合肥', '福州', '济南', '昆明'];

export const portrait: Portrait = {
  segment: 400,
  base: 10000,
  dimensions: [
    {
      field: 'gender',
      buckets: [
        { value: 'female', segment: 300, base: 5000, index: 150 },
        { value: 'male', segment: 100, base: 5000, index: 50 },
      ],
    },
    { field: 'city', buckets: cities.map((c, i) => ({ value: c, segment: 20, base: 500 - i * 10, index: 100 + i })) },
    { field: 'age', buckets: [{ value: '25-34', segment: 200, base: 3000, index: 166.7 }] },
  ],
};
