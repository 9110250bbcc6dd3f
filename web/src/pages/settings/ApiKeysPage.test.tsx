import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import ApiKeysPage from './ApiKeysPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ApiKeysPage', () => {
  it('creates a key and shows its secret once', async () => {
    const calls = fakeApi({
      'GET /api-keys': () =>
        page([{ id: 'k0', name: 'POS 同步', prefix: 'or_live_ab', scopes: ['org:read'], created_at: '2025-01-02T03:04:05Z' }]),
      'POST /api-keys': (c) => ({
        status: 201,
        body: {
          id: 'k1',
          name: (c.body as { name: string }).name,
          prefix: 'or_live_cd',
          scopes: (c.body as { scopes: string[] }).scopes,
          created_at: '2025-01-02T03:04:05Z',
          secret: 'or_live_cdSECRETSECRET',
        },
      }),
    });
    renderRoute(<ApiKeysPage />);
    expect(await screen.findByText('POS 同步')).toBeTruthy();

    fireEvent.click(screen.getByTestId('api-key-create'));
    fireEvent.change(await screen.findByTestId('api-key-name'), { target: { value: 'ERP' } });
    fireEvent.click(screen.getByText('catalog:read'));
    fireEvent.click(screen.getByTestId('api-key-submit'));

    const secret = await screen.findByTestId('api-key-secret');
    expect(secret.textContent).toBe('or_live_cdSECRETSECRET');
    expect(screen.getByText(/这是唯一一次显示该密钥/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'ERP', scopes: ['catalog:read'] });

    fireEvent.click(screen.getByTestId('api-key-secret-close'));
    await waitFor(() => expect(screen.queryByText('or_live_cdSECRETSECRET')).toBeNull());
  });

  it('revokes a key after confirmation', async () => {
    const calls = fakeApi({
      'GET /api-keys': () =>
        page([{ id: 'k0', name: 'POS', prefix: 'or_live_ab', scopes: [], created_at: '2025-01-02T03:04:05Z' }]),
      'DELETE /api-keys/k0': () => ({ status: 204 }),
    });
    renderRoute(<ApiKeysPage />);
    fireEvent.click(await screen.findByTestId('api-key-revoke'));
    const confirm = await screen.findByRole('tooltip');
    fireEvent.click(within(confirm).getByRole('button', { name: '吊 销' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api-keys/k0')).toBe(true));
  });

  it('shows who made each key and which scopes are suspended', async () => {
    fakeApi({
      'GET /api-keys': () =>
        page([
          {
            id: 'k1',
            name: 'CRM 导出',
            prefix: 'or_live_ab',
            scopes: ['customers:read', 'customers:pii'],
            effective_scopes: ['customers:read'],
            suspended_scopes: ['customers:pii'],
            suspended_reason: 'creator_lacks_scopes',
            created_by: { kind: 'user', id: 'u1', login: 'wang', name: '王经理' },
            created_at: '2025-01-02T03:04:05Z',
            last_used_at: '2025-01-03T03:04:05Z',
          },
          {
            id: 'k2',
            name: '旧密钥',
            prefix: 'or_live_cd',
            scopes: ['org:read'],
            effective_scopes: [],
            suspended_scopes: ['org:read'],
            suspended_reason: 'creator_disabled',
            created_by: { kind: 'user', id: 'u2', login: 'li', name: '李' },
            created_at: '2025-01-02T03:04:05Z',
          },
          {
            id: 'k3',
            name: 'POS',
            prefix: 'or_live_ef',
            scopes: ['org:read'],
            effective_scopes: ['org:read'],
            suspended_scopes: [],
            created_by: { kind: 'system', id: 'system' },
            created_at: '2025-01-02T03:04:05Z',
          },
        ]),
    });
    renderRoute(<ApiKeysPage />);
    expect(await screen.findByText('CRM 导出')).toBeTruthy();
    expect(screen.getAllByTestId('api-key-creator').map((e) => e.textContent)).toEqual([
      '王经理 (wang)',
      '李 (li)',
      '平台（命令行或演示数据）',
    ]);
    expect(screen.getAllByTestId('api-key-suspended-scope').map((e) => e.textContent)).toEqual(['customers:pii', 'org:read']);
    expect(screen.getAllByTestId('api-key-suspended').map((e) => e.textContent)).toEqual(['部分暂停', '已暂停']);
    expect(screen.getAllByText('从未使用')).toHaveLength(2);
  });
});
