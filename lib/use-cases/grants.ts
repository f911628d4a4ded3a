import { addDays, copenhagenDateOf, daysBetween, quarterOf } from '../domain/dates';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../domain/errors';
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
import type {
  DeadlineDto,
  DeadlineInput,
  DeadlineStatus,
  GrantDto,
  GrantInput,
  GrantPatch,
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
  const at = (eventId: string) => ({ eventId, occurredAt: ctx.now });
  const events: OutboxEvent[] = [
    changeEvent(DETAIL_TYPES.grantRegistered, grant, {}, at(ports.newId())),
    ...deadlines.map((d) =>
      changeEvent(DETAIL_TYPES.deadlineAdded, grant, { deadline: toDeadlineDto(d) }, at(ports.newId())),
    ),
  ];
  await ports.ledger.registerGrant(grant, deadlines, events, totalsDelta(undefined, totalsOf(grant)));
  return toGrantDto(grant, { payments: [], deadlines });
};

export const getGrant = async (ports: GrantPorts, grantId: string): Promise<GrantDto> => {
  const { grant, payments, deadlines } = await ports.ledger.getGrant(grantId);
  return toGrantDto(grant, { payments, deadlines });
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
  });
  const removed = new Set(deadlinePlan.remove.map((d) => d.deadlineId));
  const replaced = new Map([...deadlinePlan.add, ...deadlinePlan.update].map((d) => [d.deadlineId, d]));
  const deadlines = [
    ...current.deadlines.filter((d) => !removed.has(d.deadlineId) && !replaced.has(d.deadlineId)),
    ...replaced.values(),
  ];
  return toGrantDto(grant, { payments: current.payments, deadlines });
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
    const event = changeEvent(
      DETAIL_TYPES.paymentRecorded,
      grant,
      { payment: toPaymentDto(payment) },
      { eventId: ports.newId(), occurredAt: ctx.now },
    );
    const quarter = quarterOf(payment.receivedOn);
    const after = {
      ...grant,
      receivedDkkByQuarter: {
        ...grant.receivedDkkByQuarter,
        [quarter]: (grant.receivedDkkByQuarter[quarter] ?? 0) + payment.amountDkkMinor,
      },
    };
    const totals = totalsDelta(totalsOf(grant), totalsOf(after));
    const outcome = await ports.ledger.recordPayment(grant, payment, [event], totals);
    switch (outcome) {
      case 'recorded':
        return toPaymentDto(payment);
      case 'gone':
        throw new NotFoundError(`No grant has the id ${grantId}.`);
      case 'grant-changed':
        if (attempt < PAYMENT_ATTEMPTS) continue;
        throw new ConflictError('The grant kept changing while the payment was recorded; try again.');
      case 'ceiling-reached': {
        const now = await ports.ledger.findGrant(grantId);
        throw paymentExceedsAwarded(now ?? grant, payment.amount.minor);
      }
    }
  }
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
  const event = changeEvent(
    DETAIL_TYPES.deadlineAdded,
    grant,
    { deadline: toDeadlineDto(deadline) },
    { eventId: ports.newId(), occurredAt: ctx.now },
  );
  await ports.ledger.addDeadline(deadline, grant, [event]);
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
  const next = setDeadlineStatusRule(current, status, ctx);
  if (next === current) return toDeadlineDto(current);
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
  await ports.ledger.updateDeadline(next, grant, current.status, events);
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
