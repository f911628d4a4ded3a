import { addDays, copenhagenDateOf, daysBetween, quarterOf } from '../domain/dates';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../domain/errors';
import {
  addExpectedPayment as addExpectedPaymentRule,
  changeExpectedPayment as changeExpectedPaymentRule,
  type ExpectedPaymentRecord,
  type ExpectedSums,
  settleExpectedPayment,
  toExpectedPaymentDto,
} from '../domain/expected-payments';
import {
  addDeadline as addDeadlineRule,
  applyGrantPatch,
  awardedDkkMinor,
  type ChangeContext,
  type GrantRecord,
  paymentExceedsAwarded,
  recordPayment as recordPaymentRule,
  registerGrant as registerGrantRule,
  setDeadlineStatus as setDeadlineStatusRule,
  toDeadlineDto,
  toGrantDto,
  toPaymentDto,
} from '../domain/grant';
import {
  deadlineChanges,
  expectedPaymentChanges,
  grantChanges,
  grantUpdateHistory,
  type HistoryRecord,
  historyEntry,
  paymentChanges,
  toHistoryEntryDto,
} from '../domain/history';
import type {
  DeadlineDto,
  DeadlineInput,
  DeadlineStatus,
  ExpectedPaymentDto,
  ExpectedPaymentInput,
  ExpectedPaymentPatch,
  GrantDto,
  GrantInput,
  GrantPatch,
  HistoryEntryDto,
  PaymentDto,
  PaymentInput,
} from '../domain/schemas';
import { totalsDelta, totalsSubjectOf } from '../domain/totals';
import { DETAIL_TYPES } from '../shared/names';
import type { OutboxEvent } from '../storage/items';
import type { GrantListQuery } from '../storage/ledger';
import { changeEvent } from './events';
import type { Caller, GrantPorts } from './ports';

const totalsOf = (grant: GrantRecord) => totalsSubjectOf(grant, awardedDkkMinor(grant));

const contextFor = (ports: GrantPorts, caller: Caller): ChangeContext => ({
  now: ports.clock.now(),
  actor: caller.email,
  newId: ports.newId,
});

export const registerGrant = async (
  ports: GrantPorts,
  input: GrantInput,
  caller: Caller,
): Promise<GrantDto> => {
  const ctx = contextFor(ports, caller);
  const { grant, deadlines } = registerGrantRule(input, ctx);
  const history: HistoryRecord[] = [
    historyEntry(
      ctx,
      grant.grantId,
      'GRANT_REGISTERED',
      { type: 'grant', id: grant.grantId },
      grantChanges(undefined, grant),
    ),
    ...deadlines.map((d) =>
      historyEntry(
        ctx,
        grant.grantId,
        'DEADLINE_ADDED',
        { type: 'deadline', id: d.deadlineId },
        deadlineChanges(undefined, d),
      ),
    ),
  ];
  const at = (eventId: string) => ({ eventId, occurredAt: ctx.now });
  const events: OutboxEvent[] = [
    changeEvent(DETAIL_TYPES.grantRegistered, grant, {}, at(ports.newId())),
    ...deadlines.map((d) =>
      changeEvent(DETAIL_TYPES.deadlineAdded, grant, { deadline: toDeadlineDto(d) }, at(ports.newId())),
    ),
  ];
  await ports.ledger.registerGrant(
    grant,
    deadlines,
    events,
    totalsDelta(undefined, totalsOf(grant)),
    history,
  );
  return toGrantDto(grant, { payments: [], deadlines, expectedPayments: [] });
};

export const getGrant = async (ports: GrantPorts, grantId: string): Promise<GrantDto> => {
  const { grant, payments, deadlines, expectedPayments } = await ports.ledger.getGrant(grantId);
  return toGrantDto(grant, { payments, deadlines, expectedPayments });
};

export const listGrants = async (
  ports: GrantPorts,
  query: GrantListQuery,
): Promise<{ items: GrantDto[]; nextCursor: string | null }> => {
  const page = await ports.ledger.listGrants(query);
  return { items: page.items.map((grant) => toGrantDto(grant)), nextCursor: page.nextCursor ?? null };
};

