import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Alert,
  type AlertEvaluation,
  copenhagenToday,
  DEFAULT_ALERT_THRESHOLDS,
  type DeadlineAlertSubject,
  deadlineAlertKey,
  evaluateDeadline,
  evaluateFunding,
  type FundingAlertSubject,
  fundingAlertKey,
  type LastAlert,
  lastAlertForDate,
  nextDeadlineAlertOn,
  nextFundingAlertOn,
  normaliseThresholds,
  nothingSentFor,
  thresholdsFor,
} from '../../lib/domain/alerts';
import { addDays, copenhagenDateOf, daysBetween, fixedClock, type IsoDate } from '../../lib/domain/dates';
import type { GrantRecord } from '../../lib/domain/grant';
import type { DeadlineStatus, GrantStatus } from '../../lib/domain/schemas';

// ---- Fixtures and a simulated sweeper ----

const DEADLINE_DAYS = DEFAULT_ALERT_THRESHOLDS.deadline;
const FUNDING_DAYS = DEFAULT_ALERT_THRESHOLDS.funding;

type Grant = FundingAlertSubject['grant'] & Pick<GrantRecord, 'alertLeadDays'>;
type Deadline = DeadlineAlertSubject['deadline'];

const grant = (status: GrantStatus = 'ACTIVE', fields: Partial<Grant> = {}): Grant => ({
  grantId: 'G1',
  status,
  endDate: '2026-12-31',
  ...fields,
});

const deadline = (dueOn: IsoDate, status: DeadlineStatus = 'OPEN', deadlineId = 'D1'): Deadline => ({
  deadlineId,
  dueOn,
  status,
});

/** Every calendar date from `from` to `to`, both included. */
const daysFromTo = (from: IsoDate, to: IsoDate): IsoDate[] =>
  Array.from({ length: daysBetween(from, to) + 1 }, (_, i) => addDays(from, i));

/** One item as the sweeper sees it: evaluate from the stored state, or say when it first falls due. */
interface SweptItem {
  readonly evaluate: (lastAlert: LastAlert | undefined, today: IsoDate) => AlertEvaluation<Alert>;
  readonly firstAlertOn: (from: IsoDate) => IsoDate | null;
}

const deadlineItem = (g: Grant, d: Deadline, thresholds: readonly number[] = DEADLINE_DAYS): SweptItem => ({
  evaluate: (lastAlert, today) => evaluateDeadline({ grant: g, deadline: d, lastAlert }, today, thresholds),
  firstAlertOn: (from) => nextDeadlineAlertOn({ grant: g, deadline: d }, from, thresholds),
});

const fundingItem = (g: Grant, thresholds: readonly number[] = FUNDING_DAYS): SweptItem => ({
  evaluate: (lastAlert, today) => evaluateFunding({ grant: g, lastAlert }, today, thresholds),
  firstAlertOn: (from) => nextFundingAlertOn({ grant: g }, from, thresholds),
});

interface Sent {
  readonly on: IsoDate;
  readonly alert: Alert;
}

interface SweepLog {
  readonly sent: Sent[];
  readonly sweeps: number;
  readonly lastAlert: LastAlert | undefined;
  readonly nextAlertOn: IsoDate | null;
}

/**
 * Sweeps on each of `sweepDays` as the sweeper will: the item is read only when the `byAlertDate`
 * index holds it (nextAlertOn ≤ day), and what the rules return is stored back. With
 * `honourIndex: false` it is evaluated on every sweep day regardless, to prove the index hides nothing.
 */
const sweep = (
  item: SweptItem,
  sweepDays: readonly IsoDate[],
  options: { honourIndex?: boolean; lastAlert?: LastAlert; nextAlertOn?: IsoDate | null } = {},
): SweepLog => {
  const honourIndex = options.honourIndex ?? true;
  let lastAlert = options.lastAlert;
  let nextAlertOn =
    options.nextAlertOn !== undefined
      ? options.nextAlertOn
      : sweepDays[0]
        ? item.firstAlertOn(sweepDays[0])
        : null;
  const sent: Sent[] = [];
  let sweeps = 0;
  for (const day of sweepDays) {
    if (honourIndex && (nextAlertOn === null || day < nextAlertOn)) continue;
    sweeps++;
    const result = item.evaluate(lastAlert, day);
    if (result.alert) sent.push({ on: day, alert: result.alert });
    lastAlert = result.lastAlert;
    nextAlertOn = result.nextAlertOn;
  }
  return { sent, sweeps, lastAlert, nextAlertOn };
};

/** "2026-03-14 DeadlineApproaching 1": what came out when, in one readable line each. */
const lines = (sent: readonly Sent[]): string[] =>
  sent.map(({ on, alert }) => `${on} ${alert.kind}${alert.threshold === null ? '' : ` ${alert.threshold}`}`);

// ---- Copenhagen dates ----

