import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../test/render';
import { ApiError, buildQuery } from './client';
import { api, fetchAll } from './index';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('buildQuery', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(buildQuery({ q: '苹果 汁', limit: 20, cursor: undefined, city: '', region_id: null })).toBe(
      '?q=%E8%8B%B9%E6%9E%9C+%E6%B1%81&limit=20',
    );
    expect(buildQuery({})).toBe('');
    expect(buildQuery(undefined)).toBe('');
  });
});

describe('request', () => {
  it('sends JSON with the session cookie and decodes the answer', async () => {
    const calls = fakeApi({
      'POST /auth/login': () => ({ body: { token: 't', expires_at: '2030-01-01T00:00:00Z', user: { id: 'u1' } } }),
    });
    const res = await api.login({ login: 'admin', password: 'x' });
    expect(res.user.id).toBe('u1');
    expect(calls[0].body).toEqual({ login: 'admin', password: 'x' });
    const req = vi.mocked(fetch).mock.calls[0][0] as Request;
    expect(req.credentials).toBe('same-origin');
    expect(req.headers.get('Content-Type')).toBe('application/json');
    expect(req.headers.get('Accept')).toBe('application/json, application/problem+json');
  });

  it('turns problem+json into an ApiError with detail and field messages', async () => {
    fakeApi({
      'POST /users': () => ({
        status: 422,
        body: {
          title: 'Unprocessable Entity',
          status: 422,
          detail: 'validation failed',
          errors: [{ message: 'expected length >= 8', location: 'body.password', value: 'x' }],
        },
      }),
    });
    const err = await api
      .createUser({ login: 'a', name: 'b', password: 'x', role: 'associate', scope_type: 'tenant' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).message).toBe('validation failed');
    expect((err as ApiError).details).toEqual(['body.password: expected length >= 8']);
  });

  it('resolves 204 to undefined', async () => {
    fakeApi({ 'DELETE /api-keys/k1': () => ({ status: 204 }) });
    await expect(api.revokeApiKey('k1')).resolves.toBeUndefined();
  });

  it('reads Retry-After of a 429 into the ApiError', async () => {
    fakeApi({
      'GET /me': () => ({
        status: 429,
        body: { type: 'urn:oneretail:problem:rate_limited', title: 'Too Many Requests', status: 429 },
        headers: { 'Retry-After': '7' },
      }),
    });
    const err = await api.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).retryAfter).toBe(7);
    expect((err as ApiError).problemType).toBe('rate_limited');
  });

  it('sends path parameters encoded and leaves empty filters out of the query', async () => {
    const calls = fakeApi({
      'GET /stores/a%2Fb': () => ({ body: { id: 'a/b' } }),
      'GET /stores': () => ({ body: { items: [] } }),
    });
    await api.store('a/b');
    await api.stores({ city: '', q: '店', limit: 20 });
    expect(calls[0].path).toBe('/stores/a%2Fb');
    expect([...calls[1].query.entries()]).toEqual([
      ['q', '店'],
      ['limit', '20'],
    ]);
  });

  it('falls back to the status text when the body is not a problem', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('boom', { status: 502, statusText: 'Bad Gateway' })));
    await expect(api.me()).rejects.toMatchObject({ status: 502, message: 'Bad Gateway' });
  });
});

describe('fetchAll', () => {
  it('follows next_cursor to the end', async () => {
    const calls = fakeApi({
      'GET /regions': (c) =>
        c.query.get('cursor') === 'p2'
          ? { body: { items: [{ id: 'r3' }], next_cursor: '' } }
          : { body: { items: [{ id: 'r1' }, { id: 'r2' }], next_cursor: 'p2' } },
    });
    const all = await fetchAll(api.regions);
    expect(all.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(calls.map((c) => c.query.get('cursor'))).toEqual([null, 'p2']);
  });
});
