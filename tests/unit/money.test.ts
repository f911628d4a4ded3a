import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EUR_RATE } from '../../lib/config/catalogues';
import {
  AMOUNT_PATTERN,
  convertMinor,
  formatAmount,
  fromDto,
  normaliseRate,
  parseAmount,
  parseRate,
  RATE_PATTERN,
  toDto,
} from '../../lib/domain/money';

const MICROS = 1_000_000n;
/** The largest amount the wire accepts: 10 integer digits and 2 decimals. */
const MAX_MINOR = 999_999_999_999;

/**
 * An independent reference for PRODUCT.md 2.3: minor × rate, rounded half away from zero to whole
 * minor units, all in BigInt. Written differently from the code on purpose (add half, then truncate).
 */
const referenceConvert = (minor: bigint, rateMicros: bigint): bigint => {
  const product = minor * rateMicros;
  const sign = product < 0n ? -1n : 1n;
  return ((product * sign + MICROS / 2n) / MICROS) * sign;
};

/** A rate string with 0 to 6 decimals, and its value in millionths. */
const rateArbitrary = (maxWhole: number) =>
  fc
    .record({
      whole: fc.integer({ min: 0, max: maxWhole }),
      decimals: fc.integer({ min: 0, max: 6 }),
      digits: fc.nat(),
    })
    .map(({ whole, decimals, digits }) => {
      const fraction = decimals ? String(digits % 10 ** decimals).padStart(decimals, '0') : '';
      const text = fraction ? `${whole}.${fraction}` : String(whole);
      const micros =
        BigInt(whole) * MICROS + (fraction ? BigInt(fraction) * 10n ** BigInt(6 - decimals) : 0n);
      return { text, micros };
    })
    .filter(({ micros }) => micros > 0n);

describe('amounts on the wire', () => {
  it.each([
    ['665462.50', 66_546_250, '665462.50'],
    ['665462.5', 66_546_250, '665462.50'],
    ['0', 0, '0.00'],
    ['0.05', 5, '0.05'],
    ['0.5', 50, '0.50'],
    ['7', 700, '7.00'],
    ['007.10', 710, '7.10'],
    ['9999999999.99', MAX_MINOR, '9999999999.99'],
  ])('parses %s to %i minor units and prints it back as %s', (wire, minor, printed) => {
    // act
    const parsed = parseAmount(wire);
    // assert
    expect(parsed).toBe(minor);
    expect(formatAmount(parsed)).toBe(printed);
  });

  it('always prints exactly two decimals, with the sign in front of negative amounts', () => {
    expect(formatAmount(5)).toBe('0.05');
    expect(formatAmount(100)).toBe('1.00');
    expect(formatAmount(-5)).toBe('-0.05');
    expect(formatAmount(-150)).toBe('-1.50');
  });

  it('round-trips every amount the wire accepts, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR }), (minor) => {
        const printed = formatAmount(minor);
        expect(printed).toMatch(/^\d+\.\d{2}$/);
        expect(AMOUNT_PATTERN.test(printed)).toBe(true);
        expect(parseAmount(printed)).toBe(minor);
      }),
    );
  });

  it('converts Money to and from its wire form', () => {
    expect(fromDto({ amount: '665462.5', currency: 'EUR' })).toEqual({ minor: 66_546_250, currency: 'EUR' });
    expect(toDto({ minor: 66_546_250, currency: 'EUR' })).toEqual({ amount: '665462.50', currency: 'EUR' });
  });

  it.each(['1.234', '-1', '1e3', '12.345', '1,5', '', ' 1', '1.', '.5', '12345678901234', '0x10', 'NaN'])(
    'the amount pattern refuses %j',
    (amount) => {
      expect(AMOUNT_PATTERN.test(amount)).toBe(false);
    },
  );
});

