import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import dayjs from 'dayjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Maturity, Touchpoint } from '../api/types';
import { storeNamesRoute, stores } from '../test/fixtures';
import { meWith } from './customers/fixtures';
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
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
      'GET /touchpoints': (c) => page(touchpoints.filter((tp) => !c.query.get('status') || tp.status === c.query.get('status'))),
    });
    renderRoute(<TouchpointsPage />);

    expect(await screen.findByText('POS-SH001-01')).toBeTruthy();
    expect(screen.getByText('会员小程序')).toBeTruthy();
    // Store name, translated type/channel/status, today's counters and relative time.
    const table = within(screen.getByTestId('touchpoints-table'));
    expect(await table.findByText('上海徐汇店')).toBeTruthy();
    // The page names the stores of its rows only, never reads the whole store list.
    expect(calls.find((c) => c.path === '/store-names')?.query.get('ids')).toBe('s1');
    expect(calls.filter((c) => c.path === '/stores').every((c) => c.query.get('limit') === '20')).toBe(true); // the create form's picker
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

    // The search box asks the server for part of a code or name.
    const search = within(screen.getByTestId('touchpoint-search')).getByRole('searchbox');
    fireEvent.change(search, { target: { value: ' 徐汇 ' } });
    fireEvent.keyDown(search, { key: 'Enter', code: 'Enter', keyCode: 13 });
    await waitFor(() => expect(calls.some((c) => c.path === '/touchpoints' && c.query.get('q') === '徐汇')).toBe(true));
  });

  it('asks for the next page with the cursor', async () => {
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
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
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
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
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
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
  it('lists today’s events per channel from the server counts, largest first', () => {
    const counts = {
      total: 3,
      time_zone: 'Asia/Shanghai',
      by_type: [],
      by_channel: [
        { key: 'wechat_mini_program', touchpoints: 1, events_today: 0 },
        { key: 'pos', touchpoints: 2, events_today: 125 },
      ],
    };
    expect(eventsByChannel(counts)).toEqual([
      { key: 'pos', count: 125 },
      { key: 'wechat_mini_program', count: 0 },
    ]);
    expect(eventsByChannel(undefined)).toEqual([]);
  });
});

const maturity: Maturity = {
  days: 30,
  from: '2026-10-25',
  time_zone: 'Asia/Shanghai',
  coverage: {
    by_type: { offline: 3, online: 1 },
    by_channel: { pos: 2, smart_cart: 1, wechat_mini_program: 1 },
    stores: 20,
    stores_with_touchpoints: 12,
    stores_connected: 8,
  },
  connection: { touchpoints: 5, active: 4, connected: 3, seen_last_day: 2 },
  quality: { accepted: 12500, rejected: 250, identified: 7500, rejection_rate: 250 / 12750, identified_rate: 0.6 },
  levels: { registered: 2, connected: 1, identified: 1, mature: 1 },
  touchpoints: [
    {
      id: 'tp1',
      code: 'POS-SH001-01',
      name: '徐汇店 1 号收银台',
      type: 'offline',
      channel: 'pos',
      store_id: 's1',
      status: 'active',
      accepted: 9000,
      rejected: 200,
      identified: 6300,
      rejection_rate: 200 / 9200,
      identified_rate: 0.7,
      active_days: 20,
      window_days: 30,
      level: 'identified',
      gaps: ['low_identified', 'high_rejection', 'irregular'],
    },
    {
      id: 'tp2',
      code: 'MINI',
      name: '会员小程序',
      type: 'online',
      channel: 'wechat_mini_program',
      status: 'disabled',
      accepted: 0,
      rejected: 0,
      identified: 0,
      rejection_rate: 0,
      identified_rate: 0,
      active_days: 0,
      window_days: 12,
      level: 'registered',
      gaps: ['no_events', 'disabled'],
    },
  ],
};

