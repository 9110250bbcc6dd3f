import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import en from '../i18n/en.json';
import zhCN from '../i18n/zh-CN.json';
import { COMING_SOON } from '../routes';
import { renderRoute } from '../test/render';
import ComingSoonPage from './ComingSoonPage';

describe('ComingSoonPage', () => {
  it('says what the capability will hold', async () => {
    renderRoute(<ComingSoonPage nameKey="nav.orders" capability="orders" />, { path: '/orders' });
    expect((await screen.findByTestId('coming-soon')).textContent).toContain('“订单”尚未实现，将包含：全渠道订单统一查看');
  });

  it('has a description of every placeholder in both languages', () => {
    const missing = COMING_SOON.map((c) => c.path).filter(
      (p) => !(p in zhCN.comingSoon.what) || !(p in en.comingSoon.what),
    );
    expect(missing).toEqual([]);
  });
});