describe('copenhagenToday', () => {
  it('is already 2026-03-29 in Copenhagen at 2026-03-28T23:30:00Z, the night clocks go forward', () => {
    // arrange
    const clock = fixedClock('2026-03-28T23:30:00Z');
    // act / assert
    expect(copenhagenToday(clock)).toBe('2026-03-29');
    expect(copenhagenDateOf(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
  });

  it('is still 2026-03-28 one second before midnight CET', () => {
    expect(copenhagenToday(fixedClock('2026-03-28T22:59:59Z'))).toBe('2026-03-28');
  });

  it('turns the day at 22:00Z in summer time and at 23:00Z after clocks go back on 2026-10-25', () => {
    expect(copenhagenToday(fixedClock('2026-10-24T21:59:59Z'))).toBe('2026-10-24');
    expect(copenhagenToday(fixedClock('2026-10-24T22:00:00Z'))).toBe('2026-10-25');
    expect(copenhagenToday(fixedClock('2026-10-25T22:59:59Z'))).toBe('2026-10-25');
    expect(copenhagenToday(fixedClock('2026-10-25T23:30:00Z'))).toBe('2026-10-26');
  });

  it('feeds the rules: a sweep at 00:30 Copenhagen time on 2026-03-29 counts 1 day to 2026-03-30', () => {
    // arrange
    const today = copenhagenToday(fixedClock('2026-03-28T23:30:00Z'));
    // act
    const { alert } = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-03-30'), lastAlert: nothingSentFor('2026-03-30') },
      today,
      DEADLINE_DAYS,
    );
    // assert
    expect(alert).toMatchObject({ kind: 'DeadlineApproaching', threshold: 1, daysLeft: 1 });
  });
});

// ---- Thresholds ----

describe('thresholdsFor', () => {
  it('gives the defaults of PRODUCT.md 3: deadlines 30, 14, 7, 1; funding 90, 30', () => {
    expect(thresholdsFor({})).toEqual({ deadline: [30, 14, 7, 1], funding: [90, 30] });
    expect(thresholdsFor({ alertLeadDays: undefined })).toEqual(DEFAULT_ALERT_THRESHOLDS);
  });

  it("lets a grant's alertLeadDays replace the deadline thresholds but not the funding ones", () => {
    expect(thresholdsFor({ alertLeadDays: [60, 3] })).toEqual({ deadline: [60, 3], funding: [90, 30] });
  });

  it('orders thresholds loosest first and drops repeats', () => {
    expect(thresholdsFor({ alertLeadDays: [3, 60, 3, 10] }).deadline).toEqual([60, 10, 3]);
  });

  it('treats an empty alertLeadDays as none given', () => {
    expect(thresholdsFor({ alertLeadDays: [] }).deadline).toEqual([30, 14, 7, 1]);
  });

  it('takes configured defaults (CDK context) for both kinds', () => {
    // arrange
    const configured = { deadline: [21, 2], funding: [180, 60, 14] };
    // act / assert
    expect(thresholdsFor({}, configured)).toEqual({ deadline: [21, 2], funding: [180, 60, 14] });
    expect(thresholdsFor({ alertLeadDays: [5] }, configured)).toEqual({
      deadline: [5],
      funding: [180, 60, 14],
    });
  });

  it('refuses thresholds that are not whole days, 0 or more', () => {
    expect(() => normaliseThresholds([7, -1])).toThrow(RangeError);
    expect(() => normaliseThresholds([1.5])).toThrow(/whole number of days/);
    expect(() => normaliseThresholds([Number.NaN])).toThrow(RangeError);
    expect(normaliseThresholds([0, 1])).toEqual([1, 0]);
  });
});

// ---- One sweep ----

describe('evaluateDeadline on one day', () => {
  it('sends nothing while no threshold is crossed, and says when the first one is', () => {
    // act
    const result = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-03-15') },
      '2026-02-12',
      DEADLINE_DAYS,
    );
    // assert
    expect(result).toEqual({ lastAlert: nothingSentFor('2026-03-15'), nextAlertOn: '2026-02-13' });
  });

  it('sends the threshold on the day it is crossed, with everything the event needs', () => {
    // act
    const result = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-03-15') },
      '2026-02-13',
      DEADLINE_DAYS,
    );
    // assert
    expect(result).toEqual({
      alert: {
        kind: 'DeadlineApproaching',
        alertKey: 'G1#DEADLINE#D1#2026-03-15#30',
        grantId: 'G1',
        deadlineId: 'D1',
        dueOn: '2026-03-15',
        threshold: 30,
        daysLeft: 30,
      },
      lastAlert: { forDate: '2026-03-15', threshold: 30, overdueSent: false },
      nextAlertOn: '2026-03-01',
    });
  });

  it('sends only the tightest threshold crossed when several are', () => {
    // act: 5 days left, nothing sent yet: 30, 14 and 7 are all crossed
    const result = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-03-15') },
      '2026-03-10',
      DEADLINE_DAYS,
    );
    // assert
    expect(result.alert).toMatchObject({ kind: 'DeadlineApproaching', threshold: 7, daysLeft: 5 });
    expect(result.lastAlert.threshold).toBe(7);
    expect(result.nextAlertOn).toBe('2026-03-14');
  });

  it('still sends the 1-day threshold on the due date itself if it was not sent the day before', () => {
    // act
    const result = evaluateDeadline(
      {
        grant: grant(),
        deadline: deadline('2026-03-15'),
        lastAlert: { forDate: '2026-03-15', threshold: 7, overdueSent: false },
      },
      '2026-03-15',
      DEADLINE_DAYS,
    );
    // assert
    expect(result.alert).toMatchObject({ kind: 'DeadlineApproaching', threshold: 1, daysLeft: 0 });
    expect(result.nextAlertOn).toBe('2026-03-16');
  });

  it('sends DeadlineMissed, not an approaching alert, on the first sweep after dueOn', () => {
    // act: nothing was sent before (the deadline was only just added, or the system was down)
    const result = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-03-15') },
      '2026-03-18',
      DEADLINE_DAYS,
    );
    // assert
    expect(result).toEqual({
      alert: {
        kind: 'DeadlineMissed',
        alertKey: 'G1#DEADLINE#D1#2026-03-15#MISSED',
        grantId: 'G1',
        deadlineId: 'D1',
        dueOn: '2026-03-15',
        threshold: null,
        daysOverdue: 3,
      },
      lastAlert: { forDate: '2026-03-15', threshold: null, overdueSent: true },
      nextAlertOn: null,
    });
  });

  it('puts the grant, the deadline and its date in every key, so report deadlines of two grants never collide', () => {
    expect(deadlineAlertKey('G1', 'report-2026-04-30', '2026-06-29', 14)).toBe(
      'G1#DEADLINE#report-2026-04-30#2026-06-29#14',
    );
    expect(deadlineAlertKey('G2', 'report-2026-04-30', '2026-06-29', 14)).not.toBe(
      deadlineAlertKey('G1', 'report-2026-04-30', '2026-06-29', 14),
    );
    expect(fundingAlertKey('G1', '2026-12-31', 90)).toBe('G1#FUNDING#2026-12-31#90');
    expect(fundingAlertKey('G1', '2026-12-31', 'EXPIRED')).toBe('G1#FUNDING#2026-12-31#EXPIRED');
  });
});

