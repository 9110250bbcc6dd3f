import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import dayjs from 'dayjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Touchpoint } from '../api/types';
import { stores } from '../test/fixtures';
import { fakeApi, page, renderRoute } from '../test/render';
import TouchpointsPage, { eventsByChannel } from './TouchpointsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const touchpoints: Touchpoint[] = [
  {
    id: 'tp1',
    code: 'POS-SH001-01',
    name: '徐汇店 1 号收银台',
    type: 'offline',
    channel: 'pos',
    store_id: 's1',
    status: 'active',
    health: { events_today: 120, rejected_today: 3, last_seen_at: dayjs().subtract(5, 'minute').toISOString() },
    created_at: '2026-01-02T03:04:05Z',
    updated_at: '2026-01-02T03:04:05Z',
  },
  {
    id: 'tp2',
    code: 'MINI',
    name: '会员小程序',
    type: 'online',
    channel: 'wechat_mini_program',
    status: 'disabled',
    health: { events_today: 0, rejected_today: 0 },
    created_at: '2026-01-02T03:04:05Z',
    updated_at: '2026-01-02T03:04:05Z',
  },
];

/** pick opens the antd Select with the given test id and clicks an option. */
async function pick(testId: string, option: string) {
  const select = screen.getByTestId(testId);
  fireEvent.mouseDown(within(select).getByRole('combobox'));
  const items = await screen.findAllByTitle(option);
  fireEvent.click(items[items.length - 1]);
}

describe('TouchpointsPage', () => {
  it('lists touchpoints with their health, charts events by channel and filters', async () => {
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /touchpoints': (c) => page(touchpoints.filter((tp) => !c.query.get('status') || tp.status === c.query.get('status'))),
    });
    renderRoute(<TouchpointsPage />);

    expect(await screen.findByText('POS-SH001-01')).toBeTruthy();
    expect(screen.getByText('会员小程序')).toBeTruthy();
    // Store name, translated type/channel/status, today's counters and relative time.
    const table = within(screen.getByTestId('touchpoints-table'));
    expect(await table.findByText('上海徐汇店')).toBeTruthy();
    expect(table.getByText('微信小程序')).toBeTruthy();
    expect(table.getByText('线下')).toBeTruthy();
    expect(table.getByText('已禁用')).toBeTruthy();
    expect(table.getByText('120')).toBeTruthy();
    expect(table.getByText('3')).toBeTruthy();
    expect(table.getByTestId('touchpoint-last-seen').textContent).toBe('5 分钟前');
    expect(table.getByText('从未上报')).toBeTruthy();

    await waitFor(() => expect(screen.getByTestId('chart-touchpoints-channel').querySelector('svg')).not.toBeNull());

    await pick('touchpoint-filter-status', '已禁用');
    await waitFor(() =>
      expect(calls.some((c) => c.path === '/touchpoints' && c.query.get('status') === 'disabled')).toBe(true),
    );
    await waitFor(() => expect(screen.queryByText('POS-SH001-01')).toBeNull());
  });

  it('asks for the next page with the cursor', async () => {
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /touchpoints': (c) =>
        c.query.get('limit') === '50'
          ? c.query.get('cursor') === 'next'
            ? page([touchpoints[1]])
            : page([touchpoints[0]], 'next')
          : page(touchpoints),
    });
    renderRoute(<TouchpointsPage />);
    fireEvent.click(await screen.findByTestId('load-more'));
    expect(await screen.findByText('MINI')).toBeTruthy();
    expect(calls.some((c) => c.path === '/touchpoints' && c.query.get('cursor') === 'next')).toBe(true);
  });

  it('creates a touchpoint and shows problem field errors', async () => {
    const created: Touchpoint[] = [];
    let attempts = 0;
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /touchpoints': () => page([...touchpoints, ...created]),
      'POST /touchpoints': (c) => {
        attempts++;
        if (attempts === 1) {
          return {
            status: 422,
            body: {
              title: 'Unprocessable Entity',
              status: 422,
              detail: 'validation failed',
              errors: [{ location: 'body.code', message: 'a touchpoint with code POS-NEW already exists', value: 'POS-NEW' }],
            },
          };
        }
        const b = c.body as Touchpoint;
        const tp: Touchpoint = {
          ...b,
          id: 'tp3',
          status: b.status ?? 'active',
          health: { events_today: 0, rejected_today: 0 },
          created_at: '2026-01-02T03:04:05Z',
          updated_at: '2026-01-02T03:04:05Z',
        };
        created.push(tp);
        return { status: 201, body: tp };
      },
    });
    renderRoute(<TouchpointsPage />);
    expect(await screen.findByText('POS-SH001-01')).toBeTruthy();

    fireEvent.click(screen.getByTestId('touchpoint-create'));
    fireEvent.change(await screen.findByTestId('touchpoint-code'), { target: { value: 'POS-NEW' } });
    fireEvent.change(screen.getByTestId('touchpoint-name'), { target: { value: ' 新收银台 ' } });
    fireEvent.click(screen.getByText('社交'));
    fireEvent.click(screen.getByTestId('touchpoint-submit'));

    // The 422 problem's error shows under the code field.
    expect(await screen.findAllByText(/a touchpoint with code POS-NEW already exists/)).not.toHaveLength(0);
    const form = screen.getByTestId('touchpoint-form');
    await waitFor(() => expect(within(form).getByText('a touchpoint with code POS-NEW already exists')).toBeTruthy());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      code: 'POS-NEW',
      name: '新收银台',
      type: 'social',
      channel: 'pos',
      status: 'active',
    });

    fireEvent.change(screen.getByTestId('touchpoint-code'), { target: { value: 'POS-NEW-2' } });
    fireEvent.click(screen.getByTestId('touchpoint-submit'));
    expect(await screen.findByText('POS-NEW-2')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });
});

describe('TouchpointsPage credentials', () => {
  it('issues a key for an active touchpoint and shows the secret once with how to use it', async () => {
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /touchpoints': () => page(touchpoints),
      'POST /touchpoints/tp1/api-keys': () => ({
        status: 201,
        body: { id: 'k9', name: '徐汇店 1 号收银台 (POS-SH001-01)', prefix: 'abc', secret: 'or_live_secret123', scopes: ['events:ingest'], touchpoint_id: 'tp1' },
      }),
    });
    renderRoute(<TouchpointsPage />);
    // A disabled touchpoint cannot get a key.
    expect((await screen.findByTestId('touchpoint-issue-key-MINI')).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByTestId('touchpoint-issue-key-POS-SH001-01'));
    fireEvent.click(await screen.findByText('确 定'));
    expect((await screen.findByTestId('api-key-secret')).textContent).toBe('or_live_secret123');
    expect(screen.getByText(/touchpoint 填 POS-SH001-01/)).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/touchpoints/tp1/api-keys']);
    fireEvent.click(screen.getByTestId('api-key-secret-close'));
    await waitFor(() => expect(screen.queryByTestId('api-key-secret')).toBeNull());
  });
});

describe('eventsByChannel', () => {
  it('sums today’s events per channel, largest first', () => {
    expect(eventsByChannel([...touchpoints, { ...touchpoints[0], id: 'tp9', health: { events_today: 5, rejected_today: 0 } }])).toEqual([
      { key: 'pos', count: 125 },
      { key: 'wechat_mini_program', count: 0 },
    ]);
  });
});
