/**
 * The alert rules (PRODUCT.md 3), pure: which alert a sweep on a given Copenhagen calendar date
 * sends for a deadline or for a grant's funding end, what the item remembers afterwards, and on
 * which date it next needs a sweep.
 *
 * How the sweeper uses them: an item with something left to send sits in the sparse `byAlertDate`
 * index under its `nextAlertOn`. A sweep on D reads the items with nextAlertOn ≤ D, calls
 * `evaluateDeadline` / `evaluateFunding`, writes `alert` as ALERT#<alertKey> with a conditional put
 * (a re-run or a concurrent sweep computes the same key, so nothing is sent twice), then stores
 * `lastAlert` and `nextAlertOn` on the item (null: the item leaves the index). Whatever changes an
 * item's date, its status, its grant's status or its thresholds stores `lastAlertForDate(...)` and
 * `nextDeadlineAlertOn` / `nextFundingAlertOn` computed from today, so the index stays exact.
 *
 * Decisions the spec leaves open:
 * - A grant's `alertLeadDays` replaces the deadline thresholds only. Funding expiry keeps its own
 *   thresholds: the spec names "deadline thresholds", and a project lead who wants reminders 3 and
 *   1 days before a report should not thereby lose the 90-day warning that the money runs out.
 * - Alerts belong to a date. When dueOn or fundingEndsOn moves (either way), what was sent for the
 *   old date is forgotten and the new date gets its own alerts under new keys (`lastAlertForDate`).
 *   The evaluation applies this itself, so a state left behind by a date change cannot suppress
 *   the new date's alerts.
 * - A deadline that is DONE or WAIVED keeps its state; reopened, it continues from it (thresholds
 *   already sent stay sent, and the next is the tightest one crossed by then).
 * - Changing thresholds keeps the state: thresholds tighter than the tightest sent still fire,
 *   looser ones never do.
 * - Once DeadlineMissed / GrantExpired is sent for a date nothing more is sent for it, even for a
 *   sweep run with an earlier date, because the overdue alert is tighter than any threshold.
 */
import { DEFAULT_DEADLINE_ALERT_DAYS, DEFAULT_FUNDING_ALERT_DAYS } from '../config/catalogues';
import { addDays, type Clock, copenhagenDateOf, daysBetween, type IsoDate } from './dates';
import { type DeadlineRecord, fundingEndsOnOf, type GrantRecord } from './grant';
import type { GrantStatus } from './schemas';

// ---- Today ----

/** The sweep's date: the calendar date in Copenhagen now, not in UTC (00:30 in Copenhagen is still the day before in UTC). */
export const copenhagenToday = (clock: Clock): IsoDate => copenhagenDateOf(clock.now());

// ---- Thresholds ----

/** Days before the date at which an alert goes out, loosest first. */
export interface AlertThresholds {
  /** Before a deadline's `dueOn`. */
  readonly deadline: readonly number[];
  /** Before a grant's `fundingEndsOn`. */
  readonly funding: readonly number[];
}

/** Whole days ≥ 0 (0 = on the date itself), each once, loosest first. A bad value is a configuration error, so it throws. */
export const normaliseThresholds = (days: readonly number[]): readonly number[] => {
  for (const day of days) {
    if (!Number.isInteger(day) || day < 0) {
      throw new RangeError(`An alert threshold must be a whole number of days, 0 or more; got ${day}.`);
    }
  }
  return [...new Set(days)].sort((a, b) => b - a);
};

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  deadline: normaliseThresholds(DEFAULT_DEADLINE_ALERT_DAYS),
  funding: normaliseThresholds(DEFAULT_FUNDING_ALERT_DAYS),
};

/**
 * The thresholds for one grant: its `alertLeadDays` replace the deadline thresholds; funding expiry
 * keeps the defaults (see the decisions above). An empty list counts as none given, as the schema
 * refuses it anyway and no one means "never remind me" by it.
 */
