import { isValidIsoDate } from '../domain/dates';
import type { Parsed } from './numbers';

/**
 * Calendar dates as sheets write them: ISO "2021-05-01", Danish "01-05-2021" or "01.05.2021"
 * (day first; one-digit day and month are fine). Slashes are refused: "01/05/2021" is the first
 * of May in Denmark and the fifth of January in an American sheet, and this reads no guesses.
 * A time of day is accepted only when it is midnight, as exports of date columns write it.
 */

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?$/;
const DAY_FIRST = /^(\d{1,2})([-.])(\d{1,2})\2(\d{4})(?: 00:00(?::00)?)?$/;

const iso = (year: string, month: string, day: string) =>
  `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;

const HINT = 'write it as 2021-05-01, 01-05-2021 or 01.05.2021';

export const parseDateText = (raw: string): Parsed<string> => {
  const text = raw.trim();
  if (!text) return { ok: false, message: 'is empty' };
  let candidate: string | undefined;
  const isoMatch = ISO.exec(text);
  if (isoMatch) candidate = iso(isoMatch[1] ?? '', isoMatch[2] ?? '', isoMatch[3] ?? '');
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) candidate = iso(dayFirst[4] ?? '', dayFirst[3] ?? '', dayFirst[1] ?? '');
  if (candidate) {
    return isValidIsoDate(candidate)
      ? { ok: true, value: candidate }
      : { ok: false, message: `is not a calendar date ("${raw}")` };
  }
  if (/^\d{1,2}\/\d{1,2}\/\d{2,4}$/.test(text)) {
    return {
      ok: false,
      message: `is ambiguous ("${raw}": day/month or month/day); ${HINT}`,
    };
  }
  if (/^\d{1,2}[-.]\d{1,2}[-.]\d{2}$/.test(text)) {
    return { ok: false, message: `has a two-digit year ("${raw}"); ${HINT}` };
  }
  if (/^\d+(?:[.,]\d+)?$/.test(text)) {
    return {
      ok: false,
      message: `is a number, not a date ("${raw}"); format the cell as a date or ${HINT}`,
    };
  }
  return { ok: false, message: `is not a date ("${raw}"); ${HINT}` };
};