describe('evaluateFunding on one day', () => {
  it('sends GrantExpiring at 90 days with the funding end and its key', () => {
    // act
    const result = evaluateFunding(
      { grant: grant('ACTIVE', { endDate: '2026-12-31' }) },
      '2026-10-02',
      FUNDING_DAYS,
    );
    // assert
    expect(result).toEqual({
      alert: {
        kind: 'GrantExpiring',
        alertKey: 'G1#FUNDING#2026-12-31#90',
        grantId: 'G1',
        fundingEndsOn: '2026-12-31',
        threshold: 90,
        daysLeft: 90,
      },
      lastAlert: { forDate: '2026-12-31', threshold: 90, overdueSent: false },
      nextAlertOn: '2026-12-01',
    });
  });

  it('uses fundingEndsOn when it differs from endDate (Interreg funding for the Øresundsmetro study ended 2021-03-31)', () => {
    // arrange
    const interreg = grant('ACTIVE', { endDate: '2021-12-31', fundingEndsOn: '2021-03-31' });
    // act
    const result = evaluateFunding({ grant: interreg }, '2021-04-01', FUNDING_DAYS);
    // assert
    expect(result.alert).toEqual({
      kind: 'GrantExpired',
      alertKey: 'G1#FUNDING#2021-03-31#EXPIRED',
      grantId: 'G1',
      fundingEndsOn: '2021-03-31',
      threshold: null,
      daysOverdue: 1,
    });
    expect(result.nextAlertOn).toBeNull();
  });
});

// ---- A year of sweeps ----

describe('a year of daily sweeps', () => {
  const year = daysFromTo('2026-01-01', '2027-01-31');

  it('sends exactly these alerts on exactly these dates, each item read only when it has one to send', () => {
    // arrange: three deadlines and a grant's funding end, all known from 2026-01-01
    const g = grant('ACTIVE', { endDate: '2026-12-31' });
    const items = {
      soon: deadlineItem(g, deadline('2026-01-10', 'OPEN', 'soon')),
      spring: deadlineItem(g, deadline('2026-03-15', 'OPEN', 'spring')),
      nextYear: deadlineItem(g, deadline('2027-01-15', 'OPEN', 'next-year')),
      funding: fundingItem(g),
    };

    // act
    const logs = Object.fromEntries(Object.entries(items).map(([name, item]) => [name, sweep(item, year)]));

    // assert
    expect(lines(logs.soon?.sent ?? [])).toEqual([
      '2026-01-01 DeadlineApproaching 14', // 9 days left when it arrives: 30 and 14 crossed, only 14
      '2026-01-03 DeadlineApproaching 7',
      '2026-01-09 DeadlineApproaching 1',
      '2026-01-11 DeadlineMissed',
    ]);
    expect(lines(logs.spring?.sent ?? [])).toEqual([
      '2026-02-13 DeadlineApproaching 30',
      '2026-03-01 DeadlineApproaching 14',
      '2026-03-08 DeadlineApproaching 7',
      '2026-03-14 DeadlineApproaching 1',
      '2026-03-16 DeadlineMissed',
    ]);
    expect(lines(logs.nextYear?.sent ?? [])).toEqual([
      '2026-12-16 DeadlineApproaching 30',
      '2027-01-01 DeadlineApproaching 14',
      '2027-01-08 DeadlineApproaching 7',
      '2027-01-14 DeadlineApproaching 1',
      '2027-01-16 DeadlineMissed',
    ]);
    expect(lines(logs.funding?.sent ?? [])).toEqual([
      '2026-10-02 GrantExpiring 90',
      '2026-12-01 GrantExpiring 30',
      '2027-01-01 GrantExpired',
    ]);
    for (const log of Object.values(logs)) {
      expect(log.sweeps).toBe(log.sent.length);
      expect(log.nextAlertOn).toBeNull();
    }
    expect(logs.spring?.sent.map((s) => s.alert.alertKey)).toEqual([
      'G1#DEADLINE#spring#2026-03-15#30',
      'G1#DEADLINE#spring#2026-03-15#14',
      'G1#DEADLINE#spring#2026-03-15#7',
      'G1#DEADLINE#spring#2026-03-15#1',
      'G1#DEADLINE#spring#2026-03-15#MISSED',
    ]);
    expect(logs.funding?.sent.map((s) => s.alert)).toContainEqual(
      expect.objectContaining({
        kind: 'GrantExpiring',
        threshold: 30,
        daysLeft: 30,
        fundingEndsOn: '2026-12-31',
      }),
    );
  });

  it('sends the same alerts when every item is read every day, so the index hides nothing', () => {
    // arrange
    const g = grant('AWARDED', { endDate: '2026-08-20' });
    const items = [deadlineItem(g, deadline('2026-05-05')), fundingItem(g)];
    for (const item of items) {
      // act
      const indexed = sweep(item, year);
      const everyDay = sweep(item, year, { honourIndex: false });
      // assert
      expect(everyDay.sent).toEqual(indexed.sent);
      expect(everyDay.sweeps).toBe(year.length);
    }
  });
});

// ---- Downtime, re-runs, concurrency ----

describe('downtime', () => {
  it('after 10 days without sweeps that crossed 14 and 7, sends only 7, and never 14 afterwards', () => {
    // arrange: down from 2026-05-15 to 2026-05-24; 14 fell due on 05-17 and 7 on 05-24
    const sweepDays = daysFromTo('2026-04-01', '2026-06-30').filter(
      (d) => d < '2026-05-15' || d > '2026-05-24',
    );
    // act
    const log = sweep(deadlineItem(grant(), deadline('2026-05-31')), sweepDays);
    // assert
    expect(lines(log.sent)).toEqual([
      '2026-05-01 DeadlineApproaching 30',
      '2026-05-25 DeadlineApproaching 7',
      '2026-05-30 DeadlineApproaching 1',
      '2026-06-01 DeadlineMissed',
    ]);
    expect(log.sent[1]?.alert).toMatchObject({ daysLeft: 6 });
  });

  it('sends DeadlineMissed alone when the system was down across the due date', () => {
    // arrange: last sweep 2026-05-20 (after 14), back on 2026-06-03
    const sweepDays = daysFromTo('2026-04-01', '2026-06-30').filter(
      (d) => d <= '2026-05-20' || d >= '2026-06-03',
    );
    // act
    const log = sweep(deadlineItem(grant(), deadline('2026-05-31')), sweepDays);
    // assert
    expect(lines(log.sent)).toEqual([
      '2026-05-01 DeadlineApproaching 30',
      '2026-05-17 DeadlineApproaching 14',
      '2026-06-03 DeadlineMissed',
    ]);
    expect(log.sent[2]?.alert).toMatchObject({ daysOverdue: 3 });
  });

  it('sends only GrantExpiring 30 after a gap across both funding thresholds', () => {
    // arrange
    const sweepDays = daysFromTo('2026-09-01', '2027-01-31').filter(
      (d) => d < '2026-09-20' || d > '2026-12-05',
    );
    // act
    const log = sweep(fundingItem(grant('ACTIVE', { endDate: '2026-12-31' })), sweepDays);
    // assert
    expect(lines(log.sent)).toEqual(['2026-12-06 GrantExpiring 30', '2027-01-01 GrantExpired']);
  });
});

