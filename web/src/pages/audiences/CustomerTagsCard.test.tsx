import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppLayout } from '../../components/AppLayout';
import { createQueryClient, Providers } from '../../providers';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { CustomerTagsCard } from './CustomerTagsCard';
import { tagLayer, tagNote, tagVip } from './fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };

const values = [
  { tag_id: 't1', tag_code: 'vip', tag_name: '高价值会员', value_type: 'boolean', value: 'true', source: 'rule', updated_at: '2026-12-01T00:00:00Z' },
  {
    tag_id: 't3',
    tag_code: 'note',
    tag_name: '重点关注',
    value_type: 'boolean',
    value: 'true',
    source: 'user:6a0e2f4c-1111-4a2b-9c3d-123456789abc',
    updated_at: '2026-12-02T00:00:00Z',
  },
];

describe('CustomerTagsCard', { timeout: 60_000 }, () => {
  it('lists a customer’s tags with their source, sets an enum tag and removes a manual one', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['audiences:read', 'audiences:write']) }),
      'GET /customers/c1/tags': () => ({ body: { items: values } }),
      'GET /audience-tags': () => page([tagVip, tagLayer, tagNote]),
      'PUT /customers/c1/tags/layer': () => ({ body: { ...values[0], tag_code: 'layer', value: '成长' } }),
      'DELETE /customers/c1/tags/note': () => ({ status: 204 }),
    });
    renderRoute(<CustomerTagsCard customerId="c1" canWrite />);
    const card = await screen.findByTestId('customer-tags', undefined, T);
    await within(card).findByText('高价值会员', undefined, T);
    expect(within(card).getByText('规则计算')).toBeTruthy();
    expect(within(card).getByText('手工设置')).toBeTruthy();
    expect(card.textContent).not.toContain('6a0e2f4c');
    // Rule tags are written by their rule: only the manual one can be removed.
    await within(card).findByTestId('customer-tag-remove-note', undefined, T);
    expect(within(card).queryByTestId('customer-tag-remove-vip')).toBeNull();

    fireEvent.click(screen.getByTestId('customer-tag-add'));
    fireEvent.mouseDown(within(await screen.findByTestId('customer-tag-pick', undefined, T)).getByRole('combobox'));
    // Only manual and imported tags are offered.
    expect(screen.queryAllByTitle('价值分层 · 高价值会员')).toHaveLength(0);
    fireEvent.click((await screen.findAllByTitle('偏好 · 生命周期', undefined, T)).at(-1)!);
    fireEvent.mouseDown(within(await screen.findByTestId('customer-tag-value', undefined, T)).getByRole('combobox'));
    fireEvent.click((await screen.findAllByTitle('成长', undefined, T)).at(-1)!);
    fireEvent.click(screen.getByTestId('customer-tag-save'));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ value: '成长' }), T);

    fireEvent.click(within(card).getByTestId('customer-tag-remove-note'));
    const confirm = await screen.findAllByRole('button', { name: /确\s*定|OK/ }, T);
    fireEvent.click(confirm[confirm.length - 1]);
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/customers/c1/tags/note')).toBe(true), T);
  });

  it('offers no changes without audiences:write', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['audiences:read']) }),
      'GET /customers/c1/tags': () => ({ body: { items: values } }),
    });
    renderRoute(<CustomerTagsCard customerId="c1" canWrite={false} />);
    await screen.findByText('重点关注', undefined, T);
    expect(screen.queryByTestId('customer-tag-add')).toBeNull();
    expect(screen.queryByTestId('customer-tag-remove-note')).toBeNull();
  });
});

describe('the Audiences menu', { timeout: 60_000 }, () => {
  function shell() {
    const router = createMemoryRouter([{ path: '/', element: <AppLayout />, children: [{ path: 'overview', element: <div>overview</div> }] }], {
      initialEntries: ['/overview'],
    });
    const client = createQueryClient(() => undefined);
    client.setDefaultOptions({ queries: { retry: false } });
    render(
      <Providers client={client}>
        <RouterProvider router={router} />
      </Providers>,
    );
  }

  it('shows the group to users with audiences:read only', async () => {
    fakeApi({ 'GET /me': () => ({ body: meWith(['audiences:read']) }) });
    shell();
    await screen.findByText('标签库', undefined, T);
    expect(screen.getByText('人群圈选')).toBeTruthy();
    expect(screen.getByText('人群列表')).toBeTruthy();
  });

  it('hides it from the others', async () => {
    fakeApi({ 'GET /me': () => ({ body: meWith(['customers:read']) }) });
    shell();
    await screen.findByText('overview', undefined, T);
    expect(screen.queryByText('标签库')).toBeNull();
    expect(screen.queryByText('人群列表')).toBeNull();
  });
});