export const thresholdsFor = (
  grant: Pick<GrantRecord, 'alertLeadDays'>,
  defaults: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
): AlertThresholds => ({
  deadline: normaliseThresholds(grant.alertLeadDays?.length ? grant.alertLeadDays : defaults.deadline),
  funding: normaliseThresholds(defaults.funding),
});

// ---- Who gets alerts ----

/** Deadlines of a grant that has ended or never started need no reminders. */
const GRANT_STATUSES_WITHOUT_DEADLINE_ALERTS: ReadonlySet<GrantStatus> = new Set([
  'CLOSED',
  'REJECTED',
  'TERMINATED',
]);
/** Only money actually awarded and not yet closed can run out. */
const GRANT_STATUSES_WITH_FUNDING_ALERTS: ReadonlySet<GrantStatus> = new Set(['AWARDED', 'ACTIVE']);

export const deadlineGetsAlerts = (
  grant: Pick<GrantRecord, 'status'>,
  deadline: Pick<DeadlineRecord, 'status'>,
): boolean => deadline.status === 'OPEN' && !GRANT_STATUSES_WITHOUT_DEADLINE_ALERTS.has(grant.status);

export const fundingGetsAlerts = (grant: Pick<GrantRecord, 'status'>): boolean =>
  GRANT_STATUSES_WITH_FUNDING_ALERTS.has(grant.status);

// ---- What an item remembers ----

/** What has been sent for an item (a deadline, or a grant's funding end), stored on the item as `lastAlert`. */
export interface LastAlert {
  /** The dueOn / fundingEndsOn these alerts were sent for; when the item's date differs, they no longer count. */
  readonly forDate: IsoDate;
  /** The tightest threshold alerted for that date; null while none has been. */
  readonly threshold: number | null;
  /** Whether DeadlineMissed / GrantExpired has been sent for that date. */
  readonly overdueSent: boolean;
}

export const nothingSentFor = (date: IsoDate): LastAlert => ({
  forDate: date,
  threshold: null,
  overdueSent: false,
});

/**
 * The state that applies to an item whose date is `date`: the stored one while it was kept for this
 * date, a fresh one when the date has moved. Store this whenever dueOn or fundingEndsOn changes.
 */
export const lastAlertForDate = (lastAlert: LastAlert | undefined, date: IsoDate): LastAlert =>
  lastAlert?.forDate === date ? lastAlert : nothingSentFor(date);

// ---- Alerts ----

export interface DeadlineApproachingAlert {
  readonly kind: 'DeadlineApproaching';
  readonly alertKey: string;
  readonly grantId: string;
  readonly deadlineId: string;
  readonly dueOn: IsoDate;
  readonly threshold: number;
  readonly daysLeft: number;
}

export interface DeadlineMissedAlert {
  readonly kind: 'DeadlineMissed';
  readonly alertKey: string;
  readonly grantId: string;
  readonly deadlineId: string;
  readonly dueOn: IsoDate;
  readonly threshold: null;
  readonly daysOverdue: number;
}

export interface GrantExpiringAlert {
  readonly kind: 'GrantExpiring';
  readonly alertKey: string;
  readonly grantId: string;
  readonly fundingEndsOn: IsoDate;
  readonly threshold: number;
  readonly daysLeft: number;
}

export interface GrantExpiredAlert {
  readonly kind: 'GrantExpired';
  readonly alertKey: string;
  readonly grantId: string;
  readonly fundingEndsOn: IsoDate;
  readonly threshold: null;
  readonly daysOverdue: number;
}

export type DeadlineAlert = DeadlineApproachingAlert | DeadlineMissedAlert;
export type FundingAlert = GrantExpiringAlert | GrantExpiredAlert;
export type Alert = DeadlineAlert | FundingAlert;
export type AlertKind = Alert['kind'];

/**
 * Alert keys identify one alert for good: the same item, date and threshold always give the same key,
 * a moved date gives new ones. Deadline ids are only unique within their grant (report deadlines are
 * `report-<periodEndsOn>` in every grant), so the grant id leads.
 */