describe('the same sweep twice', () => {
  it('sends nothing the second time on the same day once the state is stored', () => {
    // arrange
    const subject: DeadlineAlertSubject = { grant: grant(), deadline: deadline('2026-03-15') };
    const first = evaluateDeadline(subject, '2026-03-08', DEADLINE_DAYS);
    // act
    const second = evaluateDeadline({ ...subject, lastAlert: first.lastAlert }, '2026-03-08', DEADLINE_DAYS);
    // assert
    expect(first.alert).toMatchObject({ threshold: 7 });
    expect(second.alert).toBeUndefined();
    expect(second.lastAlert).toEqual(first.lastAlert);
    expect(second.nextAlertOn).toBe(first.nextAlertOn);
  });

  it('sends nothing twice for missed and expired either', () => {
    // arrange
    const d: DeadlineAlertSubject = { grant: grant(), deadline: deadline('2026-03-15') };
    const f: FundingAlertSubject = { grant: grant('ACTIVE', { endDate: '2026-03-15' }) };
    const missed = evaluateDeadline(d, '2026-03-16', DEADLINE_DAYS);
    const expired = evaluateFunding(f, '2026-03-16', FUNDING_DAYS);
    // act / assert
    expect(
      evaluateDeadline({ ...d, lastAlert: missed.lastAlert }, '2026-03-16', DEADLINE_DAYS).alert,
    ).toBeUndefined();
    expect(
      evaluateFunding({ ...f, lastAlert: expired.lastAlert }, '2026-03-16', FUNDING_DAYS).alert,
    ).toBeUndefined();
  });

  it('gives two concurrent sweeps from the same state the same alert key, so the conditional put lets one through', () => {
    // arrange
    const subject: DeadlineAlertSubject = {
      grant: grant(),
      deadline: deadline('2026-03-15'),
      lastAlert: { forDate: '2026-03-15', threshold: 30, overdueSent: false },
    };
    // act
    const a = evaluateDeadline(subject, '2026-03-02', DEADLINE_DAYS);
    const b = evaluateDeadline(subject, '2026-03-02', DEADLINE_DAYS);
    // assert
    expect(a.alert?.alertKey).toBe('G1#DEADLINE#D1#2026-03-15#14');
    expect(b).toEqual(a);
  });

  it('never goes back to a looser threshold when a sweep runs with an earlier date', () => {
    // arrange: 7 sent on 2026-03-08; someone runs `npm run sweep -- --today 2026-02-20`
    const lastAlert: LastAlert = { forDate: '2026-03-15', threshold: 7, overdueSent: false };
    // act
    const result = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-03-15'), lastAlert },
      '2026-02-20',
      DEADLINE_DAYS,
    );
    // assert
    expect(result.alert).toBeUndefined();
    expect(result.lastAlert).toEqual(lastAlert);
  });
});

// ---- Deadline and grant status ----

describe('deadline status', () => {
  it.each<DeadlineStatus>(['DONE', 'WAIVED'])(
    'sends nothing for a %s deadline and takes it out of the index',
    (status) => {
      // arrange
      const subject: DeadlineAlertSubject = { grant: grant(), deadline: deadline('2026-03-15', status) };
      // act
      const log = sweep(
        deadlineItem(grant(), deadline('2026-03-15', status)),
        daysFromTo('2026-01-01', '2026-12-31'),
        {
          honourIndex: false,
        },
      );
      // assert
      expect(log.sent).toEqual([]);
      expect(nextDeadlineAlertOn(subject, '2026-01-01', DEADLINE_DAYS)).toBeNull();
      expect(evaluateDeadline(subject, '2026-03-08', DEADLINE_DAYS).nextAlertOn).toBeNull();
    },
  );

  it('continues a reopened deadline from its state: thresholds sent stay sent, the tightest crossed comes next', () => {
    // arrange: 30 sent on 2026-03-31; DONE on 2026-04-05; OPEN again on 2026-04-25 (5 days left)
    const open = deadlineItem(grant(), deadline('2026-04-30'));
    const done = deadlineItem(grant(), deadline('2026-04-30', 'DONE'));
    const beforeDone = sweep(open, daysFromTo('2026-03-01', '2026-04-04'));
    const whileDone = sweep(done, daysFromTo('2026-04-05', '2026-04-24'), {
      lastAlert: beforeDone.lastAlert as LastAlert,
      nextAlertOn: nextDeadlineAlertOn(
        { grant: grant(), deadline: deadline('2026-04-30', 'DONE'), lastAlert: beforeDone.lastAlert },
        '2026-04-05',
        DEADLINE_DAYS,
      ),
    });
    const reopenedNext = nextDeadlineAlertOn(
      { grant: grant(), deadline: deadline('2026-04-30'), lastAlert: whileDone.lastAlert },
      '2026-04-25',
      DEADLINE_DAYS,
    );
    // act
    const afterReopen = sweep(open, daysFromTo('2026-04-25', '2026-06-30'), {
      lastAlert: whileDone.lastAlert as LastAlert,
      nextAlertOn: reopenedNext,
    });
    // assert
    expect(lines(beforeDone.sent)).toEqual(['2026-03-31 DeadlineApproaching 30']);
    expect(whileDone.sweeps).toBe(0);
    expect(reopenedNext).toBe('2026-04-25');
    expect(lines(afterReopen.sent)).toEqual([
      '2026-04-25 DeadlineApproaching 7',
      '2026-04-29 DeadlineApproaching 1',
      '2026-05-01 DeadlineMissed',
    ]);
  });

  it('sends DeadlineMissed for a deadline reopened after its due date, and nothing if it was already sent', () => {
    // arrange
    const reopened: DeadlineAlertSubject = {
      grant: grant(),
      deadline: deadline('2026-04-30'),
      lastAlert: { forDate: '2026-04-30', threshold: 1, overdueSent: false },
    };
    const alreadyMissed: DeadlineAlertSubject = {
      ...reopened,
      lastAlert: { forDate: '2026-04-30', threshold: 1, overdueSent: true },
    };
    // act / assert
    expect(nextDeadlineAlertOn(reopened, '2026-05-20', DEADLINE_DAYS)).toBe('2026-05-20');
    expect(evaluateDeadline(reopened, '2026-05-20', DEADLINE_DAYS).alert).toMatchObject({
      kind: 'DeadlineMissed',
      daysOverdue: 20,
    });
    expect(nextDeadlineAlertOn(alreadyMissed, '2026-05-20', DEADLINE_DAYS)).toBeNull();
    expect(evaluateDeadline(alreadyMissed, '2026-05-20', DEADLINE_DAYS).alert).toBeUndefined();
  });
});

