// Small, realistic API answers shared by the component tests.
import type { Brand, Category, Region, Store, StoreSummary } from '../api/types';

export const brands: Brand[] = [
  { id: 'b1', code: 'HM', name: '华联超市', status: 'active', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
  { id: 'b2', code: 'QK', name: '快客便利', status: 'active', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
];

export const regions: Region[] = [
  { id: 'r1', code: 'EAST', name: '华东区', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
  { id: 'r2', code: 'NORTH', name: '华北区', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
];

export const stores: Store[] = [
  {
    id: 's1',
    code: 'SH001',
    name: '上海徐汇店',
    brand_id: 'b1',
    region_id: 'r1',
    format: 'supermarket',
    city: '上海',
    address: '漕溪北路 88 号',
    latitude: 31.19,
    longitude: 121.44,
    floor_area_m2: 3200,
    time_zone: 'Asia/Shanghai',
    opening_hours: '08:00-22:00',
    status: 'open',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  },
  {
    id: 's2',
    code: 'BJ001',
    name: '北京国贸店',
    brand_id: 'b2',
    region_id: 'r2',
    format: 'convenience',
    city: '北京',
    address: '建国门外大街 1 号',
    latitude: 39.91,
    longitude: 116.46,
    floor_area_m2: 120,
    time_zone: 'Asia/Shanghai',
    opening_hours: '00:00-24:00',
    status: 'open',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  },
];

export const storeSummary: StoreSummary = {
  total: 2,
  by_format: [
    { key: 'supermarket', count: 1 },
    { key: 'convenience', count: 1 },
  ],
  by_city: [
    { key: '上海', count: 1 },
    { key: '北京', count: 1 },
  ],
  by_region: [
    { key: 'r1', name: '华东区', count: 1 },
    { key: 'r2', name: '华北区', count: 1 },
  ],
  by_brand: [
    { key: 'b1', name: '华联超市', count: 1 },
    { key: 'b2', name: '快客便利', count: 1 },
  ],
};

export const categories: Category[] = [
  { id: 'c1', parent_id: null, code: '01', name: '生鲜', level: 1, sort: 0 },
  { id: 'c2', parent_id: 'c1', code: '0101', name: '水果', level: 2, sort: 0 },
  { id: 'c3', parent_id: null, code: '02', name: '食品', level: 1, sort: 0 },
];

/**
 * storeNamesRoute answers GET /store-names as the server does: the names of the
 * listed stores among list, by id.
 */
export function storeNamesRoute(list: Store[] = stores) {
  return (c: { query: URLSearchParams }) => {
    const ids = (c.query.get('ids') ?? '').split(',');
    return { body: { items: list.filter((s) => ids.includes(s.id)).map((s) => ({ id: s.id, name: s.name })) } };
  };
}
