import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { brands, regions, storeSummary } from '../test/fixtures';
import { fakeApi, page, renderRoute } from '../test/render';
import BrandsRegionsPage from './BrandsRegionsPage';
import { meWith } from './customers/fixtures';

configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

const summary = { ...storeSummary, by_region: [{ key: 'r1', name: '华东区', count: 1 }] };

describe('BrandsRegionsPage', () => {
  it('offers no create or edit buttons without org:write', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['org:read']) }),
      'GET /brands': () => page(brands),
      'GET /regions': () => page(regions),
      'GET /store-summary': () => ({ body: summary }),
    });
    renderRoute(<BrandsRegionsPage />);
    expect(await screen.findByText('华联超市')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByText('华东区').length).toBeGreaterThan(0));
    expect(screen.queryByTestId('new-brand')).toBeNull();
    expect(screen.queryByTestId('edit-region')).toBeNull();
  });

  it('opens the brand form from the header and deletes an unused region', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'org:write']) }),
      'GET /brands': () => page(brands),
      'GET /regions': () => page(regions),
      'GET /store-summary': () => ({ body: summary }),
      'DELETE /regions/r2': () => ({ status: 204 }),
    });
    renderRoute(<BrandsRegionsPage />);
    fireEvent.click(await screen.findByTestId('new-brand'));
    expect(await screen.findByTestId('brand-code')).toBeTruthy();

    // 华东区 has a store: its delete is disabled; 华北区 has none.
    const buttons = await screen.findAllByTestId('delete-region');
    expect(buttons.map((b) => (b as HTMLButtonElement).disabled)).toEqual([true, false]);
    fireEvent.click(buttons[1]);
    fireEvent.click(await screen.findByTestId('delete-region-confirm'));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/regions/r2')).toBe(true));
    expect(within(screen.getByTestId('regions-table')).getByText('华北区')).toBeTruthy();
  });
});