export const deadlineAlertKey = (
  grantId: string,
  deadlineId: string,
  dueOn: IsoDate,
  threshold: number | 'MISSED',
): string => `${grantId}#DEADLINE#${deadlineId}#${dueOn}#${threshold}`;

export const fundingAlertKey = (
  grantId: string,
  fundingEndsOn: IsoDate,
  threshold: number | 'EXPIRED',
): string => `${grantId}#FUNDING#${fundingEndsOn}#${threshold}`;

// ---- The rules, for any dated item ----

/** One item as the rules see it. */
interface AlertTrack {
  readonly on: IsoDate;
  readonly getsAlerts: boolean;
  readonly thresholds: readonly number[];
  readonly lastAlert: LastAlert;
}

type Due = { readonly threshold: number; readonly daysLeft: number } | { readonly daysOverdue: number };

/** Never a looser threshold after a tighter one, so only thresholds below the tightest sent remain. */
const remainingThresholds = (track: AlertTrack): number[] => {
  const sent = track.lastAlert.threshold;
  return track.thresholds.filter((t) => sent === null || t < sent);
};

const dueOnDay = (track: AlertTrack, today: IsoDate): Due | undefined => {
  if (!track.getsAlerts || track.lastAlert.overdueSent) return undefined;
  const daysLeft = daysBetween(today, track.on);
  // Once the date has passed only the overdue alert makes sense; an approaching one would be news from yesterday.
  if (daysLeft < 0) return { daysOverdue: -daysLeft };
  const crossed = remainingThresholds(track).filter((t) => daysLeft <= t);
  // After downtime several may be crossed at once; the tightest says it all.
  return crossed.length ? { threshold: Math.min(...crossed), daysLeft } : undefined;
};

const nextOn = (track: AlertTrack, from: IsoDate): IsoDate | null => {
  if (!track.getsAlerts || track.lastAlert.overdueSent) return null;
  const remaining = remainingThresholds(track);
  // The loosest remaining threshold is crossed first; with none left, the overdue alert is due the day after the date.
  const firstDue = remaining.length ? addDays(track.on, -Math.max(...remaining)) : addDays(track.on, 1);
  return firstDue > from ? firstDue : from;
};

const afterSending = (lastAlert: LastAlert, due: Due): LastAlert =>
  'threshold' in due ? { ...lastAlert, threshold: due.threshold } : { ...lastAlert, overdueSent: true };

// ---- Deadlines ----

export interface DeadlineAlertSubject {
  readonly grant: Pick<GrantRecord, 'grantId' | 'status'>;
  readonly deadline: Pick<DeadlineRecord, 'deadlineId' | 'dueOn' | 'status'>;
  /** As stored on the deadline; absent when nothing has been sent yet. */
  readonly lastAlert?: LastAlert | undefined;
}

/** What a sweep does with one item: send `alert` (if any), then store `lastAlert` and `nextAlertOn`. */
export interface AlertEvaluation<A extends Alert> {
  readonly alert?: A | undefined;
  readonly lastAlert: LastAlert;
  /** The next date a sweep has something to send for this item; null: nothing ever again (leave the index). */
  readonly nextAlertOn: IsoDate | null;
}

const deadlineTrack = (
  { grant, deadline, lastAlert }: DeadlineAlertSubject,
  thresholds: readonly number[],
): AlertTrack => ({
  on: deadline.dueOn,
  getsAlerts: deadlineGetsAlerts(grant, deadline),
  thresholds,
  lastAlert: lastAlertForDate(lastAlert, deadline.dueOn),
});

