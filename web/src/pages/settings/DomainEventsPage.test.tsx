import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import DomainEventsPage from './DomainEventsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const deadEvent = {
  id: 'e1',
  type: 'identity.customer.erased',
  aggregate_id: 'c1',
  status: 'dead',
  attempts: 10,
  last_error: 'promotion.customer-erasure: timeout',
  payload: { customer_id: 'c1' },
  created_at: '2026-12-01T08:00:00Z',
};

describe('DomainEventsPage', () => {
  it('shows the delivery lag and warns when delivery is behind', async () => {
    const calls = fakeApi({
      'GET /domain-events': () => page([deadEvent]),
      'GET /domain-events/lag': () => ({
        body: { pending: 123456, dead: 1, oldest_pending_at: '2026-12-07T01:00:00Z', oldest_pending_seconds: 720, retention_seconds: 604800 },
      }),
    });
    renderRoute(<DomainEventsPage />);
    expect((await screen.findByTestId('event-lag-backlog')).textContent).toContain('123,456');
    expect(screen.getByTestId('event-lag-oldest').textContent).toContain('12 分钟');
    expect(screen.getByTestId('event-lag-behind').textContent).toContain('已等待 12 分钟');
    expect(screen.getByText('7 天')).toBeTruthy();

    fireEvent.click(screen.getByTestId('event-lag-dead'));
    await waitFor(() =>
      expect(calls.some((c) => c.path === '/domain-events' && c.query.get('status') === 'dead')).toBe(true),
    );
  });

  it('says when nothing is pending and delivered events are kept forever', async () => {
    fakeApi({
      'GET /domain-events': () => page([]),
      'GET /domain-events/lag': () => ({ body: { pending: 0, dead: 0, oldest_pending_seconds: 0, retention_seconds: 0 } }),
    });
    renderRoute(<DomainEventsPage />);
    expect((await screen.findByTestId('event-lag-oldest')).textContent).toContain('无');
    expect(screen.getByText('永久')).toBeTruthy();
    expect(screen.queryByTestId('event-lag-behind')).toBeNull();
  });
});
