import { TIME_ZONE } from '../config/catalogues';

/** A calendar date as ISO `YYYY-MM-DD`. Dates are calendar dates in Europe/Copenhagen, never instants. */
export type IsoDate = string;

export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const DAY_MS = 86_400_000;

const toUtcMs = (date: IsoDate): number => Date.parse(`${date}T00:00:00Z`);

export const isValidIsoDate = (value: string): boolean => {
  if (!ISO_DATE_PATTERN.test(value)) return false;
  const ms = toUtcMs(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
};

export const addDays = (date: IsoDate, days: number): IsoDate =>
  new Date(toUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: IsoDate, to: IsoDate): number =>
  Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);

const copenhagenDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Copenhagen at an instant: 2026-03-28T23:30Z is already 2026-03-29 there. */
export const copenhagenDateOf = (instant: Date): IsoDate => copenhagenDate.format(instant);

export const yearOf = (date: IsoDate): number => Number(date.slice(0, 4));

/** "2021-05-01" → "2021-Q2". */
export const quarterOf = (date: IsoDate): string =>
  `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

export const monthOf = (date: IsoDate): string => date.slice(0, 7);

/** A clock is a port: logic takes it, tests pass any instant. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const fixedClock = (instant: Date | string): Clock => {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  return { now: () => new Date(at.getTime()) };
};