describe('grant status', () => {
  const year = daysFromTo('2026-01-01', '2027-03-31');

  it.each<GrantStatus>(['CLOSED', 'REJECTED', 'TERMINATED'])(
    'sends no deadline or funding alert for a %s grant',
    (status) => {
      // arrange
      const g = grant(status, { endDate: '2026-12-31' });
      // act
      const deadlines = sweep(deadlineItem(g, deadline('2026-06-30')), year, { honourIndex: false });
      const funding = sweep(fundingItem(g), year, { honourIndex: false });
      // assert
      expect(deadlines.sent).toEqual([]);
      expect(funding.sent).toEqual([]);
      expect(
        nextDeadlineAlertOn({ grant: g, deadline: deadline('2026-06-30') }, '2026-01-01', DEADLINE_DAYS),
      ).toBeNull();
      expect(nextFundingAlertOn({ grant: g }, '2026-01-01', FUNDING_DAYS)).toBeNull();
    },
  );

  it.each<GrantStatus>(['APPLIED', 'AWARDED', 'ACTIVE'])('sends deadline alerts for a %s grant', (status) => {
    // act
    const log = sweep(deadlineItem(grant(status), deadline('2026-06-30')), year);
    // assert
    expect(log.sent.map((s) => s.alert.threshold)).toEqual([30, 14, 7, 1, null]);
  });

  it.each<GrantStatus>(['AWARDED', 'ACTIVE'])(
    'sends GrantExpiring and GrantExpired once each for an %s grant',
    (status) => {
      // act
      const log = sweep(fundingItem(grant(status, { endDate: '2026-12-31' })), year, { honourIndex: false });
      // assert
      expect(lines(log.sent)).toEqual([
        '2026-10-02 GrantExpiring 90',
        '2026-12-01 GrantExpiring 30',
        '2027-01-01 GrantExpired',
      ]);
    },
  );

  it('sends no funding alert for an APPLIED grant, then the tightest crossed once it is AWARDED', () => {
    // arrange: applied until 2026-11-10, awarded that day with 51 days of funding left
    const applied = grant('APPLIED', { endDate: '2026-12-31' });
    const awarded = grant('AWARDED', { endDate: '2026-12-31' });
    const whileApplied = sweep(fundingItem(applied), daysFromTo('2026-01-01', '2026-11-09'), {
      honourIndex: false,
    });
    // act
    const nextOnAward = nextFundingAlertOn(
      { grant: awarded, lastAlert: whileApplied.lastAlert },
      '2026-11-10',
      FUNDING_DAYS,
    );
    const afterAward = sweep(fundingItem(awarded), daysFromTo('2026-11-10', '2027-01-31'), {
      lastAlert: whileApplied.lastAlert as LastAlert,
      nextAlertOn: nextOnAward,
    });
    // assert
    expect(whileApplied.sent).toEqual([]);
    expect(nextFundingAlertOn({ grant: applied }, '2026-01-01', FUNDING_DAYS)).toBeNull();
    expect(nextOnAward).toBe('2026-11-10');
    expect(lines(afterAward.sent)).toEqual([
      '2026-11-10 GrantExpiring 90',
      '2026-12-01 GrantExpiring 30',
      '2027-01-01 GrantExpired',
    ]);
  });

  it('sends no GrantExpired once the grant is CLOSED, even if the funding end passed unswept', () => {
    // arrange: 30 sent while ACTIVE, then CLOSED before the funding end
    const lastAlert: LastAlert = { forDate: '2026-12-31', threshold: 30, overdueSent: false };
    const closed: FundingAlertSubject = { grant: grant('CLOSED', { endDate: '2026-12-31' }), lastAlert };
    // act
    const result = evaluateFunding(closed, '2027-01-01', FUNDING_DAYS);
    // assert
    expect(result.alert).toBeUndefined();
    expect(result.nextAlertOn).toBeNull();
  });

  it('takes the deadlines of a grant terminated mid-way out of the index on their next sweep', () => {
    // arrange: 30 sent; the grant is terminated before 14 falls due
    const subject: DeadlineAlertSubject = {
      grant: grant('TERMINATED'),
      deadline: deadline('2026-06-30'),
      lastAlert: { forDate: '2026-06-30', threshold: 30, overdueSent: false },
    };
    // act
    const result = evaluateDeadline(subject, '2026-06-16', DEADLINE_DAYS);
    // assert
    expect(result).toEqual({ lastAlert: subject.lastAlert, nextAlertOn: null });
  });
});

// ---- Per-grant thresholds ----

