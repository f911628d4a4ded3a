/**
 * Expected payments (PRODUCT.md 2.8), pure: what is still to come for a grant, and when. A LEAR
 * administrator or finance plans them from the grant or consortium agreement (pre-financing,
 * interim payments, the balance, the EU's retention released with it); a payment recorded with
 * `settles` marks one RECEIVED. Only OPEN ones count as expected, in the totals and on the grant.
 *
 * Decisions the spec leaves open:
 * - Expected payments are planned for grants that take payments (AWARDED, ACTIVE, CLOSED,
 *   TERMINATED): EU balances and retention arrive after a project closes.
 * - The ceiling (open expected + received ≤ awarded, in the grant's currency) is checked when an
 *   expected payment is added or raised; a payment is never refused because of what was expected,
 *   and cancelling or lowering one is always allowed.
 * - A payment may settle an expected one whatever the payment's amount or currency: what arrived is
 *   the payment's business; the expected one is done.
 * - PaymentOverdue goes out once per expectedOn: moving the date of an OPEN one gives it a new alert.
 */

import { addDays, daysBetween, type IsoDate, quarterOf } from './dates';
import { BusinessRuleError, ConflictError, ValidationError } from './errors';
import type { ChangeContext, GrantRecord, PaymentRecord } from './grant';
import { TAKES_PAYMENTS } from './grant';
import { convertMinor, dkk, fromDto, type Money, toDto } from './money';
import type {
  ExpectedPaymentDto,
  ExpectedPaymentInput,
  ExpectedPaymentPatch,
  ExpectedPaymentStatus,
} from './schemas';

export interface ExpectedPaymentRecord {
  readonly grantId: string;
  readonly expectedPaymentId: string;
  readonly expectedOn: IsoDate;
  /** In the grant's own currency. */
  readonly amount: Money;
  readonly kind: ExpectedPaymentInput['kind'];
  readonly note?: string | undefined;
  readonly status: ExpectedPaymentStatus;
  /** The payment that settled it. */
  readonly paymentId?: string | undefined;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  /** The expectedOn a PaymentOverdue was sent for; only the sweeper writes it. */
  readonly overdueSentFor?: IsoDate | undefined;
}

/** What the grant keeps of its OPEN expected payments, in its own currency, for the ceiling and the totals. */
export interface ExpectedSums {
  readonly expectedMinor: number;
  /** By the quarter ("2027-Q2") of each one's expectedOn. */
  readonly expectedByQuarter: Readonly<Record<string, number>>;
}

/** A PaymentOverdue goes out this many days after expectedOn. */
export const PAYMENT_OVERDUE_DAYS = 30;

export const expectedSumsOf = (grant: Partial<ExpectedSums>): ExpectedSums => ({
  expectedMinor: grant.expectedMinor ?? 0,
  expectedByQuarter: grant.expectedByQuarter ?? {},
});

/** The grant's sums after one expected payment went from `before` to `after` (either may be absent). */
export const expectedSumsAfter = (
  sums: ExpectedSums,
  before: ExpectedPaymentRecord | undefined,
  after: ExpectedPaymentRecord | undefined,
): ExpectedSums => {
  let expectedMinor = sums.expectedMinor;
  const byQuarter: Record<string, number> = { ...sums.expectedByQuarter };
  const move = (record: ExpectedPaymentRecord | undefined, sign: 1 | -1) => {
    if (record?.status !== 'OPEN') return;
    const quarter = quarterOf(record.expectedOn);
    expectedMinor += sign * record.amount.minor;
    const next = (byQuarter[quarter] ?? 0) + sign * record.amount.minor;
    if (next === 0) delete byQuarter[quarter];
    else byQuarter[quarter] = next;
  };
  move(before, -1);
  move(after, 1);
  return { expectedMinor, expectedByQuarter: byQuarter };
};

/** OPEN expected payments of the grant in DKK, converted at its rate. */
export const expectedDkkMinor = (
  grant: Pick<GrantRecord, 'exchangeRateToDkk'> & Partial<ExpectedSums>,
): number => convertMinor(grant.expectedMinor ?? 0, grant.exchangeRateToDkk);

