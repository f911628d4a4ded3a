import { FORVALTNINGER, TIME_ZONE } from '../config/catalogues';
import {
  type AlertThresholds,
  DEFAULT_ALERT_THRESHOLDS,
  deadlineGetsAlerts,
  fundingGetsAlerts,
  thresholdsFor,
} from './alerts';
import { addDays, type IsoDate } from './dates';
import { type DeadlineRecord, fundingEndsOnOf, type GrantRecord } from './grant';

/**
 * The calendar feed (RFC 5545) of a set of grants: one all-day event per OPEN deadline and per
 * funding end of a grant that is AWARDED or ACTIVE, each with a reminder (VALARM) at every alert
 * threshold. Pure: plain data in, the iCalendar text out; only DTSTAMP varies between calls.
 *
 * Decisions:
 * - An OPEN deadline is shown whatever its grant's status (an audit may fall after closure), but
 *   carries reminders only when the sweeper would send alerts for it too, so the calendar never
 *   reminds of what the e-mails do not.
 * - Reminders are `TRIGGER:-P<n>D` before the all-day event, i.e. at the start of the day n days
 *   before, the same calendar day the sweeper's alert for threshold n goes out.
 * - UIDs are derived from ids alone, so a moved deadline keeps its UID and a subscribed client
 *   moves the event instead of showing it twice.
 */

export const CALENDAR_DOMAIN = 'funding-tracker.kk.dk';
export const CALENDAR_PRODID = '-//Copenhagen Municipality//Funding tracker//EN';
export const CALENDAR_REFRESH = 'PT1H';

export type CalendarGrant = Pick<
  GrantRecord,
  | 'grantId'
  | 'acronym'
  | 'title'
  | 'forvaltning'
  | 'programme'
  | 'status'
  | 'endDate'
  | 'fundingEndsOn'
  | 'alertLeadDays'
>;

export type CalendarDeadline = Pick<DeadlineRecord, 'deadlineId' | 'kind' | 'title' | 'dueOn' | 'status'>;

export interface CalendarEntry {
  readonly grant: CalendarGrant;
  readonly deadlines: readonly CalendarDeadline[];
}

export interface CalendarInput {
  /** What the calendar shows, for its name: "TMF", "ATELIER"; omitted for everything. */
  readonly scopeName?: string | undefined;
  readonly entries: readonly CalendarEntry[];
  /** Only deadlines and funding ends on these dates (inclusive) are shown; omitted: all. */
  readonly window?: { readonly from: IsoDate; readonly to: IsoDate } | undefined;
  readonly thresholds?: AlertThresholds | undefined;
  /** When the feed was generated: DTSTAMP of every event. */
  readonly stamp: Date;
}

// ---- RFC 5545 text ----

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/**
 * TEXT values (RFC 5545 3.3.11): backslash, semicolon and comma escaped, every line break as `\n`.
 * Other control characters are not allowed in TEXT and become spaces.
 */
export const escapeText = (value: string): string =>
  value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');

const utf8Octets = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

/**
 * Folds a content line (RFC 5545 3.1): no physical line longer than 75 octets, continuation lines
 * start with one space, and a multi-byte UTF-8 character is never split.
 */
