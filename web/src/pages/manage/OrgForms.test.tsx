import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { brands, regions, storeSummary, stores } from '../../test/fixtures';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { BrandForm, RegionForm, StoreForm } from './OrgForms';

// The forms round-trip through antd's validation and the fake API; a busy 2-core machine needs longer than 1 s.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

/** pick opens the antd Select with the given test id and clicks an option. */
async function pick(testId: string, option: string) {
  fireEvent.mouseDown(within(screen.getByTestId(testId)).getByRole('combobox'));
  const items = await screen.findAllByTitle(option);
  fireEvent.click(items[items.length - 1]);
}

const problem = (location: string, message: string) => ({
  status: 422,
  body: { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location, message }] },
});

describe('BrandForm', () => {
  it('creates a brand with POST /brands', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({ 'POST /brands': (c) => ({ status: 201, body: { id: 'b9', status: 'active', ...(c.body as object) } }) });
    renderRoute(<BrandForm open onClose={onClose} />);
    type('brand-code', 'NEW');
    type('brand-name', ' 新品牌 ');
    fireEvent.click(screen.getByTestId('brand-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ code: 'NEW', name: '新品牌', status: 'active' });
  });

  it('shows a 422 on the named field and stays open', async () => {
    const onClose = vi.fn();
    fakeApi({ 'POST /brands': () => problem('body.code', 'code HM is taken') });
    renderRoute(<BrandForm open onClose={onClose} />);
    type('brand-code', 'HM');
    type('brand-name', '华联');
    fireEvent.click(screen.getByTestId('brand-form-submit'));
    const msg = await screen.findByText('code HM is taken');
    // The message sits in the code field's item, not in an alert.
    expect(msg.closest('.ant-form-item')?.querySelector('[data-testid="brand-code"]')).not.toBeNull();
    expect(screen.queryByRole('alert', { name: /validation failed/ })).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('disables a brand with a PATCH of only its status', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({ 'PATCH /brands/b1': () => ({ body: { ...brands[0], status: 'inactive' } }) });
    renderRoute(<BrandForm open item={brands[0]} onClose={onClose} />);
    await pick('brand-form', '停用');
    fireEvent.click(screen.getByTestId('brand-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ status: 'inactive' });
  });
});

describe('RegionForm', () => {
  it('renames a region with PATCH /regions/{id}', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({ 'PATCH /regions/r1': () => ({ body: { ...regions[0], name: '华东大区' } }) });
    renderRoute(<RegionForm open item={regions[0]} onClose={onClose} />);
    type('region-name', '华东大区');
    fireEvent.click(screen.getByTestId('region-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: '华东大区' });
  });

  it('puts a 422 on the name field', async () => {
    fakeApi({ 'POST /regions': () => problem('body.name', 'name is too long') });
    renderRoute(<RegionForm open onClose={() => {}} />);
    type('region-code', 'WEST');
    type('region-name', '西区');
    fireEvent.click(screen.getByTestId('region-form-submit'));
    const msg = await screen.findByText('name is too long');
    expect(msg.closest('.ant-form-item')?.querySelector('[data-testid="region-name"]')).not.toBeNull();
  });
});

describe('StoreForm', () => {
  const reference = {
    'GET /me': () => ({ body: meWith(['org:read', 'org:write']) }),
    'GET /brands': () => page(brands),
    'GET /regions': () => page(regions),
    'GET /store-summary': () => ({ body: storeSummary }),
  };

  it('creates a store with POST /stores, defaulting the time zone, and warns about far coordinates', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({
      ...reference,
      'POST /stores': (c) => ({ status: 201, body: { id: 's9', ...(c.body as object) } }),
    });
    renderRoute(<StoreForm open onClose={onClose} />);
    type('store-code', 'SH009');
    type('store-name', '上海静安店');
    await pick('store-brand', '华联超市');
    await pick('store-region', '华东区');
    fireEvent.change(within(screen.getByTestId('store-city')).getByRole('combobox'), { target: { value: '上海' } });
    type('store-latitude', '39.9');
    type('store-longitude', '116.4');
    expect(await screen.findByTestId('store-far-warning')).toBeTruthy();
    type('store-latitude', '31.22');
    type('store-longitude', '121.45');
    await waitFor(() => expect(screen.queryByTestId('store-far-warning')).toBeNull());
    type('store-area', '1500');
    type('store-hours', '07:00-23:00');
    fireEvent.click(screen.getByTestId('store-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      code: 'SH009',
      name: '上海静安店',
      brand_id: 'b1',
      region_id: 'r1',
      format: 'supermarket',
      status: 'open',
      city: '上海',
      latitude: 31.22,
      longitude: 121.45,
      floor_area_m2: 1500,
      opening_hours: '07:00-23:00',
      time_zone: 'Asia/Shanghai',
    });
  });

  it('sends only the changed fields and shows a 422 under the time zone', async () => {
    const calls = fakeApi({ ...reference, 'PATCH /stores/s1': () => problem('body.time_zone', 'unknown time zone Mars/Base') });
    renderRoute(<StoreForm open item={stores[0]} onClose={() => {}} />);
    fireEvent.change(within(screen.getByTestId('store-time-zone')).getByRole('combobox'), { target: { value: 'Mars/Base' } });
    fireEvent.click(screen.getByTestId('store-form-submit'));
    const msg = await screen.findByText('unknown time zone Mars/Base');
    expect(msg.closest('.ant-form-item')?.querySelector('[data-testid="store-time-zone"]')).not.toBeNull();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ time_zone: 'Mars/Base' });
  });

  it('locks the brand, region and code for a store manager', async () => {
    fakeApi({ ...reference, 'GET /me': () => ({ body: { ...meWith(['org:read', 'org:write']), scope_type: 'store', scope_id: 's1' } }) });
    renderRoute(<StoreForm open item={stores[0]} onClose={() => {}} />);
    await waitFor(() => expect((screen.getByTestId('store-code') as HTMLInputElement).disabled).toBe(true));
    expect(screen.getByTestId('store-brand').className).toContain('disabled');
    expect((screen.getByTestId('store-name') as HTMLInputElement).disabled).toBe(false);
  });
});
