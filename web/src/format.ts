/**
 * Numbers, money and dates as people read them, through Intl for the chosen language:
 * `665.462,50 €`, `1.988.400,00 kr.`, `1. marts 2027` in Danish. Amounts stay decimal strings all
 * the way: Intl formats the string exactly, so no binary float ever touches a sum of money.
 */

export type Language = 'da' | 'en';

export const LOCALES: Readonly<Record<Language, string>> = { da: 'da-DK', en: 'en-GB' };

export interface MoneyValue {
  readonly amount: string;
  readonly currency: string;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
const cached = <T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T => {
  let format = cache.get(key) as T | undefined;
  if (!format) {
    format = make();
    cache.set(key, format);
  }
  return format;
};

export const formatMoney = (money: MoneyValue, language: Language): string =>
  cached(
    `money:${language}:${money.currency}`,
    () => new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency: money.currency }),
  ).format(money.amount as Intl.StringNumericLiteral);

export const formatNumber = (value: number | string, language: Language): string =>
  cached(`number:${language}`, () => new Intl.NumberFormat(LOCALES[language])).format(
    value as Intl.StringNumericLiteral,
  );

/** A share in [0, 1] as a whole percentage: `42 %` in Danish, `42%` in English. */
export const formatPercent = (share: number, language: Language): string =>
  cached(
    `percent:${language}`,
    () => new Intl.NumberFormat(LOCALES[language], { style: 'percent', maximumFractionDigits: 0 }),
  ).format(share);

const isoDateParts = (isoDate: string): [number, number, number] => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new RangeError(`${isoDate} is not a date as YYYY-MM-DD`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
};

/** A calendar date (YYYY-MM-DD, no time of day): `1. marts 2027`. */
export const formatDate = (isoDate: string, language: Language): string => {
  const [year, month, day] = isoDateParts(isoDate);
  return cached(
    `date:${language}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }),
  ).format(new Date(Date.UTC(year, month - 1, day)));
};

/** A moment (ISO timestamp) as the clock in Copenhagen showed it: `3. december 2026 kl. 14.05`. */
export const formatDateTime = (isoTimestamp: string, language: Language): string =>
  cached(
    `datetime:${language}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: 'Europe/Copenhagen',
      }),
  ).format(new Date(isoTimestamp));

/**
 * How far `received` has come towards `awarded`, in [0, 1]; amounts as decimal strings with up to
 * 2 decimals, compared in whole øre so the share is exact up to the final division.
 */
export const shareReceived = (received: MoneyValue, awarded: MoneyValue): number => {
  const minor = (amount: string) => {
    const [whole = '0', fraction = ''] = amount.split('.');
    return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2) || '0');
  };
  const total = minor(awarded.amount);
  if (total === 0n) return 0;
  const part = minor(received.amount);
  if (part >= total) return 1;
  // Per mille first, so the division stays in integers.
  return Number((part * 1000n) / total) / 1000;
};

/** Today's date in Copenhagen as YYYY-MM-DD, for "due in N days" and date defaults. */
export const copenhagenToday = (now: Date = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);

/** A calendar date moved by whole days. */
export const addDays = (isoDate: string, days: number): string => {
  const [year, month, day] = isoDateParts(isoDate);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
};