describe("a grant's alertLeadDays", () => {
  it('replace the deadline thresholds and leave funding expiry at 90 and 30', () => {
    // arrange
    const g = grant('ACTIVE', { endDate: '2026-12-31', alertLeadDays: [2, 10] });
    const thresholds = thresholdsFor(g);
    const year = daysFromTo('2026-01-01', '2027-01-31');
    // act
    const deadlines = sweep(deadlineItem(g, deadline('2026-06-30'), thresholds.deadline), year);
    const funding = sweep(fundingItem(g, thresholds.funding), year);
    // assert
    expect(lines(deadlines.sent)).toEqual([
      '2026-06-20 DeadlineApproaching 10',
      '2026-06-28 DeadlineApproaching 2',
      '2026-07-01 DeadlineMissed',
    ]);
    expect(lines(funding.sent)).toEqual([
      '2026-10-02 GrantExpiring 90',
      '2026-12-01 GrantExpiring 30',
      '2027-01-01 GrantExpired',
    ]);
  });

  it('keep what was sent when they change: a new tighter threshold still fires, a looser one never does', () => {
    // arrange: 14 sent under the defaults; the grant then asks for 21 and 3 days
    const lastAlert: LastAlert = { forDate: '2026-06-30', threshold: 14, overdueSent: false };
    const thresholds = thresholdsFor({ alertLeadDays: [21, 3] }).deadline;
    const subject: DeadlineAlertSubject = { grant: grant(), deadline: deadline('2026-06-30'), lastAlert };
    // act
    const next = nextDeadlineAlertOn(subject, '2026-06-18', thresholds);
    const log = sweep(
      deadlineItem(grant(), deadline('2026-06-30'), thresholds),
      daysFromTo('2026-06-18', '2026-07-31'),
      {
        lastAlert,
        nextAlertOn: next,
      },
    );
    // assert
    expect(next).toBe('2026-06-27');
    expect(lines(log.sent)).toEqual(['2026-06-27 DeadlineApproaching 3', '2026-07-01 DeadlineMissed']);
  });
});

// ---- Calendar edges ----

describe('calendar edges', () => {
  it('counts across 29 February 2028 in whole days', () => {
    // arrange
    const everyDay = daysFromTo('2027-12-01', '2028-03-31');
    // act
    const leapDay = sweep(deadlineItem(grant(), deadline('2028-02-29')), everyDay);
    const dayAfter = sweep(deadlineItem(grant(), deadline('2028-03-01')), everyDay);
    // assert
    expect(lines(leapDay.sent)).toEqual([
      '2028-01-30 DeadlineApproaching 30',
      '2028-02-15 DeadlineApproaching 14',
      '2028-02-22 DeadlineApproaching 7',
      '2028-02-28 DeadlineApproaching 1',
      '2028-03-01 DeadlineMissed',
    ]);
    expect(lines(dayAfter.sent)).toEqual([
      '2028-01-31 DeadlineApproaching 30',
      '2028-02-16 DeadlineApproaching 14',
      '2028-02-23 DeadlineApproaching 7',
      '2028-02-29 DeadlineApproaching 1',
      '2028-03-02 DeadlineMissed',
    ]);
    expect(
      leapDay.sent.map((s) => (s.alert.kind === 'DeadlineApproaching' ? s.alert.daysLeft : null)),
    ).toEqual([30, 14, 7, 1, null]);
  });

  it('counts 2028-02-28 to 2028-03-01 as 2 days', () => {
    // act
    const { alert } = evaluateDeadline(
      { grant: grant(), deadline: deadline('2028-03-01') },
      '2028-02-28',
      DEADLINE_DAYS,
    );
    // assert
    expect(alert).toMatchObject({ threshold: 7, daysLeft: 2 });
  });

  it('keeps whole days across the spring DST change (dueOn 2026-03-30, clocks forward 2026-03-29)', () => {
    // act
    const log = sweep(deadlineItem(grant(), deadline('2026-03-30')), daysFromTo('2026-02-01', '2026-04-30'));
    // assert
    expect(lines(log.sent)).toEqual([
      '2026-02-28 DeadlineApproaching 30',
      '2026-03-16 DeadlineApproaching 14',
      '2026-03-23 DeadlineApproaching 7',
      '2026-03-29 DeadlineApproaching 1',
      '2026-03-31 DeadlineMissed',
    ]);
    expect(log.sent.map((s) => ('daysLeft' in s.alert ? s.alert.daysLeft : s.alert.daysOverdue))).toEqual([
      30, 14, 7, 1, 1,
    ]);
  });

  it('keeps whole days across the autumn DST change (dueOn 2026-10-26, clocks back 2026-10-25)', () => {
    // act
    const log = sweep(deadlineItem(grant(), deadline('2026-10-26')), daysFromTo('2026-09-01', '2026-11-30'));
    // assert
    expect(lines(log.sent)).toEqual([
      '2026-09-26 DeadlineApproaching 30',
      '2026-10-12 DeadlineApproaching 14',
      '2026-10-19 DeadlineApproaching 7',
      '2026-10-25 DeadlineApproaching 1',
      '2026-10-27 DeadlineMissed',
    ]);
  });

  it('sends the 1-day alert for 2026-10-26 at 00:30 Copenhagen time on the 26th, as 0 days left', () => {
    // arrange: 7 sent; the sweep of the 25th did not run, it runs just after midnight
    const today = copenhagenToday(fixedClock('2026-10-25T23:30:00Z'));
    const lastAlert: LastAlert = { forDate: '2026-10-26', threshold: 7, overdueSent: false };
    // act
    const { alert } = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-10-26'), lastAlert },
      today,
      DEADLINE_DAYS,
    );
    // assert
    expect(today).toBe('2026-10-26');
    expect(alert).toMatchObject({ threshold: 1, daysLeft: 0 });
  });
});

// ---- Missed and expired exactly once ----