/** The alert a sweep on `today` (a Copenhagen date) sends for a deadline, with what to store afterwards. */
export const evaluateDeadline = (
  subject: DeadlineAlertSubject,
  today: IsoDate,
  thresholds: readonly number[],
): AlertEvaluation<DeadlineAlert> => {
  const track = deadlineTrack(subject, thresholds);
  const due = dueOnDay(track, today);
  const lastAlert = due ? afterSending(track.lastAlert, due) : track.lastAlert;
  const nextAlertOn = nextOn({ ...track, lastAlert }, addDays(today, 1));
  if (!due) return { lastAlert, nextAlertOn };
  const { grantId } = subject.grant;
  const { deadlineId, dueOn } = subject.deadline;
  const alert: DeadlineAlert =
    'threshold' in due
      ? {
          kind: 'DeadlineApproaching',
          alertKey: deadlineAlertKey(grantId, deadlineId, dueOn, due.threshold),
          grantId,
          deadlineId,
          dueOn,
          threshold: due.threshold,
          daysLeft: due.daysLeft,
        }
      : {
          kind: 'DeadlineMissed',
          alertKey: deadlineAlertKey(grantId, deadlineId, dueOn, 'MISSED'),
          grantId,
          deadlineId,
          dueOn,
          threshold: null,
          daysOverdue: due.daysOverdue,
        };
  return { alert, lastAlert, nextAlertOn };
};

/**
 * The first date on or after `from` on which a sweep would send something for this deadline; null
 * when nothing will be sent again. Use today's date when a deadline is added, reopened or moved.
 */
export const nextDeadlineAlertOn = (
  subject: DeadlineAlertSubject,
  from: IsoDate,
  thresholds: readonly number[],
): IsoDate | null => nextOn(deadlineTrack(subject, thresholds), from);

// ---- Funding ----

export interface FundingAlertSubject {
  readonly grant: Pick<GrantRecord, 'grantId' | 'status' | 'fundingEndsOn' | 'endDate'>;
  /** As stored for the grant's funding end; absent when nothing has been sent yet. */
  readonly lastAlert?: LastAlert | undefined;
}

const fundingTrack = (
  { grant, lastAlert }: FundingAlertSubject,
  thresholds: readonly number[],
): AlertTrack => {
  const on = fundingEndsOnOf(grant);
  return { on, getsAlerts: fundingGetsAlerts(grant), thresholds, lastAlert: lastAlertForDate(lastAlert, on) };
};

/** The alert a sweep on `today` (a Copenhagen date) sends for a grant's funding end, with what to store afterwards. */
export const evaluateFunding = (
  subject: FundingAlertSubject,
  today: IsoDate,
  thresholds: readonly number[],
): AlertEvaluation<FundingAlert> => {
  const track = fundingTrack(subject, thresholds);
  const due = dueOnDay(track, today);
  const lastAlert = due ? afterSending(track.lastAlert, due) : track.lastAlert;
  const nextAlertOn = nextOn({ ...track, lastAlert }, addDays(today, 1));
  if (!due) return { lastAlert, nextAlertOn };
  const { grantId } = subject.grant;
  const fundingEndsOn = track.on;
  const alert: FundingAlert =
    'threshold' in due
      ? {
          kind: 'GrantExpiring',
          alertKey: fundingAlertKey(grantId, fundingEndsOn, due.threshold),
          grantId,
          fundingEndsOn,
          threshold: due.threshold,
          daysLeft: due.daysLeft,
        }
      : {
          kind: 'GrantExpired',
          alertKey: fundingAlertKey(grantId, fundingEndsOn, 'EXPIRED'),
          grantId,
          fundingEndsOn,
          threshold: null,
          daysOverdue: due.daysOverdue,
        };
  return { alert, lastAlert, nextAlertOn };
};

/**
 * The first date on or after `from` on which a sweep would send something for this grant's funding
 * end; null when nothing will be sent again. Use today's date when a grant is registered, changes
 * status or has its funding end moved.
 */
export const nextFundingAlertOn = (
  subject: FundingAlertSubject,
  from: IsoDate,
  thresholds: readonly number[],
): IsoDate | null => nextOn(fundingTrack(subject, thresholds), from);
