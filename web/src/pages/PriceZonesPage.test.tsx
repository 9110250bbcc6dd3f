import { configure, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeNamesRoute, stores } from '../test/fixtures';
import { fakeApi, page, renderRoute } from '../test/render';
import { meWith } from './customers/fixtures';
import PriceZonesPage from './PriceZonesPage';

// The names arrive after the zones and the signed-in user: a busy 2-core machine needs longer than 1 s.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('PriceZonesPage', () => {
  it('names the stores its rows show through store-names, without reading the store list', async () => {
    const many = Array.from({ length: 9 }, (_, i) => `x${i}`);
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'catalog:read']) }),
      'GET /price-zones': () =>
        page([
          { id: 'z1', code: 'EAST', name: '华东价', store_ids: ['s1'] },
          { id: 'z2', code: 'NORTH', name: '华北价', store_ids: ['s2', ...many] },
        ]),
      'GET /store-names': storeNamesRoute(stores),
    });
    renderRoute(<PriceZonesPage />);
    expect(await screen.findByText('上海徐汇店')).toBeTruthy();
    expect(screen.getByText('北京国贸店')).toBeTruthy();
    // The second zone shows six stores (unknown ids as they are) and counts the other four.
    expect(screen.getByText('+4')).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.path === '/store-names')).toBe(true));
    const asked = calls.filter((c) => c.path === '/store-names').flatMap((c) => c.query.get('ids')!.split(','));
    expect(asked.sort()).toEqual(['s1', 's2', 'x0', 'x1', 'x2', 'x3', 'x4'].sort());
    expect(calls.some((c) => c.path === '/stores')).toBe(false);
  });
});