export const updateGrant = async (
  ports: GrantPorts,
  grantId: string,
  patch: GrantPatch,
  expectedVersion: number,
  caller: Caller,
): Promise<GrantDto> => {
  const current = await ports.ledger.getGrant(grantId);
  if (current.grant.version !== expectedVersion) {
    throw new PreconditionFailedError(
      `The grant is at version ${current.grant.version}, not ${expectedVersion}; read it again and repeat the change.`,
    );
  }
  const ctx = contextFor(ports, caller);
  const change = applyGrantPatch(current.grant, patch, current.deadlines, ctx);
  if (change.changed.length === 0) return toGrantDto(current.grant, current);

  const { grant, deadlinePlan, statusChange } = change;
  const at = (eventId: string) => ({ eventId, occurredAt: ctx.now });
  const events: OutboxEvent[] = [];
  const fieldsChanged = change.changed.filter((field) => field !== 'status');
  if (fieldsChanged.length) {
    events.push(changeEvent(DETAIL_TYPES.grantUpdated, grant, { changed: fieldsChanged }, at(ports.newId())));
  }
  if (statusChange) {
    events.push(changeEvent(DETAIL_TYPES.grantStatusChanged, grant, { ...statusChange }, at(ports.newId())));
  }
  for (const added of deadlinePlan.add) {
    events.push(
      changeEvent(DETAIL_TYPES.deadlineAdded, grant, { deadline: toDeadlineDto(added) }, at(ports.newId())),
    );
  }
  // Deadlines carry the grant's acronym, forvaltning and programme for listing, and its status and
  // thresholds decide their place in the sweeper's index: keep them in step.
  const carriedChanged = ['acronym', 'forvaltning', 'programme', 'status', 'alertLeadDays'].some((f) =>
    change.changed.includes(f),
  );
  const touched = new Set([...deadlinePlan.update, ...deadlinePlan.remove].map((d) => d.deadlineId));
  const carried = carriedChanged ? current.deadlines.filter((d) => !touched.has(d.deadlineId)) : [];
  await ports.ledger.updateGrant({
    grant,
    expectedVersion,
    deadlinesToAdd: deadlinePlan.add,
    deadlinesToUpdate: [...deadlinePlan.update, ...carried],
    deadlinesToDelete: deadlinePlan.remove,
    events,
    totals: totalsDelta(totalsOf(current.grant), totalsOf(grant)),
    history: grantUpdateHistory(ctx, current.grant, grant, deadlinePlan, current.deadlines),
  });
  const removed = new Set(deadlinePlan.remove.map((d) => d.deadlineId));
  const replaced = new Map([...deadlinePlan.add, ...deadlinePlan.update].map((d) => [d.deadlineId, d]));
  const deadlines = [
    ...current.deadlines.filter((d) => !removed.has(d.deadlineId) && !replaced.has(d.deadlineId)),
    ...replaced.values(),
  ];
  return toGrantDto(grant, {
    payments: current.payments,
    deadlines,
    expectedPayments: current.expectedPayments,
  });
};

/** How often a payment is recomputed when its grant moved between totals cells meanwhile. */
const PAYMENT_ATTEMPTS = 5;

export const recordPayment = async (
  ports: GrantPorts,
  grantId: string,
  input: PaymentInput,
  caller: Caller,
): Promise<PaymentDto> => {
  for (let attempt = 1; ; attempt++) {
    const grant = await ports.ledger.findGrant(grantId);
    if (!grant) throw new NotFoundError(`No grant has the id ${grantId}.`);
    const ctx = contextFor(ports, caller);
    const payment = recordPaymentRule(grant, input, ctx);
    const at = (eventId: string) => ({ eventId, occurredAt: ctx.now });
    const events = [
      changeEvent(DETAIL_TYPES.paymentRecorded, grant, { payment: toPaymentDto(payment) }, at(ports.newId())),
    ];
    const history = [
      historyEntry(
        ctx,
        grantId,
        'PAYMENT_RECORDED',
        { type: 'payment', id: payment.paymentId },
        paymentChanges(payment),
      ),
    ];
    let settles: { before: ExpectedPaymentRecord; after: ExpectedPaymentRecord } | undefined;
    let sums: ExpectedSums | undefined;
    if (input.settles) {
      const before = await ports.ledger.findExpectedPayment(grantId, input.settles);
      const settled = settleExpectedPayment(grant, before, payment, input.settles);
      settles = { before: before as ExpectedPaymentRecord, after: settled.record };
      sums = settled.sums;
      const expectedPayment = toExpectedPaymentDto(settled.record, grant);
      events.push(
        changeEvent(DETAIL_TYPES.expectedPaymentSettled, grant, { expectedPayment }, at(ports.newId())),
      );
      history.push(
        historyEntry(
          ctx,
          grantId,
          'EXPECTED_PAYMENT_SETTLED',
          { type: 'expectedPayment', id: settled.record.expectedPaymentId },
          expectedPaymentChanges(grant, settles.before, settled.record),
        ),
      );
    }
    const quarter = quarterOf(payment.receivedOn);
    const after = {
      ...grant,
      ...sums,
      receivedDkkByQuarter: {
        ...grant.receivedDkkByQuarter,
        [quarter]: (grant.receivedDkkByQuarter[quarter] ?? 0) + payment.amountDkkMinor,
      },
    };
    const totals = totalsDelta(totalsOf(grant), totalsOf(after));
    const outcome = await ports.ledger.recordPayment({ grant, payment, settles, history, events, totals });
    switch (outcome) {
      case 'recorded':
        return toPaymentDto(payment);
      case 'gone':
        throw new NotFoundError(`No grant has the id ${grantId}.`);
      case 'already-settled':
        throw new ConflictError(
          `Expected payment ${input.settles} was settled or cancelled while this payment was recorded; the payment was not recorded.`,
        );
      case 'grant-changed':
      case 'expected-changed':
        if (attempt < PAYMENT_ATTEMPTS) continue;
        throw new ConflictError('The grant kept changing while the payment was recorded; try again.');
      case 'ceiling-reached': {
        const now = await ports.ledger.findGrant(grantId);
        throw paymentExceedsAwarded(now ?? grant, payment.amount.minor);
      }
    }
  }
};

