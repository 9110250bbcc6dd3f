import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { brands, regions, storeSummary, stores } from '../test/fixtures';
import { fakeApi, page, renderRoute } from '../test/render';
import StoresPage, { topCounts } from './StoresPage';

/** storeMap is the server's map of the two stores: one cell each. */
const storeMap = {
  cells: stores.map((s) => ({ format: s.format, city: s.city, name: s.name, latitude: s.latitude!, longitude: s.longitude!, count: 1 })),
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('StoresPage', () => {
  it('lists stores, draws the charts as SVG and opens a store', async () => {
    const calls = fakeApi({
      'GET /brands': () => page(brands),
      'GET /regions': () => page(regions),
      'GET /store-summary': () => ({ body: storeSummary }),
      'GET /store-map': () => ({ body: storeMap }),
      'GET /stores': (c) => page(stores.filter((s) => !c.query.get('region_id') || s.region_id === c.query.get('region_id'))),
      'GET /stores/s1': () => ({ body: stores[0] }),
    });
    renderRoute(<StoresPage />);

    expect(await screen.findByText('上海徐汇店')).toBeTruthy();
    expect(screen.getByText('北京国贸店')).toBeTruthy();
    expect(await screen.findAllByText('华东区')).not.toHaveLength(0);
    expect(screen.getAllByText('便利店').length).toBeGreaterThan(0);

    for (const id of ['chart-stores-format', 'chart-stores-city', 'chart-stores-map']) {
      await waitFor(() => expect(screen.getByTestId(id).querySelector('svg')).not.toBeNull());
    }

    fireEvent.click(screen.getByText('上海徐汇店'));
    expect(await screen.findByText('漕溪北路 88 号')).toBeTruthy();
    expect(screen.getByText('08:00-22:00')).toBeTruthy();

    // The region tags filter the list.
    fireEvent.click(screen.getByText('华北区 (1)'));
    await waitFor(() => expect(calls.some((c) => c.path === '/stores' && c.query.get('region_id') === 'r2')).toBe(true));
  });

  it('shows the total and jumps to a page without reading the pages before it', async () => {
    const calls = fakeApi({
      'GET /brands': () => page(brands),
      'GET /regions': () => page(regions),
      'GET /store-summary': () => ({ body: { ...storeSummary, total: 1_200 } }),
      'GET /store-map': () => ({ body: storeMap }),
      'GET /stores': (c) => page(c.query.get('page') === '24' ? [stores[1]] : [stores[0]]),
    });
    renderRoute(<StoresPage />);
    expect(await screen.findByText('共 1200 家门店')).toBeTruthy();
    expect(await screen.findByText('第 1–50 家，共 1200 家')).toBeTruthy();
    fireEvent.click(await screen.findByTitle('24'));
    expect(await screen.findByText('北京国贸店')).toBeTruthy();
    const pages = calls.filter((c) => c.path === '/stores').map((c) => c.query.get('page'));
    expect(pages).toEqual(['1', '24']);
    expect(calls.every((c) => !c.query.get('cursor'))).toBe(true);
  });
});

describe('topCounts', () => {
  it('keeps the largest counts and sums the rest as others', () => {
    const cities = [
      { key: '上海', count: 5 },
      { key: '杭州', count: 9 },
      { key: '南京', count: 2 },
      { key: '苏州', count: 1 },
    ];
    expect(topCounts(cities, 2, 'others')).toEqual([
      { key: '杭州', count: 9 },
      { key: '上海', count: 5 },
      { key: 'others', count: 3 },
    ]);
    expect(topCounts(cities.slice(0, 2), 2, 'others')).toHaveLength(2);
  });
});
