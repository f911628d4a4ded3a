import type { Currency } from '../config/catalogues';

/**
 * Exact money. Amounts live as integer minor units (øre, cent) from the wire to the database;
 * no binary float ever holds an amount. Rates live as integer millionths.
 */
export interface Money {
  readonly minor: number;
  readonly currency: Currency;
}

/** Wire format: `{"amount": "665462.50", "currency": "EUR"}`. */
export interface MoneyDto {
  readonly amount: string;
  readonly currency: Currency;
}

/**
 * At most 10 whole digits (under ten billion) and a rate under 1000: any amount in DKK then stays
 * below 10^15 øre, well inside the integers a JavaScript number holds exactly (2^53 ≈ 9 × 10^15).
 */
export const AMOUNT_PATTERN = /^\d{1,10}(\.\d{1,2})?$/;
export const RATE_PATTERN = /^\d{1,3}(\.\d{1,6})?$/;

const RATE_SCALE = 1_000_000n;

/** "665462.5" → 66546250. The caller has checked AMOUNT_PATTERN. */
export const parseAmount = (amount: string): number => {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};

/** 66546250 → "665462.50": always exactly two decimals. */
export const formatAmount = (minor: number): string => {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = Math.trunc(abs / 100);
  const cents = abs % 100;
  return `${sign}${whole}.${cents.toString().padStart(2, '0')}`;
};

/** "7.46038" → 7460380n millionths. The caller has checked RATE_PATTERN. */
export const parseRate = (rate: string): bigint => {
  const [whole = '0', fraction = ''] = rate.split('.');
  return BigInt(whole) * RATE_SCALE + BigInt(fraction.padEnd(6, '0'));
};

/** Normalises a rate string: "7.4700" → "7.47", "7" → "7". */
export const normaliseRate = (rate: string): string => {
  const micro = parseRate(rate);
  const whole = micro / RATE_SCALE;
  const fraction = (micro % RATE_SCALE).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
};

/**
 * Minor units × rate, rounded half away from zero to whole minor units.
 * 66546250 (EUR 665462.50) × "7.47" → 497100488 (DKK 4971004.88).
 */
export const convertMinor = (minor: number, rate: string): number => {
  const product = BigInt(minor) * parseRate(rate);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  let quotient = abs / RATE_SCALE;
  if ((abs % RATE_SCALE) * 2n >= RATE_SCALE) quotient += 1n;
  return Number(negative ? -quotient : quotient);
};

export const toDto = (money: Money): MoneyDto => ({
  amount: formatAmount(money.minor),
  currency: money.currency,
});

export const fromDto = (dto: MoneyDto): Money => ({ minor: parseAmount(dto.amount), currency: dto.currency });

export const dkk = (minor: number): MoneyDto => ({ amount: formatAmount(minor), currency: 'DKK' });