/** Expected DKK by quarter, each quarter's sum converted at the grant's rate: what the totals count. */
export const expectedDkkByQuarter = (
  grant: Pick<GrantRecord, 'exchangeRateToDkk'> & Partial<ExpectedSums>,
): Record<string, number> =>
  Object.fromEntries(
    Object.entries(grant.expectedByQuarter ?? {}).map(([quarter, minor]) => [
      quarter,
      convertMinor(minor, grant.exchangeRateToDkk),
    ]),
  );

const format = (minor: number, currency: string) =>
  `${toDto({ minor, currency } as Money).amount} ${currency}`;

/** Open expected + received may not exceed awarded, in the grant's currency, when the expected sum grows. */
const assertWithinAwarded = (grant: GrantRecord, before: ExpectedSums, after: ExpectedSums): void => {
  if (after.expectedMinor <= before.expectedMinor) return;
  const room = grant.awarded.minor - grant.receivedMinor;
  if (after.expectedMinor <= room) return;
  const currency = grant.awarded.currency;
  throw new BusinessRuleError(
    `Open expected payments of ${format(after.expectedMinor, currency)} would exceed what is still to come: ${format(grant.awarded.minor, currency)} awarded less ${format(grant.receivedMinor, currency)} received leaves ${format(Math.max(0, room), currency)}, so at most ${format(Math.max(0, room - before.expectedMinor), currency)} more can be expected.`,
    [{ path: 'amount.amount', message: 'exceeds what is left of the awarded amount' }],
  );
};

const assertAmount = (grant: GrantRecord, amount: Money): void => {
  if (amount.currency !== grant.awarded.currency) {
    throw new BusinessRuleError(
      `An expected payment is in the grant's own currency, ${grant.awarded.currency}, not ${amount.currency}.`,
      [{ path: 'amount.currency', message: `must be ${grant.awarded.currency}, the grant's currency` }],
    );
  }
  if (amount.minor === 0) {
    throw new ValidationError('The request is invalid.', [
      { path: 'amount.amount', message: 'must be greater than 0' },
    ]);
  }
};

const stripUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export interface ExpectedPaymentChange {
  readonly record: ExpectedPaymentRecord;
  /** The grant's sums afterwards. */
  readonly sums: ExpectedSums;
}

export const addExpectedPayment = (
  grant: GrantRecord,
  input: ExpectedPaymentInput,
  ctx: ChangeContext,
): ExpectedPaymentChange => {
  if (!TAKES_PAYMENTS.has(grant.status)) {
    throw new ConflictError(
      `Expected payments are planned for awarded grants; this grant is ${grant.status}.`,
    );
  }
  const amount = fromDto(input.amount);
  assertAmount(grant, amount);
  const at = ctx.now.toISOString();
  const record: ExpectedPaymentRecord = stripUndefined({
    grantId: grant.grantId,
    expectedPaymentId: ctx.newId(),
    expectedOn: input.expectedOn,
    amount,
    kind: input.kind,
    note: input.note || undefined,
    status: 'OPEN',
    createdAt: at,
    createdBy: ctx.actor,
    updatedAt: at,
    updatedBy: ctx.actor,
  });
  const before = expectedSumsOf(grant);
  const sums = expectedSumsAfter(before, undefined, record);
  assertWithinAwarded(grant, before, sums);
  return { record, sums };
};

const assertOpen = (record: ExpectedPaymentRecord): void => {
  if (record.status === 'OPEN') return;
  const how =
    record.status === 'RECEIVED'
      ? `was received (payment ${record.paymentId ?? 'unknown'})`
      : 'was cancelled';
  throw new ConflictError(`Expected payment ${record.expectedPaymentId} ${how}; it can no longer change.`);
};

/** A change to an OPEN expected payment: its date, amount or note, or its cancellation. Unchanged: the same record. */
export const changeExpectedPayment = (
  grant: GrantRecord,
  current: ExpectedPaymentRecord,
  patch: ExpectedPaymentPatch,
  ctx: ChangeContext,
): ExpectedPaymentChange => {
  assertOpen(current);
  const amount = patch.amount ? fromDto(patch.amount) : current.amount;
  if (patch.amount) assertAmount(grant, amount);
  const next: ExpectedPaymentRecord = stripUndefined({
    ...current,
    expectedOn: patch.expectedOn ?? current.expectedOn,
    amount,
    note: patch.note === null ? undefined : (patch.note ?? current.note) || undefined,
    status: patch.status ?? current.status,
  });
  const before = expectedSumsOf(grant);
  const same =
    next.expectedOn === current.expectedOn &&
    next.amount.minor === current.amount.minor &&
    next.note === current.note &&
    next.status === current.status;
  if (same) return { record: current, sums: before };
  const record = { ...next, updatedAt: ctx.now.toISOString(), updatedBy: ctx.actor };
  const sums = expectedSumsAfter(before, current, record);
  assertWithinAwarded(grant, before, sums);
  return { record, sums };
};