describe('TouchpointsPage maturity', () => {
  it('shows the three dimensions, the levels and each touchpoint’s level and gaps', async () => {
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
      'GET /touchpoints': () => page(touchpoints),
      'GET /touchpoints/maturity': () => ({ body: maturity }),
    });
    renderRoute(<TouchpointsPage />, { url: '/?view=maturity' });

    // 覆盖与布局: stores out of the total with the share, active touchpoints by type and channel.
    const coverage = within(await screen.findByTestId('maturity-coverage'));
    expect(await coverage.findByText('覆盖与布局')).toBeTruthy();
    expect(coverage.getByTestId('maturity-stores-with-touchpoints').textContent).toContain('12 / 20');
    expect(coverage.getByTestId('maturity-stores-with-touchpoints').textContent).toContain('60.0%');
    expect(coverage.getByTestId('maturity-stores-connected').textContent).toContain('8 / 20');
    expect(coverage.getByText('线下 3')).toBeTruthy();
    expect(coverage.getByText('智能购物车 1')).toBeTruthy();
    expect(coverage.queryByText(/无门店查看权限/)).toBeNull();

    // 在线与连接.
    const connection = within(screen.getByTestId('maturity-connection'));
    expect(connection.getByText('在线与连接')).toBeTruthy();
    expect(connection.getByTestId('maturity-registered').textContent).toContain('5');
    expect(connection.getByTestId('maturity-active').textContent).toContain('4');
    expect(connection.getByTestId('maturity-connected').textContent).toContain('3');
    expect(connection.getByTestId('maturity-seenLastDay').textContent).toContain('2');

    // 数据与质量: counts with thousands separators and rates as percentages.
    const quality = within(screen.getByTestId('maturity-quality'));
    expect(quality.getByText('数据与质量')).toBeTruthy();
    expect(quality.getByTestId('maturity-accepted').textContent).toContain('12,500');
    expect(quality.getByTestId('maturity-rejected').textContent).toContain('250');
    expect(quality.getByTestId('maturity-rejected').textContent).toContain('2.0%');
    expect(quality.getByTestId('maturity-identified').textContent).toContain('7,500');
    expect(quality.getByTestId('maturity-identified').textContent).toContain('60.0%');

    // The levels, counted and in their colours.
    expect(screen.getByTestId('maturity-level-registered').textContent).toBe('已登记2 (40.0%)');
    expect(screen.getByTestId('maturity-level-mature').textContent).toBe('成熟1 (20.0%)');

    // Per touchpoint: level tag, rates, active days and the gaps in words.
    const table = within(screen.getByTestId('maturity-table'));
    const pos = within(table.getByText('POS-SH001-01').closest('tr')!);
    expect(pos.getByText('可识别').closest('.ant-tag')?.className).toContain('cyan');
    expect(await pos.findByText('上海徐汇店')).toBeTruthy(); // named by one store-names request
    expect(pos.getByText('70.0%')).toBeTruthy();
    expect(pos.getByText('2.2%')).toBeTruthy();
    expect(pos.getByText('20 / 30')).toBeTruthy();
    expect(pos.getByText('识别率低：较多事件未带手机号、会员卡等身份')).toBeTruthy();
    expect(pos.getByText('校验拒收偏多')).toBeTruthy();
    expect(pos.getByText('上报不连续')).toBeTruthy();
    const mini = within(table.getByText('MINI').closest('tr')!);
    expect(mini.getByText('已登记')).toBeTruthy();
    expect(mini.getByText('窗口内无事件')).toBeTruthy();
    expect(mini.getByText('已停用')).toBeTruthy();
    // Nothing received: no rate rather than 0 % (the third dash is the missing store).
    expect(mini.queryByText('0.0%')).toBeNull();
    expect(mini.getAllByText('—')).toHaveLength(3);
    expect(mini.getByText('0 / 12')).toBeTruthy();

    expect(calls.filter((c) => c.path === '/touchpoints/maturity').map((c) => c.query.get('days'))).toEqual(['30']);
  });

  it('shows store counts without a ratio when the store total is unknown', async () => {
    fakeApi({
      'GET /stores': () => page(stores),
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
      'GET /touchpoints': () => page(touchpoints),
      'GET /touchpoints/maturity': () => ({ body: { ...maturity, coverage: { ...maturity.coverage, stores: null } } }),
    });
    renderRoute(<TouchpointsPage />, { url: '/?view=maturity' });
    const coverage = within(await screen.findByTestId('maturity-coverage'));
    expect(await coverage.findByText(/无门店查看权限/)).toBeTruthy();
    expect(coverage.getByTestId('maturity-stores-with-touchpoints').textContent).toBe('有触点的门店12');
    expect(coverage.getByTestId('maturity-stores-connected').textContent).toBe('有数据的门店8');
  });

  it('opens from the tab and asks for the window picked', async () => {
    const calls = fakeApi({
      'GET /stores': () => page(stores),
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(),
      'GET /touchpoints': () => page(touchpoints),
      'GET /touchpoints/maturity': (c) => ({ body: { ...maturity, days: Number(c.query.get('days')) } }),
    });
    const { router } = renderRoute(<TouchpointsPage />);
    expect(await screen.findByText('POS-SH001-01')).toBeTruthy();
    // The list does not load the maturity.
    expect(calls.some((c) => c.path === '/touchpoints/maturity')).toBe(false);

    fireEvent.click(screen.getByTestId('tab-maturity'));
    expect(await screen.findByTestId('maturity-table')).toBeTruthy();
    expect(router.state.location.search).toBe('?view=maturity');

    fireEvent.click(screen.getByText('近 7 天'));
    await waitFor(() => expect(calls.some((c) => c.path === '/touchpoints/maturity' && c.query.get('days') === '7')).toBe(true));
    fireEvent.click(screen.getByText('近 90 天'));
    await waitFor(() => expect(calls.some((c) => c.path === '/touchpoints/maturity' && c.query.get('days') === '90')).toBe(true));
    expect(calls.filter((c) => c.path === '/touchpoints/maturity').map((c) => c.query.get('days'))).toEqual(['30', '7', '90']);
  });
});