/** How often an expected payment's change is recomputed when its grant changed meanwhile. */
const EXPECTED_ATTEMPTS = 5;

/**
 * Adds or changes an expected payment against the grant as read; when the grant moved on meanwhile
 * (a payment, another expected payment), reads it again and applies the rules to what it is now.
 */
const writeExpected = async (
  ports: GrantPorts,
  grantId: string,
  caller: Caller,
  plan: (
    grant: GrantRecord,
    ctx: ChangeContext,
  ) => Promise<{
    before: ExpectedPaymentRecord | undefined;
    after: ExpectedPaymentRecord;
    sums: ExpectedSums;
  }>,
): Promise<ExpectedPaymentDto> => {
  for (let attempt = 1; ; attempt++) {
    const grant = await ports.ledger.findGrant(grantId);
    if (!grant) throw new NotFoundError(`No grant has the id ${grantId}.`);
    const ctx = contextFor(ports, caller);
    const { before, after, sums } = await plan(grant, ctx);
    const expectedPayment = toExpectedPaymentDto(after, grant);
    if (before === after) return expectedPayment;
    const subject = { type: 'expectedPayment' as const, id: after.expectedPaymentId };
    const history = [
      historyEntry(
        ctx,
        grantId,
        before ? 'EXPECTED_PAYMENT_UPDATED' : 'EXPECTED_PAYMENT_ADDED',
        subject,
        expectedPaymentChanges(grant, before, after),
      ),
    ];
    const events = before
      ? []
      : [
          changeEvent(
            DETAIL_TYPES.expectedPaymentAdded,
            grant,
            { expectedPayment },
            { eventId: ports.newId(), occurredAt: ctx.now },
          ),
        ];
    const totals = totalsDelta(totalsOf(grant), totalsOf({ ...grant, ...sums }));
    const outcome = await ports.ledger.writeExpectedPayment({
      grant,
      sums,
      before,
      after,
      history,
      events,
      totals,
    });
    if (outcome === 'written') return expectedPayment;
    if (attempt >= EXPECTED_ATTEMPTS) {
      throw new ConflictError('The grant kept changing while the expected payment was saved; try again.');
    }
  }
};

export const addExpectedPayment = (
  ports: GrantPorts,
  grantId: string,
  input: ExpectedPaymentInput,
  caller: Caller,
): Promise<ExpectedPaymentDto> =>
  writeExpected(ports, grantId, caller, async (grant, ctx) => {
    const { record, sums } = addExpectedPaymentRule(grant, input, ctx);
    return { before: undefined, after: record, sums };
  });

export const changeExpectedPayment = (
  ports: GrantPorts,
  grantId: string,
  expectedPaymentId: string,
  patch: ExpectedPaymentPatch,
  caller: Caller,
): Promise<ExpectedPaymentDto> =>
  writeExpected(ports, grantId, caller, async (grant, ctx) => {
    const current = await ports.ledger.findExpectedPayment(grantId, expectedPaymentId);
    if (!current) throw new NotFoundError(`Grant ${grantId} has no expected payment ${expectedPaymentId}.`);
    const { record, sums } = changeExpectedPaymentRule(grant, current, patch, ctx);
    return { before: current, after: record, sums };
  });

