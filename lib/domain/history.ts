/**
 * History (PRODUCT.md 2.9), pure: one entry per change to a grant, a payment, an expected payment
 * or a deadline, with the old and new value of every field that changed, in the API's own terms
 * (money as Money, dates as dates). Entries are committed in the same transaction as their change
 * and never rewritten.
 */
import type { ExpectedPaymentRecord } from './expected-payments';
import { toExpectedPaymentDto } from './expected-payments';
import {
  type ChangeContext,
  type DeadlineRecord,
  type GrantRecord,
  type PaymentRecord,
  toDeadlineDto,
  toGrantDto,
  toPaymentDto,
} from './grant';
import type { HistoryAction, HistoryEntryDto } from './schemas';

export type HistorySubjectType = HistoryEntryDto['subject']['type'];

export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface HistoryRecord {
  readonly grantId: string;
  readonly entryId: string;
  readonly at: string;
  readonly by: string;
  readonly action: HistoryAction;
  readonly subject: { readonly type: HistorySubjectType; readonly id: string };
  readonly changes: readonly FieldChange[];
}

type Fields = Readonly<Record<string, unknown>>;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Every field whose value differs between two representations, in the order the fields appear
 * (`before` absent: a creation, every field from null). A field that is absent is null.
 */
export const fieldChanges = (
  before: Fields | undefined,
  after: Fields | undefined,
  ignore: ReadonlySet<string> = new Set(),
): FieldChange[] => {
  const names = [...new Set([...Object.keys(after ?? {}), ...Object.keys(before ?? {})])];
  return names
    .filter((name) => !ignore.has(name))
    .map((field) => ({ field, from: before?.[field] ?? null, to: after?.[field] ?? null }))
    .filter((change) => !same(change.from, change.to));
};

/** Ids, audit stamps and values derived from others: not changes anyone made. */
const GRANT_DERIVED = new Set([
  'grantId',
  'version',
  'funderType',
  'awardedDkk',
  'receivedDkk',
  'outstandingDkk',
  'expectedDkk',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
]);
const PAYMENT_DERIVED = new Set(['paymentId', 'recordedAt', 'recordedBy']);
const DEADLINE_DERIVED = new Set(['deadlineId']);
const EXPECTED_DERIVED = new Set([
  'expectedPaymentId',
  'amountDkk',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
]);

const asFields = (value: object): Fields => value as Fields;

export const grantChanges = (before: GrantRecord | undefined, after: GrantRecord): FieldChange[] =>
  fieldChanges(before && asFields(toGrantDto(before)), asFields(toGrantDto(after)), GRANT_DERIVED);

export const paymentChanges = (payment: PaymentRecord): FieldChange[] =>
  fieldChanges(undefined, asFields(toPaymentDto(payment)), PAYMENT_DERIVED);

export const deadlineChanges = (
  before: DeadlineRecord | undefined,
  after: DeadlineRecord | undefined,
): FieldChange[] =>
  fieldChanges(
    before && asFields(toDeadlineDto(before)),
    after && asFields(toDeadlineDto(after)),
    DEADLINE_DERIVED,
  );

export const expectedPaymentChanges = (
  grant: Pick<GrantRecord, 'exchangeRateToDkk'>,
  before: ExpectedPaymentRecord | undefined,
  after: ExpectedPaymentRecord,
): FieldChange[] =>
  fieldChanges(
    before && asFields(toExpectedPaymentDto(before, grant)),
    asFields(toExpectedPaymentDto(after, grant)),
    EXPECTED_DERIVED,
  );

/** A history entry for one change, stamped with who made it and when. */
export const historyEntry = (
  ctx: ChangeContext,
  grantId: string,
  action: HistoryAction,
  subject: HistoryRecord['subject'],
  changes: readonly FieldChange[],
): HistoryRecord => ({
  grantId,
  entryId: ctx.newId(),
  at: ctx.now.toISOString(),
  by: ctx.actor,
  action,
  subject,
  changes,
});

/** The entries a grant change writes: the grant's own, then one per report deadline it added, moved or removed. */
export const grantUpdateHistory = (
  ctx: ChangeContext,
  before: GrantRecord,
  after: GrantRecord,
  plan: {
    readonly add: readonly DeadlineRecord[];
    readonly update: readonly DeadlineRecord[];
    readonly remove: readonly DeadlineRecord[];
  },
  existing: readonly DeadlineRecord[],
): HistoryRecord[] => {
  const grantId = after.grantId;
  const byId = new Map(existing.map((d) => [d.deadlineId, d] as const));
  const deadline = (id: string) => ({ type: 'deadline' as const, id });
  return [
    historyEntry(ctx, grantId, 'GRANT_UPDATED', { type: 'grant', id: grantId }, grantChanges(before, after)),
    ...plan.add.map((d) =>
      historyEntry(ctx, grantId, 'DEADLINE_ADDED', deadline(d.deadlineId), deadlineChanges(undefined, d)),
    ),
    ...plan.update.map((d) =>
      historyEntry(
        ctx,
        grantId,
        'DEADLINE_UPDATED',
        deadline(d.deadlineId),
        deadlineChanges(byId.get(d.deadlineId), d),
      ),
    ),
    ...plan.remove.map((d) =>
      historyEntry(ctx, grantId, 'DEADLINE_REMOVED', deadline(d.deadlineId), deadlineChanges(d, undefined)),
    ),
  ];
};

export const toHistoryEntryDto = (record: HistoryRecord): HistoryEntryDto => ({
  entryId: record.entryId,
  at: record.at,
  by: record.by,
  action: record.action,
  subject: { ...record.subject },
  changes: record.changes.map((c) => ({ field: c.field, from: c.from ?? null, to: c.to ?? null })),
});
