import { describe, expect, it } from 'vitest';
import en from '../../i18n/en.json';
import zh from '../../i18n/zh-CN.json';
import { auditAction } from './AuditLogPage';

/** tOf looks keys up in one catalogue, as i18next does, else the default value. */
function tOf(catalogue: unknown) {
  return (key: string, o?: { defaultValue?: string }) => {
    const v = key.split('.').reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[k] : undefined), catalogue);
    return typeof v === 'string' ? v : (o?.defaultValue ?? key);
  };
}

describe('auditAction', () => {
  it('reads action codes as verb and resource in both languages', () => {
    expect(auditAction('promotion.activate', tOf(zh))).toBe('启用 · 促销');
    expect(auditAction('coupon.template.create', tOf(zh))).toBe('创建 · 券模板');
    expect(auditAction('price_zone.assign_stores', tOf(en))).toBe('Assign stores · Price zone');
  });

  it('leaves an unknown part as it is rather than showing a key', () => {
    expect(auditAction('spaceship.launch', tOf(en))).toBe('launch · spaceship');
    expect(auditAction('peek', tOf(en))).toBe('peek');
  });
});
