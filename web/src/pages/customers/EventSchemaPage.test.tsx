import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventSchema } from '../../api/types';
import { fakeApi, renderRoute } from '../../test/render';
import EventSchemaPage from './EventSchemaPage';
import { meWith } from './fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

const defaults = ['amount_fen', 'city', 'sku', 'store_code'];
const schema: EventSchema = { non_personal: defaults, defaults, customised: false };

const names = () => within(screen.getByTestId('event-schema-names')).getAllByTestId('event-schema-name').map((n) => n.textContent);

describe('EventSchemaPage', { timeout: 60_000 }, () => {
  it('shows the declared names read-only to users without customers:pii', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'customers:write']) }),
      'GET /event-schema': () => ({ body: schema }),
    });
    renderRoute(<EventSchemaPage />, { path: '/customers/event-schema' });
    await waitFor(() => expect(names()).toEqual(defaults));
    expect(screen.getByTestId('event-schema-state').textContent).toBe('使用平台默认');
    expect(screen.getByText(/全租户范围的 customers:pii/)).toBeTruthy();
    expect(screen.queryByTestId('event-schema-save')).toBeNull();
    expect(screen.queryByTestId('event-schema-input')).toBeNull();
    // The examples say what a masked reader sees.
    expect(within(screen.getByTestId('event-schema-examples')).getAllByText('"138****5678"')).toHaveLength(2);
  });

  it('adds and removes names and saves the whole list; resets to the defaults', async () => {
    let current = schema;
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'customers:pii']) }),
      'GET /event-schema': () => ({ body: current }),
      'PUT /event-schema': (c) => {
        current = { ...schema, non_personal: (c.body as { non_personal: string[] }).non_personal, customised: true, updated_at: '2026-12-01T08:00:00Z' };
        return { body: current };
      },
      'DELETE /event-schema': () => {
        current = schema;
        return { body: current };
      },
    });
    renderRoute(<EventSchemaPage />, { path: '/customers/event-schema' });
    await waitFor(() => expect(names()).toEqual(defaults));
    expect((screen.getByTestId('event-schema-save') as HTMLButtonElement).disabled).toBe(true);

    // A name is normalised (case, full width) and listed once.
    const input = screen.getByTestId('event-schema-input');
    fireEvent.change(input, { target: { value: ' Delivery_Ｎｏｔｅ ' } });
    fireEvent.click(screen.getByTestId('event-schema-add'));
    await waitFor(() => expect(names()).toContain('delivery_note'));
    fireEvent.change(input, { target: { value: 'SKU' } });
    fireEvent.click(screen.getByTestId('event-schema-add'));
    expect(screen.getByTestId('event-schema-input-error').textContent).toBe('sku 已在列表中');

    // Remove city, then save.
    const city = within(screen.getByTestId('event-schema-names')).getByText('city').closest('[data-testid="event-schema-name"]')!;
    fireEvent.click(city.querySelector('.ant-tag-close-icon')!);
    await waitFor(() => expect(names()).not.toContain('city'));
    fireEvent.click(screen.getByTestId('event-schema-save'));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ non_personal: ['amount_fen', 'delivery_note', 'sku', 'store_code'] }),
    );
    await waitFor(() => expect(screen.getByTestId('event-schema-state').textContent).toContain('已自定义'));

    // Reset asks first.
    fireEvent.click(screen.getByTestId('event-schema-reset'));
    fireEvent.click(within(await screen.findByRole('tooltip')).getByRole('button', { name: '恢复默认' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/event-schema')).toBe(true));
    await waitFor(() => expect(names()).toEqual(defaults));
  });

  it('reports a name the server refuses', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'customers:pii']) }),
      'GET /event-schema': () => ({ body: schema }),
      'PUT /event-schema': () => ({
        status: 422,
        body: {
          title: 'Unprocessable Entity',
          status: 422,
          detail: '收货人 names personal data and cannot be declared non-personal',
          errors: [{ location: 'body.non_personal[4]', message: '收货人 names personal data and cannot be declared non-personal' }],
        },
      }),
    });
    renderRoute(<EventSchemaPage />, { path: '/customers/event-schema' });
    await waitFor(() => expect(names()).toEqual(defaults));
    fireEvent.change(screen.getByTestId('event-schema-input'), { target: { value: '收货人' } });
    fireEvent.click(screen.getByTestId('event-schema-add'));
    fireEvent.click(screen.getByTestId('event-schema-save'));
    expect(await screen.findByText('body.non_personal[4]: 收货人 names personal data and cannot be declared non-personal')).toBeTruthy();
    // The edit stays for the user to correct.
    expect(names()).toContain('收货人');
  });
});
