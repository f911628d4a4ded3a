import { CURRENCIES, type Currency } from '../config/catalogues';

/**
 * Numbers as spreadsheets write them, read exactly (as decimal strings, never through a float).
 *
 * Two notations are accepted:
 * - Danish: dots group thousands, a comma marks decimals: "4.971.000", "665.462,5", "1.988.400,00".
 * - plain: no grouping, a dot marks decimals: "4971000", "665462.50", "1.5".
 * Spaces (also non-breaking) may group thousands in either: "4 971 000".
 *
 * A value is read only when every reading of it agrees. English notation ("1,000.00": commas
 * group, a dot marks decimals) is never accepted, because in a Danish sheet a comma is a decimal
 * comma; but it is still considered as a reading, so that a value it would read differently is
 * refused as ambiguous rather than guessed:
 * - "1.500" is 1500 in Danish and 1.5 in plain notation: ambiguous, an error.
 * - "1,000" is 1 in Danish and 1000 in English notation: ambiguous, an error.
 * - "1,000.00" is English only: an error that says so.
 * Write "1500", "1.500,00" or "1500.00" instead. A group never starts with 0, so "0,655" and
 * "0.655" (exchange rates) are not ambiguous. Trailing zeros count as part of a reading
 * ("1.500" is a valid plain 1.5), so a three-digit group after a single separator is always
 * ambiguous, whatever the number of decimals the column allows.
 */

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const error = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** An exact non-negative decimal: integer digits without leading zeros, fraction without trailing zeros. */
interface Decimal {
  readonly whole: string;
  readonly fraction: string;
}

const decimal = (whole: string, fraction = ''): Decimal => ({
  whole: whole.replace(/^0+(?=\d)/, ''),
  fraction: fraction.replace(/0+$/, ''),
});

const sameDecimal = (a: Decimal, b: Decimal) => a.whole === b.whole && a.fraction === b.fraction;

const show = (d: Decimal) => (d.fraction ? `${d.whole}.${d.fraction}` : d.whole);

const DANISH_GROUPED = /^([1-9]\d{0,2}(?:\.\d{3})+)(?:,(\d+))?$/;
const DANISH_UNGROUPED = /^(\d+)(?:,(\d+))?$/;
const PLAIN = /^(\d+)(?:\.(\d+))?$/;
const ENGLISH_GROUPED = /^([1-9]\d{0,2}(?:,\d{3})+)(?:\.(\d+))?$/;

const danishReading = (core: string): Decimal | undefined => {
  const match = DANISH_GROUPED.exec(core) ?? DANISH_UNGROUPED.exec(core);
  return match ? decimal((match[1] ?? '').replaceAll('.', ''), match[2]) : undefined;
};

const plainReading = (core: string): Decimal | undefined => {
  const match = PLAIN.exec(core);
  return match ? decimal(match[1] ?? '', match[2]) : undefined;
};

const englishReading = (core: string): Decimal | undefined => {
  const match = ENGLISH_GROUPED.exec(core) ?? PLAIN.exec(core);
  return match ? decimal((match[1] ?? '').replaceAll(',', ''), match[2]) : undefined;
};