/** A grant's history, newest first, one page; an unknown grant is a 404. */
export const getHistory = async (
  ports: GrantPorts,
  grantId: string,
  query: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<{ items: HistoryEntryDto[]; nextCursor: string | null }> => {
  const page = await ports.ledger.listHistory(grantId, query);
  if (page.items.length === 0 && !query.cursor && !(await ports.ledger.findGrant(grantId))) {
    throw new NotFoundError(`No grant has the id ${grantId}.`);
  }
  return { items: page.items.map(toHistoryEntryDto), nextCursor: page.nextCursor ?? null };
};

export const addDeadline = async (
  ports: GrantPorts,
  grantId: string,
  input: DeadlineInput,
  caller: Caller,
): Promise<DeadlineDto> => {
  const grant = await ports.ledger.findGrant(grantId);
  if (!grant) throw new NotFoundError(`No grant has the id ${grantId}.`);
  const ctx = contextFor(ports, caller);
  const deadline = addDeadlineRule(grant, input, ctx);
  const history = [
    historyEntry(
      ctx,
      grantId,
      'DEADLINE_ADDED',
      { type: 'deadline', id: deadline.deadlineId },
      deadlineChanges(undefined, deadline),
    ),
  ];
  const event = changeEvent(
    DETAIL_TYPES.deadlineAdded,
    grant,
    { deadline: toDeadlineDto(deadline) },
    { eventId: ports.newId(), occurredAt: ctx.now },
  );
  await ports.ledger.addDeadline(deadline, grant, [event], history);
  return toDeadlineDto(deadline);
};

export const setDeadlineStatus = async (
  ports: GrantPorts,
  grantId: string,
  deadlineId: string,
  status: DeadlineStatus,
  caller: Caller,
): Promise<DeadlineDto> => {
  const { grant, deadlines } = await ports.ledger.getGrant(grantId);
  const current = deadlines.find((d) => d.deadlineId === deadlineId);
  if (!current) throw new NotFoundError(`Grant ${grantId} has no deadline ${deadlineId}.`);
  const ctx = contextFor(ports, caller);
  const ruled = setDeadlineStatusRule(current, status, ctx);
  // Written even when nothing changes: the new revision is what keeps an earlier request for this
  // deadline, given up on while the store was slow, from landing after this answer.
  const expected = { status: current.status, revision: current.revision ?? 0 };
  const next = { ...ruled, revision: expected.revision + 1 };
  if (ruled === current) {
    await ports.ledger.updateDeadline(next, grant, expected, [], []);
    return toDeadlineDto(current);
  }
  const events =
    status === 'DONE'
      ? [
          changeEvent(
            DETAIL_TYPES.deadlineCompleted,
            grant,
            { deadline: toDeadlineDto(next) },
            { eventId: ports.newId(), occurredAt: ctx.now },
          ),
        ]
      : [];
  const history = [
    historyEntry(
      ctx,
      grantId,
      'DEADLINE_UPDATED',
      { type: 'deadline', id: deadlineId },
      deadlineChanges(current, next),
    ),
  ];
  await ports.ledger.updateDeadline(next, grant, expected, events, history);
  return toDeadlineDto(next);
};

export interface DeadlineListItem extends DeadlineDto {
  readonly grantId: string;
  readonly acronym: string;
  readonly forvaltning: string;
  readonly daysLeft: number;
}

export const listDeadlines = async (
  ports: GrantPorts,
  query: {
    from?: string | undefined;
    to?: string | undefined;
    forvaltning?: string | undefined;
    status: DeadlineStatus;
  },
): Promise<{ items: DeadlineListItem[] }> => {
  const today = copenhagenDateOf(ports.clock.now());
  const from = query.from ?? today;
  const to = query.to ?? addDays(from, 365);
  const stored = await ports.ledger.listDeadlines({
    from,
    to,
    status: query.status,
    forvaltning: query.forvaltning,
  });
  const items = stored
    .map((d) => ({
      ...toDeadlineDto(d),
      grantId: d.grantId,
      acronym: d.acronym,
      forvaltning: d.forvaltning,
      daysLeft: daysBetween(today, d.dueOn),
    }))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.acronym.localeCompare(b.acronym));
  return { items };
};
