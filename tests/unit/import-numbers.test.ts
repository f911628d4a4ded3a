import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateText } from '../../lib/import/dates';
import { parseAmountText, parsePlainNumber, parseRateText } from '../../lib/import/numbers';

const amount = (text: string) => {
  const parsed = parseAmountText(text);
  return parsed.ok ? parsed.value.amount : `error: ${parsed.message}`;
};

describe('amounts as Danish and plain sheets write them', () => {
  it.each([
    ['4.971.000 kr.', '4971000.00'],
    ['665.462,5', '665462.50'],
    ['1.988.400,00 kr.', '1988400.00'],
    ['kr. 1.988.400,00', '1988400.00'],
    ['EUR 665.462,50', '665462.50'],
    ['€ 100', '100.00'],
    ['1,5', '1.50'],
    ['1.5', '1.50'],
    ['665462.50', '665462.50'],
    ['665462,5', '665462.50'],
    ['4971000', '4971000.00'],
    ['4 971 000', '4971000.00'],
    ['4\u00a0971\u00a0000,50', '4971000.50'],
    ['1.000.000,5', '1000000.50'],
    ['0', '0.00'],
    ['  12,00  ', '12.00'],
    // A kr. marker is Danish writing: the cell's own evidence settles its notation.
    ['12.500 kr.', '12500.00'],
    ['350.000 kr.', '350000.00'],
    ['kr. 350.000', '350000.00'],
  ])('reads %j as %s', (text, expected) => {
    expect(amount(text)).toBe(expected);
  });

  it.each([
    ['1,000.00', /ambiguous.*groups thousands with a comma.*write 1000 or 1\.000,00/],
    ['1,000,000', /ambiguous.*comma/],
    ['1.500', /ambiguous: "1.500" is 1500 in Danish notation but 1.5 in plain notation/],
    ['1,000', /ambiguous: "1,000" is 1 with a decimal comma but 1000 with a thousands comma/],
    ['1.234,567', /more than 2 decimals/],
    ['123.456', /ambiguous/],
    ['123.4567', /more than 2 decimals/],
    ['-5', /must not be negative/],
    ['(5)', /must not be negative/],
    ['4,97 mio. kr.', /is not a number/],
    ['1.2.3', /is not a number/],
    ['12 34', /is not a number/],
    ['abc', /is not a number/],
    ['100 XYZ', /not a currency/],
    ['', /is empty/],
  ])('refuses %j', (text, message) => {
    expect(amount(text)).toMatch(message);
  });

  it('says which currency a marker stands for, so a sheet cannot mark EUR on a DKK row unnoticed', () => {
    expect(parseAmountText('4.971.000 kr.')).toMatchObject({
      ok: true,
      value: { markedAs: ['DKK', 'SEK', 'NOK'] },
    });
    expect(parseAmountText('€ 10')).toMatchObject({ ok: true, value: { markedAs: ['EUR'] } });
    expect(parseAmountText('10')).toEqual({ ok: true, value: { amount: '10.00' } });
  });

  it('reads every amount written in Danish notation back exactly (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_99n }), (minor) => {
        const whole = (minor / 100n).toString();
        const cents = (minor % 100n).toString().padStart(2, '0');
        const danish = `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents} kr.`;
        const plain = `${whole}.${cents}`;
        expect(amount(danish)).toBe(plain);
        expect(amount(plain)).toBe(plain);
      }),
    );
  });
});

describe('exchange rates', () => {
  it.each([
    ['7,46038', '7.46038'],
    ['7.46038', '7.46038'],
    ['7,4700', '7.47'],
    ['7', '7'],
    ['0,655', '0.655'],
    ['0.655', '0.655'],
  ])('reads %j as %s', (text, expected) => {
    expect(parseRateText(text)).toEqual({ ok: true, value: expected });
  });

  it('refuses a rate that is ambiguous or too precise', () => {
    expect(parseRateText('7.460')).toMatchObject({ ok: false, message: expect.stringMatching(/ambiguous/) });
    expect(parseRateText('7,4603812')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/more than 6 decimals/),
    });
  });
});

describe('plain machine numbers (CORDIS, typed spreadsheet cells)', () => {
  it.each([
    ['665462.5', '665462.50'],
    ['665462,5', '665462.50'],
    ['1.2345E6', '1234500.00'],
    ['6.654625E5', '665462.50'],
    ['1e+3', '1000.00'],
    ['100', '100.00'],
    ['0.1', '0.10'],
  ])('reads %j exactly as %s', (text, expected) => {
    expect(parsePlainNumber(text, 2)).toEqual({ ok: true, value: expected });
  });

  it('never rounds: more decimals than allowed is an error', () => {
    expect(parsePlainNumber('123.456', 2)).toMatchObject({ ok: false });
    expect(parsePlainNumber('0.30000000000000004', 2)).toMatchObject({ ok: false });
    expect(parsePlainNumber('1e-7', 2)).toMatchObject({ ok: false });
    expect(parsePlainNumber('-1', 2)).toMatchObject({ ok: false, message: 'must not be negative' });
    expect(parsePlainNumber('1.000.000', 2)).toMatchObject({ ok: false });
  });
});

describe('dates', () => {
  it.each([
    ['2021-05-01', '2021-05-01'],
    ['2021-5-1', '2021-05-01'],
    ['01-05-2021', '2021-05-01'],
    ['1-5-2021', '2021-05-01'],
    ['01.05.2021', '2021-05-01'],
    ['29.02.2024', '2024-02-29'],
    ['2021-05-01 00:00:00', '2021-05-01'],
    ['2021-05-01T00:00:00Z', '2021-05-01'],
  ])('reads %j as %s', (text, expected) => {
    expect(parseDateText(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['01/05/2021', /ambiguous/],
    ['29.02.2023', /not a calendar date/],
    ['2021-13-01', /not a calendar date/],
    ['01-05-21', /two-digit year/],
    ['44317', /is a number, not a date/],
    ['01-05.2021', /is not a date/],
    ['2021-05-01T12:00:00', /is not a date/],
    ['maj 2021', /is not a date/],
  ])('refuses %j', (text, message) => {
    expect(parseDateText(text)).toMatchObject({ ok: false, message: expect.stringMatching(message) });
  });
});