/** The expected payment a payment settles: it must exist on the grant and still be OPEN. */
export const settleExpectedPayment = (
  grant: GrantRecord,
  current: ExpectedPaymentRecord | undefined,
  payment: Pick<PaymentRecord, 'paymentId' | 'recordedAt' | 'recordedBy'>,
  expectedPaymentId: string,
): ExpectedPaymentChange => {
  if (!current) {
    throw new BusinessRuleError(`Grant ${grant.grantId} has no expected payment ${expectedPaymentId}.`, [
      { path: 'settles', message: 'names no expected payment of this grant' },
    ]);
  }
  assertOpen(current);
  const record: ExpectedPaymentRecord = {
    ...current,
    status: 'RECEIVED',
    paymentId: payment.paymentId,
    updatedAt: payment.recordedAt,
    updatedBy: payment.recordedBy,
  };
  return { record, sums: expectedSumsAfter(expectedSumsOf(grant), current, record) };
};

// ---- The overdue alert ----

export interface PaymentOverdueAlert {
  readonly kind: 'PaymentOverdue';
  readonly alertKey: string;
  readonly daysOverdue: number;
}

export interface ExpectedPaymentEvaluation {
  readonly alert?: PaymentOverdueAlert | undefined;
  readonly overdueSentFor: IsoDate | undefined;
  /** The date a sweep next has something to send for it; null: nothing ever again (it leaves the index). */
  readonly nextAlertOn: IsoDate | null;
}

export const paymentOverdueAlertKey = (grantId: string, expectedPaymentId: string, expectedOn: IsoDate) =>
  `${grantId}#EXPECTED#${expectedPaymentId}#${expectedOn}#OVERDUE`;

/** When a sweep should look at an expected payment: 30 days after expectedOn, while OPEN and not yet alerted. */
export const expectedPaymentAlertOn = (
  record: Pick<ExpectedPaymentRecord, 'status' | 'expectedOn' | 'overdueSentFor'>,
): IsoDate | null =>
  record.status === 'OPEN' && record.overdueSentFor !== record.expectedOn
    ? addDays(record.expectedOn, PAYMENT_OVERDUE_DAYS)
    : null;

/** PaymentOverdue, once, on the first sweep 30 or more days after expectedOn while the payment is still OPEN. */
export const evaluateExpectedPayment = (
  record: ExpectedPaymentRecord,
  today: IsoDate,
): ExpectedPaymentEvaluation => {
  const dueOn = expectedPaymentAlertOn(record);
  if (dueOn === null) return { overdueSentFor: record.overdueSentFor, nextAlertOn: null };
  if (today < dueOn) return { overdueSentFor: record.overdueSentFor, nextAlertOn: dueOn };
  return {
    alert: {
      kind: 'PaymentOverdue',
      alertKey: paymentOverdueAlertKey(record.grantId, record.expectedPaymentId, record.expectedOn),
      daysOverdue: daysBetween(record.expectedOn, today),
    },
    overdueSentFor: record.expectedOn,
    nextAlertOn: null,
  };
};

// ---- Representation ----

export const toExpectedPaymentDto = (
  record: ExpectedPaymentRecord,
  grant: Pick<GrantRecord, 'exchangeRateToDkk'>,
): ExpectedPaymentDto =>
  stripUndefined({
    expectedPaymentId: record.expectedPaymentId,
    expectedOn: record.expectedOn,
    amount: toDto(record.amount),
    amountDkk: dkk(convertMinor(record.amount.minor, grant.exchangeRateToDkk)),
    kind: record.kind,
    note: record.note,
    status: record.status,
    paymentId: record.paymentId,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    updatedBy: record.updatedBy,
  });
