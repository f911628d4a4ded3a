import { CURRENCIES, type Currency } from '../config/catalogues';

/**
 * Numbers as spreadsheets write them, read exactly (as decimal strings, never through a float).
 *
 * Two notations are read:
 * - Danish: dots group thousands, a comma marks decimals: "4.971.000", "665.462,5", "1.988.400,00".
 * - plain: no grouping, a dot marks decimals: "4971000", "665462.50", "1.5".
 * Spaces (also non-breaking) may group thousands in either: "4 971 000".
 *
 * Most cells can only be read one way ("665.462,5", "1,5", "4.971.000" are Danish; "665462.50" is
 * plain; "1500" is the same in both). Some cannot: "350.000" is 350000 in Danish and 350 in plain
 * notation. Such a cell is read by evidence (see notation.ts): its own `kr.` marker, else the
 * notation the unambiguous cells of its column show, else that of the whole file (where a `;`
 * delimiter counts for Danish, as Excel writes `;` where the decimal separator is `,`). Where the
 * evidence conflicts or there is none, the cell is refused, naming the cells that disagree.
 *
 * English notation ("1,000.00": commas group, a dot marks decimals) is never read: in a Danish sheet
 * a comma is a decimal comma. Such a cell counts as evidence for dot decimals (plain notation).
 * A group never starts with 0, so "0,655" and "0.655" (exchange rates) are never ambiguous.
 */

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const error = <T>(message: string): Parsed<T> => ({ ok: false, message });

export type Notation = 'danish' | 'plain';

/** A cell whose notation is certain, shown to the user when it decides (or contradicts) another. */
export interface Evidence {
  readonly notation: Notation;
  /** "line 2 awarded", "the ';' delimiter". */
  readonly source: string;
  /** The cell as written, when the evidence is a cell. */
  readonly text?: string;
}

/** How to read the ambiguous cells of one column: decided, contradicted or unknown. */
export interface NotationChoice {
  readonly notation?: Notation;
  /** The evidence for each notation that was found (both when they conflict). */
  readonly danish: readonly Evidence[];
  readonly plain: readonly Evidence[];
}

export const NO_EVIDENCE: NotationChoice = { danish: [], plain: [] };

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

/** Dot decimals with or without comma grouping: plain notation, or English where it groups. */
const dottedReading = (core: string): Decimal | undefined => {
  const match = ENGLISH_GROUPED.exec(core) ?? PLAIN.exec(core);
  return match ? decimal((match[1] ?? '').replaceAll(',', ''), match[2]) : undefined;
};