export const foldLine = (line: string): string => {
  const lines: string[] = [];
  let current = '';
  let octets = 0;
  // for…of walks code points, so a surrogate pair stays one character.
  for (const char of line) {
    const size = utf8Octets(char.codePointAt(0) ?? 0);
    if (octets + size > MAX_LINE_OCTETS) {
      lines.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  lines.push(current);
  return lines.join(CRLF);
};

/** `20210629` from `2021-06-29`. */
const dateValue = (date: IsoDate): string => date.replace(/-/g, '');

/** `20261122T090000Z`: DTSTAMP is always UTC. */
const utcValue = (instant: Date): string =>
  instant
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

const trigger = (days: number): string => (days === 0 ? 'PT0S' : `-P${days}D`);

type Line = readonly [name: string, value: string];

// ---- Events ----

interface CalendarEvent {
  readonly uid: string;
  readonly on: IsoDate;
  readonly summary: string;
  readonly description: string;
  readonly categories: readonly string[];
  readonly alarms: readonly { readonly days: number; readonly description: string }[];
}

const forvaltningName = (code: string): string => {
  const name = FORVALTNINGER.find((f) => f.code === code)?.name;
  return name ? `${code} (${name})` : code;
};

const deadlineKindLabel = (kind: string): string =>
  kind.charAt(0) + kind.slice(1).toLowerCase().replace(/_/g, ' ');

const grantLines = (grant: CalendarGrant): string[] => [
  `Grant: ${grant.acronym} – ${grant.title}`,
  `Forvaltning: ${forvaltningName(grant.forvaltning)}`,
  `Programme: ${grant.programme}`,
  `Grant status: ${grant.status}`,
];

const inDays = (days: number): string => (days === 0 ? 'today' : days === 1 ? 'in 1 day' : `in ${days} days`);

export const deadlineUid = (grantId: string, deadlineId: string): string =>
  `deadline-${grantId}-${deadlineId}@${CALENDAR_DOMAIN}`;

export const fundingUid = (grantId: string): string => `funding-${grantId}@${CALENDAR_DOMAIN}`;

const deadlineEvent = (
  grant: CalendarGrant,
  deadline: CalendarDeadline,
  thresholds: AlertThresholds,
): CalendarEvent => {
  const summary = `[${grant.acronym}] ${deadline.title}`;
  const alarmDays = deadlineGetsAlerts(grant, deadline) ? thresholdsFor(grant, thresholds).deadline : [];
  return {
    uid: deadlineUid(grant.grantId, deadline.deadlineId),
    on: deadline.dueOn,
    summary,
    description: [
      `${deadline.title} is due on ${deadline.dueOn}.`,
      ...grantLines(grant),
      `Deadline kind: ${deadlineKindLabel(deadline.kind)} (${deadline.kind})`,
      `Grant id: ${grant.grantId}`,
      `Deadline id: ${deadline.deadlineId}`,
    ].join('\n'),
    categories: ['Deadline', deadline.kind, grant.forvaltning],
    alarms: alarmDays.map((days) => ({ days, description: `${summary} is due ${inDays(days)}` })),
  };
};

const fundingEvent = (grant: CalendarGrant, thresholds: AlertThresholds): CalendarEvent => {
  const summary = `[${grant.acronym}] Funding ends`;
  const on = fundingEndsOnOf(grant);
  return {
    uid: fundingUid(grant.grantId),
    on,
    summary,
    description: [
      `The funding of ${grant.acronym} ends on ${on}.`,
      ...grantLines(grant),
      `Grant id: ${grant.grantId}`,
    ].join('\n'),
    categories: ['Funding end', grant.forvaltning],
    alarms: thresholdsFor(grant, thresholds).funding.map((days) => ({
      days,
      description: `The funding of ${grant.acronym} ends ${inDays(days)}`,
    })),
  };
};

/** The events a calendar shows, by date and then UID, so the same data always gives the same feed. */
export const calendarEvents = (input: Omit<CalendarInput, 'stamp' | 'scopeName'>): CalendarEvent[] => {
  const thresholds = input.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
  const shown = (on: IsoDate) => !input.window || (on >= input.window.from && on <= input.window.to);
  const events: CalendarEvent[] = [];
  for (const { grant, deadlines } of input.entries) {
    for (const deadline of deadlines) {
      if (deadline.status === 'OPEN' && shown(deadline.dueOn))
        events.push(deadlineEvent(grant, deadline, thresholds));
    }
    if (fundingGetsAlerts(grant) && shown(fundingEndsOnOf(grant)))
      events.push(fundingEvent(grant, thresholds));
  }
  const byUid = new Map(events.map((event) => [event.uid, event]));
  return [...byUid.values()].sort((a, b) =>
    a.on === b.on ? (a.uid < b.uid ? -1 : 1) : a.on < b.on ? -1 : 1,
  );
};

const eventLines = (event: CalendarEvent, stamp: string): Line[] => [
  ['BEGIN', 'VEVENT'],
  ['UID', event.uid],
  ['DTSTAMP', stamp],
  ['DTSTART;VALUE=DATE', dateValue(event.on)],
  ['DTEND;VALUE=DATE', dateValue(addDays(event.on, 1))],
  ['SUMMARY', escapeText(event.summary)],
  ['DESCRIPTION', escapeText(event.description)],
  ['CATEGORIES', event.categories.map(escapeText).join(',')],
  ['TRANSP', 'TRANSPARENT'],
  ...event.alarms.flatMap((alarm): Line[] => [
    ['BEGIN', 'VALARM'],
    ['ACTION', 'DISPLAY'],
    ['DESCRIPTION', escapeText(alarm.description)],
    ['TRIGGER', trigger(alarm.days)],
    ['END', 'VALARM'],
  ]),
  ['END', 'VEVENT'],
];

export const calendarName = (scopeName: string | undefined): string =>
  scopeName ? `Funding tracker – ${scopeName}` : 'Funding tracker';

/** The whole feed as iCalendar text: CRLF line ends, folded lines, UTF-8. */
export const buildCalendar = (input: CalendarInput): string => {
  const stamp = utcValue(input.stamp);
  const lines: Line[] = [
    ['BEGIN', 'VCALENDAR'],
    ['VERSION', '2.0'],
    ['PRODID', CALENDAR_PRODID],
    ['CALSCALE', 'GREGORIAN'],
    ['METHOD', 'PUBLISH'],
    ['X-WR-CALNAME', escapeText(calendarName(input.scopeName))],
    ['X-WR-TIMEZONE', TIME_ZONE],
    ['REFRESH-INTERVAL;VALUE=DURATION', CALENDAR_REFRESH],
    ['X-PUBLISHED-TTL', CALENDAR_REFRESH],
    ...calendarEvents(input).flatMap((event) => eventLines(event, stamp)),
    ['END', 'VCALENDAR'],
  ];
  return lines.map(([name, value]) => foldLine(`${name}:${value}`)).join(CRLF) + CRLF;
};

// ---- What a feed token may show ----

/** A feed token's scope: everything, one forvaltning's calendar or one grant's. */
export type FeedScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'forvaltning'; readonly forvaltning: string }
  | { readonly kind: 'grant'; readonly grantId: string };

/** What one feed request shows; a grant asked for under a forvaltning token must belong to it. */
export type FeedSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'forvaltning'; readonly forvaltning: string }
  | { readonly kind: 'grant'; readonly grantId: string; readonly mustBeIn?: string | undefined };

export const scopeOf = (request: {
  readonly forvaltning?: string | undefined;
  readonly grantId?: string | undefined;
}): FeedScope => {
  if (request.grantId) return { kind: 'grant', grantId: request.grantId };
  if (request.forvaltning) return { kind: 'forvaltning', forvaltning: request.forvaltning };
  return { kind: 'all' };
};

/**
 * The token's scope narrowed by the query: nothing asked shows the whole scope, a narrower ask is
 * granted, a wider or different one is not (undefined).
 */
export const selectFeed = (
  scope: FeedScope,
  query: { readonly forvaltning?: string | undefined; readonly grantId?: string | undefined },
): FeedSelection | undefined => {
  const asked = scopeOf(query);
  switch (scope.kind) {
    case 'all':
      return asked;
    case 'forvaltning':
      if (asked.kind === 'all') return scope;
      if (asked.kind === 'forvaltning') return asked.forvaltning === scope.forvaltning ? asked : undefined;
      return { ...asked, mustBeIn: scope.forvaltning };
    case 'grant':
      if (asked.kind === 'all') return scope;
      return asked.kind === 'grant' && asked.grantId === scope.grantId ? asked : undefined;
  }
};