const HAS_SPACE = /[\s\u00a0\u202f\u2009]/;
const ALL_SPACES = /[\s\u00a0\u202f\u2009]/g;
const SPACE_GROUPED = /^\d{1,3}(?:[\s\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?$/;

/** Reads the digits and separators of a number (no sign, no currency) in the notations above. */
const readCore = (raw: string): Parsed<Decimal> => {
  let core = raw;
  if (HAS_SPACE.test(core)) {
    if (!SPACE_GROUPED.test(core)) return error(`is not a number ("${raw}")`);
    core = core.replace(ALL_SPACES, '');
  }
  if (!/^\d[\d.,]*$/.test(core) || /[.,]$/.test(core)) return error(`is not a number ("${raw}")`);
  const danish = danishReading(core);
  const plain = plainReading(core);
  const english = englishReading(core);
  const accepted = danish ?? plain;
  if (danish && plain && !sameDecimal(danish, plain)) {
    return error(
      `is ambiguous: "${raw}" is ${show(danish)} in Danish notation but ${show(plain)} in plain notation; write ${show(danish)} (or ${danishStyle(danish)}) or ${twoDecimals(plain)}`,
    );
  }
  if (!accepted) {
    return english
      ? error(
          `is ambiguous: "${raw}" groups thousands with a comma, but in a Danish sheet a comma is a decimal comma; write ${show(english)} or ${danishStyle(english)}`,
        )
      : error(`is not a number in Danish ("1.988.400,00") or plain ("1988400.00") notation ("${raw}")`);
  }
  if (english && !sameDecimal(english, accepted)) {
    return error(
      `is ambiguous: "${raw}" is ${show(accepted)} with a decimal comma but ${show(english)} with a thousands comma; write ${danishStyle(accepted)} or ${show(english)}`,
    );
  }
  return ok(accepted);
};

const danishStyle = (d: Decimal): string => {
  const grouped = d.whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${grouped},${d.fraction.padEnd(2, '0')}`;
};

const twoDecimals = (d: Decimal): string => `${d.whole}.${d.fraction.padEnd(2, '0')}`;

const checkDecimals = (d: Decimal, maxDecimals: number, raw: string): Parsed<Decimal> =>
  d.fraction.length > maxDecimals
    ? error(`has more than ${maxDecimals} decimals ("${raw}"); the importer never rounds`)
    : ok(d);

const negative = (text: string) => /^[-−–]|^\(.*\)$|-$/.test(text);

/** "4.971.000" → "4971000.00"; the amount as the wire wants it: exactly two decimals. */
export const formatMoneyAmount = (d: Decimal): string => `${d.whole}.${d.fraction.padEnd(2, '0')}`;

/** A rate as the wire wants it: no trailing zeros ("7,460380" → "7.46038"). */
export const formatRate = (d: Decimal): string => show(d);

/** Currency markers a Danish sheet writes next to amounts, and the currencies each may stand for. */
const MARKERS: ReadonlyArray<readonly [RegExp, readonly Currency[]]> = [
  [/^(?:kr\.?|dkr\.?)$/i, ['DKK', 'SEK', 'NOK']],
  [/^€$/, ['EUR']],
  [/^£$/, ['GBP']],
  [/^\$$/, ['USD']],
  ...CURRENCIES.map((code) => [new RegExp(`^${code}$`, 'i'), [code]] as const),
];

const AFFIX = /^((?:kr\.?|dkr\.?|€|£|\$|[a-z]{3})\s*)?(.*?)(\s*(?:kr\.?|dkr\.?|€|£|\$|[a-z]{3}))?$/i;

export interface AmountText {
  /** Exactly two decimals: "665462.50". */
  readonly amount: string;
  /** Currencies the amount's own marker allows ("kr." → DKK, SEK, NOK), when it has one. */
  readonly markedAs?: readonly Currency[];
  readonly marker?: string;
}

/**
 * An amount of money as text: "4.971.000 kr." → "4971000.00", "665.462,5" → "665462.50",
 * "EUR 1.988.400,00" → "1988400.00". Negative amounts, more than two decimals and ambiguous
 * notation are errors.
 */
export const parseAmountText = (raw: string): Parsed<AmountText> => {
  const text = raw.trim();
  if (!text) return error('is empty');
  if (negative(text)) return error('must not be negative');
  const match = AFFIX.exec(text);
  const prefix = match?.[1]?.trim();
  const suffix = match?.[3]?.trim();
  const core = (match?.[2] ?? text).trim();
  if (prefix && suffix) return error(`is not a number ("${raw}")`);
  const marker = prefix ?? suffix;
  let markedAs: readonly Currency[] | undefined;
  if (marker) {
    markedAs = MARKERS.find(([pattern]) => pattern.test(marker))?.[1];
    if (!markedAs)
      return error(`is not a number ("${raw}": ${marker} is not a currency this register knows)`);
  }
  if (negative(core)) return error('must not be negative');
  const parsed = readCore(core);
  if (!parsed.ok) return parsed;
  const checked = checkDecimals(parsed.value, 2, raw);
  if (!checked.ok) return checked;
  return ok({
    amount: formatMoneyAmount(checked.value),
    ...(markedAs ? { markedAs, marker: marker as string } : {}),
  });
};

/** An exchange rate as text, up to six decimals: "7,46038" → "7.46038", "7.47" → "7.47". */
export const parseRateText = (raw: string): Parsed<string> => {
  const text = raw.trim();
  if (!text) return error('is empty');
  if (negative(text)) return error('must not be negative');
  const parsed = readCore(text);
  if (!parsed.ok) return parsed;
  const checked = checkDecimals(parsed.value, 6, raw);
  return checked.ok ? ok(formatRate(checked.value)) : checked;
};

/**
 * A number written by a machine in plain notation, as CORDIS and spreadsheet cells holding
 * numbers give them: "665462.5", "1.5E5", "6.654625E5". Read exactly, exponent included; a
 * single decimal comma ("665462,5") is accepted too, since such files never group thousands.
 */
export const parsePlainNumber = (raw: string, maxDecimals: number): Parsed<string> => {
  const text = raw.trim();
  if (!text) return error('is empty');
  if (negative(text)) return error('must not be negative');
  const match = /^\+?(\d*)(?:[.,](\d*))?(?:e([+-]?\d{1,3}))?$/i.exec(text);
  if (!match || (!match[1] && !match[2])) return error(`is not a number ("${raw}")`);
  const digits = `${match[1] ?? ''}${match[2] ?? ''}`;
  const pointAt = (match[1] ?? '').length + Number(match[3] ?? 0);
  let whole: string;
  let fraction: string;
  if (pointAt <= 0) {
    whole = '0';
    fraction = '0'.repeat(-pointAt) + digits;
  } else if (pointAt >= digits.length) {
    whole = digits + '0'.repeat(pointAt - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, pointAt);
    fraction = digits.slice(pointAt);
  }
  const value = decimal(whole || '0', fraction);
  const checked = checkDecimals(value, maxDecimals, raw);
  if (!checked.ok) return checked;
  return ok(maxDecimals === 2 ? formatMoneyAmount(checked.value) : formatRate(checked.value));
};