describe('rates', () => {
  it.each([
    ['7.46038', 7_460_380n],
    ['7.47', 7_470_000n],
    ['1', 1_000_000n],
    ['0.000001', 1n],
    ['999.999999', 999_999_999n],
  ])('parses %s to %i millionths', (rate, micros) => {
    expect(parseRate(rate)).toBe(micros);
  });

  it.each([
    ['7.4700', '7.47'],
    ['7.47', '7.47'],
    ['7', '7'],
    ['7.000000', '7'],
    ['07.46038', '7.46038'],
    ['100.10', '100.1'],
    ['0.000001', '0.000001'],
    ['0.5', '0.5'],
  ])('normalises %s to %s', (rate, normalised) => {
    expect(normaliseRate(rate)).toBe(normalised);
  });

  it('normalising keeps the value and is idempotent', () => {
    fc.assert(
      fc.property(rateArbitrary(999), ({ text, micros }) => {
        const normalised = normaliseRate(text);
        expect(RATE_PATTERN.test(normalised)).toBe(true);
        expect(parseRate(normalised)).toBe(micros);
        expect(normaliseRate(normalised)).toBe(normalised);
      }),
    );
  });

  it('defaults EUR to the Danmarks Nationalbank central rate 7.46038', () => {
    expect(DEFAULT_EUR_RATE).toBe('7.46038');
    // 665462.50 × 7.46038 = 4964603.12575 → 4964603.13
    expect(formatAmount(convertMinor(66_546_250, DEFAULT_EUR_RATE))).toBe('4964603.13');
  });
});

describe('conversion to DKK, rounded half away from zero at the øre', () => {
  it('converts the ATELIER award: 665462.50 EUR × 7.47 = 4971004.875 → 4971004.88 DKK', () => {
    // PRODUCT.md 2.3 prints 4970004.875 → "4970004.88"; that is arithmetically wrong by 1000
    // (66546250 × 7.47 = 497100487.5 øre). The correct value is tested here.
    // act
    const dkkMinor = convertMinor(parseAmount('665462.50'), '7.47');
    // assert
    expect(dkkMinor).toBe(497_100_488);
    expect(formatAmount(dkkMinor)).toBe('4971004.88');
  });

  it.each([
    [1, '0.5', 1], // 0.005 → 0.01: exactly half rounds up
    [1, '0.499999', 0], // 0.00499999 → 0.00
    [1, '0.500001', 1],
    [3, '0.5', 2], // 1.5 øre → 2, not to even
    [5, '0.5', 3], // 2.5 øre → 3, not to even (no banker's rounding)
    [1, '1.5', 2],
    [1, '2.5', 3],
    [-1, '0.5', -1], // away from zero on the negative side too
    [-1, '0.499999', 0],
    [-5, '0.5', -3],
    [0, '7.46038', 0],
    [100, '1', 100],
    [60_000, '7.47', 448_200],
  ])('%i minor × %s → %i', (minor, rate, expected) => {
    expect(convertMinor(minor, rate)).toBe(expected);
  });

  it('keeps the largest amount at the largest rate the wire accepts exact: 9,999,999,999.99 × 999.999999', () => {
    // arrange: the exact value, computed in BigInt
    const expected = referenceConvert(BigInt(MAX_MINOR), 999_999_999n);
    expect(expected).toBe(999_999_998_999_000n); // 9999999989990.000001 → …90.00
    // act
    const converted = convertMinor(MAX_MINOR, '999.999999');
    // assert
    expect(Number.isSafeInteger(converted)).toBe(true);
    expect(BigInt(converted)).toBe(expected);
    expect(formatAmount(converted)).toBe('9999999989990.00');
  });

  it('equals a BigInt reference for any amount the wire accepts and any rate up to 9', () => {
    // Rates up to 9 keep every result below 2^53 even for the largest amount.
    fc.assert(
      fc.property(fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }), rateArbitrary(8), (minor, rate) => {
        expect(BigInt(convertMinor(minor, rate.text))).toBe(referenceConvert(BigInt(minor), rate.micros));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals a BigInt reference for any rate the pattern accepts, while the result is a safe integer', () => {
    const cases = rateArbitrary(999).chain((rate) => {
      // The largest minor amount whose converted value stays below 2^53.
      const limit = (BigInt(Number.MAX_SAFE_INTEGER) * MICROS) / (rate.micros + 1n);
      const max = Number(limit < BigInt(MAX_MINOR) ? limit : BigInt(MAX_MINOR));
      return fc.record({ rate: fc.constant(rate), minor: fc.integer({ min: 0, max }) });
    });
    fc.assert(
      fc.property(cases, ({ rate, minor }) => {
        expect(BigInt(convertMinor(minor, rate.text))).toBe(referenceConvert(BigInt(minor), rate.micros));
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds at exactly half an øre for every rate, away from zero', () => {
    // A product that ends in exactly …500000 millionths always rounds away from zero.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), fc.boolean(), (whole, negative) => {
        const sign = negative ? -1 : 1;
        const rate = `${whole}.5`;
        expect(convertMinor(sign, rate)).toBe(sign * (whole + 1));
      }),
    );
  });
});