describe('missed and expired', () => {
  it('sends DeadlineMissed exactly once, however many days the deadline stays open', () => {
    // act
    const log = sweep(deadlineItem(grant(), deadline('2026-03-15')), daysFromTo('2026-03-10', '2026-12-31'), {
      honourIndex: false,
    });
    // assert
    expect(log.sent.filter((s) => s.alert.kind === 'DeadlineMissed')).toEqual([
      {
        on: '2026-03-16',
        alert: expect.objectContaining({ daysOverdue: 1, alertKey: 'G1#DEADLINE#D1#2026-03-15#MISSED' }),
      },
    ]);
    expect(log.nextAlertOn).toBeNull();
  });

  it('sends GrantExpired exactly once, only while AWARDED or ACTIVE', () => {
    // arrange
    const after = daysFromTo('2026-12-25', '2027-12-31');
    // act
    const sentByStatus = Object.fromEntries(
      (['APPLIED', 'AWARDED', 'ACTIVE', 'CLOSED', 'REJECTED', 'TERMINATED'] as const).map((status) => [
        status,
        sweep(fundingItem(grant(status, { endDate: '2026-12-31' })), after, {
          honourIndex: false,
        }).sent.filter((s) => s.alert.kind === 'GrantExpired').length,
      ]),
    );
    // assert
    expect(sentByStatus).toEqual({
      APPLIED: 0,
      AWARDED: 1,
      ACTIVE: 1,
      CLOSED: 0,
      REJECTED: 0,
      TERMINATED: 0,
    });
  });

  it('is due the day after the date: nextAlertOn is dueOn + 1 once every threshold is sent', () => {
    // arrange
    const lastAlert: LastAlert = { forDate: '2026-03-15', threshold: 1, overdueSent: false };
    // act / assert
    expect(
      nextDeadlineAlertOn(
        { grant: grant(), deadline: deadline('2026-03-15'), lastAlert },
        '2026-03-14',
        DEADLINE_DAYS,
      ),
    ).toBe('2026-03-16');
    expect(
      evaluateDeadline(
        { grant: grant(), deadline: deadline('2026-03-15'), lastAlert },
        '2026-03-15',
        DEADLINE_DAYS,
      ),
    ).toEqual({
      lastAlert,
      nextAlertOn: '2026-03-16',
    });
  });
});

// ---- Moving a date ----

describe('a moved date', () => {
  it('keeps the state while the date stays, and starts afresh when it moves', () => {
    // arrange
    const sent: LastAlert = { forDate: '2026-06-30', threshold: 14, overdueSent: true };
    // act / assert
    expect(lastAlertForDate(sent, '2026-06-30')).toBe(sent);
    expect(lastAlertForDate(sent, '2026-07-31')).toEqual({
      forDate: '2026-07-31',
      threshold: null,
      overdueSent: false,
    });
    expect(lastAlertForDate(undefined, '2026-07-31')).toEqual(nothingSentFor('2026-07-31'));
  });

  it('gives a deadline moved later its own alerts again, under new keys', () => {
    // arrange: 30 and 14 sent for 2026-06-30; on 2026-06-20 it moves to 2026-07-31
    const before = sweep(
      deadlineItem(grant(), deadline('2026-06-30')),
      daysFromTo('2026-05-01', '2026-06-19'),
    );
    const moved: DeadlineAlertSubject = {
      grant: grant(),
      deadline: deadline('2026-07-31'),
      lastAlert: lastAlertForDate(before.lastAlert, '2026-07-31'),
    };
    // act
    const next = nextDeadlineAlertOn(moved, '2026-06-20', DEADLINE_DAYS);
    const after = sweep(
      deadlineItem(grant(), deadline('2026-07-31')),
      daysFromTo('2026-06-20', '2026-08-31'),
      {
        lastAlert: moved.lastAlert as LastAlert,
        nextAlertOn: next,
      },
    );
    // assert
    expect(lines(before.sent)).toEqual([
      '2026-05-31 DeadlineApproaching 30',
      '2026-06-16 DeadlineApproaching 14',
    ]);
    expect(next).toBe('2026-07-01');
    expect(lines(after.sent)).toEqual([
      '2026-07-01 DeadlineApproaching 30',
      '2026-07-17 DeadlineApproaching 14',
      '2026-07-24 DeadlineApproaching 7',
      '2026-07-30 DeadlineApproaching 1',
      '2026-08-01 DeadlineMissed',
    ]);
    expect(after.sent[0]?.alert.alertKey).toBe('G1#DEADLINE#D1#2026-07-31#30');
    expect(before.sent[0]?.alert.alertKey).toBe('G1#DEADLINE#D1#2026-06-30#30');
  });

  it('gives a deadline moved earlier the tightest threshold crossed for its new date', () => {
    // arrange: 14 sent for 2026-06-30; on 2026-06-20 it moves to 2026-06-22
    const lastAlert: LastAlert = { forDate: '2026-06-30', threshold: 14, overdueSent: false };
    // act
    const result = evaluateDeadline(
      { grant: grant(), deadline: deadline('2026-06-22'), lastAlert },
      '2026-06-20',
      DEADLINE_DAYS,
    );
    // assert
    expect(result.alert).toMatchObject({
      threshold: 7,
      daysLeft: 2,
      alertKey: 'G1#DEADLINE#D1#2026-06-22#7',
    });
    expect(result.lastAlert).toEqual({ forDate: '2026-06-22', threshold: 7, overdueSent: false });
  });

  it('resets by itself when the sweeper reads a state left behind by a date change', () => {
    // arrange: the missed alert was sent for the old date, and the state was never reset
    const stale: LastAlert = { forDate: '2026-03-15', threshold: 1, overdueSent: true };
    const subject: DeadlineAlertSubject = {
      grant: grant(),
      deadline: deadline('2026-04-15'),
      lastAlert: stale,
    };
    // act
    const result = evaluateDeadline(subject, '2026-04-01', DEADLINE_DAYS);
    // assert
    expect(result.alert).toMatchObject({ threshold: 14, dueOn: '2026-04-15' });
    expect(nextDeadlineAlertOn(subject, '2026-03-20', DEADLINE_DAYS)).toBe('2026-03-20');
  });

  it('gives a grant whose funding end is extended its expiry alerts again', () => {
    // arrange: 90 and 30 sent for 2026-12-31; on 2026-12-10 funding is extended to 2027-06-30
    const before = sweep(
      fundingItem(grant('ACTIVE', { endDate: '2026-12-31' })),
      daysFromTo('2026-09-01', '2026-12-09'),
    );
    const extended = grant('ACTIVE', { endDate: '2026-12-31', fundingEndsOn: '2027-06-30' });
    const lastAlert = lastAlertForDate(before.lastAlert, '2027-06-30');
    // act
    const after = sweep(fundingItem(extended), daysFromTo('2026-12-10', '2027-12-31'), {
      lastAlert,
      nextAlertOn: nextFundingAlertOn({ grant: extended, lastAlert }, '2026-12-10', FUNDING_DAYS),
    });
    // assert
    expect(lines(before.sent)).toEqual(['2026-10-02 GrantExpiring 90', '2026-12-01 GrantExpiring 30']);
    expect(lines(after.sent)).toEqual([
      '2027-04-01 GrantExpiring 90',
      '2027-05-31 GrantExpiring 30',
      '2027-07-01 GrantExpired',
    ]);
    expect(after.sent.map((s) => s.alert.alertKey)).toEqual([
      'G1#FUNDING#2027-06-30#90',
      'G1#FUNDING#2027-06-30#30',
      'G1#FUNDING#2027-06-30#EXPIRED',
    ]);
  });
});

