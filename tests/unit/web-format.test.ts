import { describe, expect, it } from 'vitest';
import {
  addDays,
  copenhagenToday,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  shareReceived,
} from '../../web/src/format';

/** Intl puts no-break spaces where a line must not break; compare with plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('web formatting (Intl, da-DK and en-GB)', () => {
  it('formats money in Danish as the municipality writes it', () => {
    expect(plain(formatMoney({ amount: '665462.50', currency: 'EUR' }, 'da'))).toBe('665.462,50 €');
    expect(plain(formatMoney({ amount: '1988400.00', currency: 'DKK' }, 'da'))).toBe('1.988.400,00 kr.');
    // Swedish kronor are not mistaken for Danish ones.
    expect(plain(formatMoney({ amount: '0.00', currency: 'SEK' }, 'da'))).toBe('0,00 SEK');
  });

  it('formats money in English', () => {
    expect(plain(formatMoney({ amount: '1988400.00', currency: 'DKK' }, 'en'))).toBe('DKK 1,988,400.00');
    expect(plain(formatMoney({ amount: '665462.5', currency: 'EUR' }, 'en'))).toBe('€665,462.50');
  });

  it('formats the decimal string exactly, beyond what a binary float holds', () => {
    expect(plain(formatMoney({ amount: '9999999999.99', currency: 'DKK' }, 'da'))).toBe(
      '9.999.999.999,99 kr.',
    );
    expect(plain(formatMoney({ amount: '4971004.88', currency: 'DKK' }, 'da'))).toBe('4.971.004,88 kr.');
  });

  it('formats calendar dates without a time zone shifting the day', () => {
    expect(formatDate('2027-03-01', 'da')).toBe('1. marts 2027');
    expect(formatDate('2021-03-31', 'da')).toBe('31. marts 2021');
    expect(formatDate('2027-03-01', 'en')).toBe('1 March 2027');
    expect(() => formatDate('1. marts', 'da')).toThrow(RangeError);
  });

  it('formats moments in Copenhagen time', () => {
    expect(plain(formatDateTime('2026-12-01T13:05:00Z', 'da'))).toBe('1. december 2026 kl. 14.05');
    expect(plain(formatDateTime('2026-07-01T13:05:00Z', 'en'))).toBe('1 July 2026 at 15:05');
  });

  it('formats numbers and shares', () => {
    expect(plain(formatNumber(1234567, 'da'))).toBe('1.234.567');
    expect(plain(formatPercent(0.25, 'da'))).toBe('25 %');
    expect(formatPercent(0.25, 'en')).toBe('25%');
  });

  it('computes the received share in whole øre, capped at all of it', () => {
    expect(
      shareReceived({ amount: '500000.00', currency: 'DKK' }, { amount: '1988400.00', currency: 'DKK' }),
    ).toBe(0.251);
    expect(shareReceived({ amount: '3.00', currency: 'DKK' }, { amount: '2.00', currency: 'DKK' })).toBe(1);
    expect(shareReceived({ amount: '1.00', currency: 'DKK' }, { amount: '0.00', currency: 'DKK' })).toBe(0);
  });

  it('knows today in Copenhagen and moves dates by whole days', () => {
    expect(copenhagenToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(copenhagenToday(new Date('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  });
});