const HAS_SPACE = /[\s\u00a0\u202f\u2009]/;
const ALL_SPACES = /[\s\u00a0\u202f\u2009]/g;
const SPACE_GROUPED = /^\d{1,3}(?:[\s\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?$/;

interface Readings {
  /** The digits without grouping spaces. */
  readonly core: string;
  readonly danish?: Decimal | undefined;
  readonly plain?: Decimal | undefined;
  readonly dotted?: Decimal | undefined;
}

const readingsOf = (raw: string): Readings | undefined => {
  let core = raw;
  if (HAS_SPACE.test(core)) {
    if (!SPACE_GROUPED.test(core)) return undefined;
    core = core.replace(ALL_SPACES, '');
  }
  if (!/^\d[\d.,]*$/.test(core) || /[.,]$/.test(core)) return undefined;
  return { core, danish: danishReading(core), plain: plainReading(core), dotted: dottedReading(core) };
};

/** Which notation the digits alone prove, if any. */
const provenBy = (readings: Readings): Notation | undefined => {
  const { danish, dotted } = readings;
  if (danish && !dotted) return 'danish';
  if (dotted && !danish) return 'plain';
  return undefined;
};

const isAmbiguous = ({ danish, dotted }: Readings) =>
  danish !== undefined && dotted !== undefined && !sameDecimal(danish, dotted);

const listEvidence = (evidence: readonly Evidence[]): string => {
  const shown = evidence
    .slice(0, 3)
    .map((e) => (e.text === undefined ? e.source : `${e.source} ("${e.text}")`));
  const more = evidence.length > 3 ? ` and ${evidence.length - 3} more` : '';
  return `${shown.join(', ')}${more}`;
};

/** "Danish notation: line 2 awarded ("665.462,5"), the ';' delimiter" — what decided. */
export const describeChoice = (choice: NotationChoice): string => {
  const parts: string[] = [];
  if (choice.danish.length) parts.push(`Danish notation: ${listEvidence(choice.danish)}`);
  if (choice.plain.length) parts.push(`plain notation: ${listEvidence(choice.plain)}`);
  return parts.join('; ');
};

/** Reads the digits and separators of a number (no sign, no currency) by the notation chosen for it. */
const readCore = (raw: string, choice: NotationChoice): Parsed<Decimal> => {
  const readings = readingsOf(raw);
  if (!readings) return error(`is not a number ("${raw}")`);
  const { danish, plain, dotted } = readings;
  const englishAdvice = (d: Decimal) =>
    `"${raw}" groups thousands with a comma, but in a Danish sheet a comma is a decimal comma; write ${show(d)} or ${danishStyle(d)}`;
  if (!danish && !dotted) {
    return error(`is not a number in Danish ("1.988.400,00") or plain ("1988400.00") notation ("${raw}")`);
  }
  if (!isAmbiguous(readings)) {
    if (danish) return ok(danish);
    if (plain) return ok(plain);
    return error(`is ambiguous: ${englishAdvice(dotted as Decimal)}`);
  }
  const d = danish as Decimal;
  const e = dotted as Decimal;
  if (choice.notation === 'danish') return ok(d);
  if (choice.notation === 'plain') {
    if (plain) return ok(plain);
    return error(`is ambiguous: ${englishAdvice(e)}`);
  }
  const readingsText = plain
    ? `"${raw}" is ${show(d)} in Danish notation but ${show(plain)} in plain notation`
    : `"${raw}" is ${show(d)} with a decimal comma but ${show(e)} with a thousands comma`;
  const advice = plain
    ? `write ${show(d)} (or ${danishStyle(d)}) or ${twoDecimals(plain)}`
    : `write ${danishStyle(d)} or ${show(e)}`;
  const why =
    choice.danish.length && choice.plain.length
      ? `, and the evidence conflicts (${describeChoice(choice)})`
      : ', and nothing in the file shows which notation it uses';
  return error(`is ambiguous: ${readingsText}${why}; ${advice}`);
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

interface Split {
  readonly core: string;
  readonly marker?: string | undefined;
  readonly markedAs?: readonly Currency[] | undefined;
}

/** Separates a currency marker ("kr.", "EUR", "€") from the digits. */
const splitMarker = (raw: string): Parsed<Split> => {
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
  return ok({ core, marker, markedAs });
};

/** Danish Excel writes "kr." after Danish numbers: the marker settles the notation of its own cell. */
const marksDanish = (marker: string | undefined) => marker !== undefined && /^d?kr\.?$/i.test(marker);

/**
 * What a cell of text proves about the notation of its column: a decimal comma or `.`-grouped
 * thousands prove Danish, a decimal point that cannot be a thousands dot proves plain, a `kr.`
 * marker proves Danish unless the digits say otherwise. Undefined when it proves nothing.
 */
export const notationOf = (raw: string): Notation | undefined => {
  const split = splitMarker(raw);
  if (!split.ok) return undefined;
  const readings = readingsOf(split.value.core);
  if (!readings) return undefined;
  return provenBy(readings) ?? (marksDanish(split.value.marker) ? 'danish' : undefined);
};

/**
 * An amount of money as text: "4.971.000 kr." → "4971000.00", "665.462,5" → "665462.50",
 * "EUR 1.988.400,00" → "1988400.00". Negative amounts, more than two decimals and notation that
 * the evidence cannot settle are errors.
 */
export const parseAmountText = (raw: string, choice: NotationChoice = NO_EVIDENCE): Parsed<AmountText> => {
  const split = splitMarker(raw);
  if (!split.ok) return split;
  const { core, marker, markedAs } = split.value;
  const parsed = readCore(core, marksDanish(marker) ? { ...choice, notation: 'danish' } : choice);
  if (!parsed.ok) return parsed;
  const checked = checkDecimals(parsed.value, 2, raw);
  if (!checked.ok) return checked;
  return ok({
    amount: formatMoneyAmount(checked.value),
    ...(markedAs ? { markedAs, marker: marker as string } : {}),
  });
};

/** An exchange rate as text, up to six decimals: "7,46038" → "7.46038", "7.47" → "7.47". */
export const parseRateText = (raw: string, choice: NotationChoice = NO_EVIDENCE): Parsed<string> => {
  const text = raw.trim();
  if (!text) return error('is empty');
  if (negative(text)) return error('must not be negative');
  const parsed = readCore(text, choice);
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