// ---- Properties ----

describe('properties over random dates, thresholds and sweep schedules', () => {
  const WINDOW_BEFORE = 75;
  const WINDOW_LENGTH = 100;

  const dateArb = fc.integer({ min: 0, max: 3 * 366 }).map((n) => addDays('2026-01-01', n));
  const thresholdsArb = fc.oneof(
    fc.constant(DEADLINE_DAYS),
    fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 6 }).map(normaliseThresholds),
  );
  /** Which days of the window around the date get a sweep: any subset, downtime included. */
  const scheduleArb = fc.array(fc.boolean(), { minLength: WINDOW_LENGTH, maxLength: WINDOW_LENGTH });
  const kindArb = fc.constantFrom('deadline', 'funding');

  const setUp = (kind: string, on: IsoDate, thresholds: readonly number[], schedule: readonly boolean[]) => {
    const start = addDays(on, -WINDOW_BEFORE);
    const sweepDays = schedule.flatMap((swept, i) => (swept ? [addDays(start, i)] : []));
    const item =
      kind === 'deadline'
        ? deadlineItem(grant(), deadline(on), thresholds)
        : fundingItem(grant('ACTIVE', { endDate: on }), thresholds);
    return { sweepDays, item };
  };

  const approaching = (sent: readonly Sent[]) => sent.filter((s) => s.alert.threshold !== null);
  const overdue = (sent: readonly Sent[]) => sent.filter((s) => s.alert.threshold === null);

  it('never sends a threshold twice, and sends thresholds tightest-ever-after (strictly decreasing)', () => {
    fc.assert(
      fc.property(kindArb, dateArb, thresholdsArb, scheduleArb, (kind, on, thresholds, schedule) => {
        // arrange
        const { sweepDays, item } = setUp(kind, on, thresholds, schedule);
        // act
        const { sent } = sweep(item, sweepDays);
        // assert
        const sentThresholds = approaching(sent).map((s) => s.alert.threshold as number);
        expect(new Set(sentThresholds).size).toBe(sentThresholds.length);
        for (let i = 1; i < sentThresholds.length; i++) {
          expect(sentThresholds[i]).toBeLessThan(sentThresholds[i - 1] as number);
        }
        const keys = sent.map((s) => s.alert.alertKey);
        expect(new Set(keys).size).toBe(keys.length);
        for (const key of keys) expect(key).toContain(on);
      }),
      { numRuns: 300 },
    );
  });

  it('sends as the last alert before the date the tightest threshold crossed on the last sweep day', () => {
    fc.assert(
      fc.property(kindArb, dateArb, thresholdsArb, scheduleArb, (kind, on, thresholds, schedule) => {
        // arrange
        const { sweepDays, item } = setUp(kind, on, thresholds, schedule);
        const lastDayBefore = sweepDays.filter((d) => d <= on).at(-1);
        // act
        const { sent } = sweep(item, sweepDays);
        // assert
        const before = approaching(sent);
        const crossed = lastDayBefore ? thresholds.filter((t) => daysBetween(lastDayBefore, on) <= t) : [];
        if (crossed.length === 0) expect(before).toEqual([]);
        else expect(before.at(-1)?.alert.threshold).toBe(Math.min(...crossed));
        for (const { on: day, alert } of before) {
          // each alert is the tightest crossed on its day, with daysLeft as counted in calendar days
          const daysLeft = daysBetween(day, on);
          expect(alert).toMatchObject({ daysLeft });
          expect(Math.min(...thresholds.filter((t) => daysLeft <= t))).toBe(alert.threshold);
          expect(day <= on).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sends the overdue alert once, on the first sweep after the date, and nothing after it', () => {
    fc.assert(
      fc.property(kindArb, dateArb, thresholdsArb, scheduleArb, (kind, on, thresholds, schedule) => {
        // arrange
        const { sweepDays, item } = setUp(kind, on, thresholds, schedule);
        const firstDayAfter = sweepDays.find((d) => d > on);
        // act
        const { sent, nextAlertOn } = sweep(item, sweepDays);
        // assert
        const late = overdue(sent);
        if (firstDayAfter === undefined) {
          expect(late).toEqual([]);
        } else {
          expect(late.map((s) => s.on)).toEqual([firstDayAfter]);
          expect(sent.at(-1)).toBe(late[0]);
          expect(late[0]?.alert).toMatchObject({ daysOverdue: daysBetween(on, firstDayAfter) });
          expect(nextAlertOn).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('makes the index exact: reading every item on every sweep sends the same, and every indexed read sends one', () => {
    fc.assert(
      fc.property(kindArb, dateArb, thresholdsArb, scheduleArb, (kind, on, thresholds, schedule) => {
        // arrange
        const { sweepDays, item } = setUp(kind, on, thresholds, schedule);
        // act
        const indexed = sweep(item, sweepDays);
        const everything = sweep(item, sweepDays, { honourIndex: false });
        // assert
        expect(everything.sent).toEqual(indexed.sent);
        expect(indexed.sweeps).toBe(indexed.sent.length);
      }),
      { numRuns: 300 },
    );
  });

  it('sends nothing on a second sweep of the same day', () => {
    fc.assert(
      fc.property(kindArb, dateArb, thresholdsArb, scheduleArb, (kind, on, thresholds, schedule) => {
        // arrange
        const { sweepDays, item } = setUp(kind, on, thresholds, schedule);
        let lastAlert: LastAlert | undefined;
        for (const day of sweepDays) {
          // act
          const first = item.evaluate(lastAlert, day);
          const again = item.evaluate(first.lastAlert, day);
          // assert
          expect(again.alert).toBeUndefined();
          expect(again.lastAlert).toEqual(first.lastAlert);
          lastAlert = first.lastAlert;
        }
      }),
      { numRuns: 100 },
    );
  });
});
