import { alertEventId } from '../../events/contracts';
import {
  type Alert,
  type AlertThresholds,
  evaluateDeadline,
  evaluateFunding,
  type LastAlert,
  thresholdsFor,
} from '../domain/alerts';
import { type Clock, copenhagenDateOf, type IsoDate } from '../domain/dates';
import {
  evaluateExpectedPayment,
  type PaymentOverdueAlert,
  toExpectedPaymentDto,
} from '../domain/expected-payments';
import { type GrantRecord, recipientsOf, toDeadlineDto } from '../domain/grant';
import { DETAIL_TYPES } from '../shared/names';
import {
  deadlineAlertSortKey,
  expectedPaymentAlertSortKey,
  fundingAlertSortKey,
  keys,
  type OutboxEvent,
} from '../storage/items';
import type { DueAlertItem, Ledger, SweepOutcome } from '../storage/ledger';
import { changeEvent } from './events';

export interface SweepPorts {
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly thresholds: AlertThresholds;
}

export interface SweepSummary {
  readonly today: IsoDate;
  /** Deadlines and funding ends read from the sweeper's index. */
  readonly itemsDue: number;
  /** Grants read to evaluate them (each at most once). */
  readonly grantsRead: number;
  readonly readCapacityUnits: number;
  readonly alertsSent: Readonly<Record<Alert['kind'] | PaymentOverdueAlert['kind'], number>>;
  /** Alerts another sweep had already sent. */
  readonly alreadySent: number;
  /** Items that changed between the read and the write; the next sweep sees them as they are now. */
  readonly changedMeanwhile: number;
  /** Items with nothing left to send, taken out of the index. */
  readonly retired: number;
}

/** The alert as its event: the deterministic eventId makes the same alert the same event. */
const alertEvent = (alert: Alert, grant: GrantRecord, item: DueAlertItem, occurredAt: Date): OutboxEvent => {
  const recipients = recipientsOf(grant);
  const at = { eventId: alertEventId([alert.alertKey]), occurredAt };
  switch (alert.kind) {
    case 'DeadlineApproaching':
    case 'DeadlineMissed': {
      if (item.kind !== 'deadline') throw new Error('A deadline alert needs a deadline');
      const deadline = toDeadlineDto(item.deadline);
      return alert.kind === 'DeadlineApproaching'
        ? changeEvent(
            DETAIL_TYPES.deadlineApproaching,
            grant,
            { deadline, daysLeft: alert.daysLeft, threshold: alert.threshold, recipients },
            at,
          )
        : changeEvent(
            DETAIL_TYPES.deadlineMissed,
            grant,
            { deadline, daysOverdue: alert.daysOverdue, recipients },
            at,
          );
    }
    case 'GrantExpiring':
      return changeEvent(
        DETAIL_TYPES.grantExpiring,
        grant,
        {
          fundingEndsOn: alert.fundingEndsOn,
          daysLeft: alert.daysLeft,
          threshold: alert.threshold,
          recipients,
        },
        at,
      );
    case 'GrantExpired':
      return changeEvent(
        DETAIL_TYPES.grantExpired,
        grant,
        { fundingEndsOn: alert.fundingEndsOn, recipients },
        at,
      );
  }
};

/** PaymentOverdue for an expected payment still OPEN 30 days after it was expected. */
const overdueEvent = (
  alert: PaymentOverdueAlert,
  grant: GrantRecord,
  item: Extract<DueAlertItem, { kind: 'expected' }>,
  occurredAt: Date,
): OutboxEvent =>
  changeEvent(
    DETAIL_TYPES.paymentOverdue,
    grant,
    {
      expectedPayment: toExpectedPaymentDto(item.expected, grant),
      daysOverdue: alert.daysOverdue,
      recipients: recipientsOf(grant),
    },
    { eventId: alertEventId([alert.alertKey]), occurredAt },
  );

/** What a sweep stores for an expected payment: sent or not, it leaves the index unless not yet due. */
const expectedOutcome = (
  item: Extract<DueAlertItem, { kind: 'expected' }>,
  evaluation: ReturnType<typeof evaluateExpectedPayment>,
  event: OutboxEvent | undefined,
): SweepOutcome => {
  const { expected } = item;
  return {
    key: keys.expectedPayment(expected.grantId, expected.expectedPaymentId),
    indexKey: item.indexKey,
    nextIndexKey: evaluation.nextAlertOn
      ? expectedPaymentAlertSortKey(evaluation.nextAlertOn, expected.grantId, expected.expectedPaymentId)
      : null,
    stateAttribute: 'overdueSentFor',
    lastAlert: evaluation.overdueSentFor,
    unchanged: { status: expected.status, expectedOn: expected.expectedOn },
    event,
  };
};

const grantIdOf = (item: DueAlertItem): string => {
  switch (item.kind) {
    case 'deadline':
      return item.deadline.grantId;
    case 'funding':
      return item.grant.grantId;
    case 'expected':
      return item.expected.grantId;
  }
};

const outcomeFor = (
  item: Exclude<DueAlertItem, { kind: 'expected' }>,
  grant: GrantRecord,
  evaluation: { alert?: Alert | undefined; lastAlert: LastAlert; nextAlertOn: IsoDate | null },
  event: OutboxEvent | undefined,
): SweepOutcome => {
  if (item.kind === 'deadline') {
    const { deadline } = item;
    return {
      key: keys.deadline(deadline.grantId, deadline.deadlineId),
      indexKey: item.indexKey,
      nextIndexKey: evaluation.nextAlertOn
        ? deadlineAlertSortKey(evaluation.nextAlertOn, deadline.grantId, deadline.deadlineId)
        : null,
      stateAttribute: 'lastAlert',
      lastAlert: evaluation.lastAlert,
      unchanged: { dueOn: deadline.dueOn, status: deadline.status },
      event,
    };
  }
  return {
    key: keys.grant(grant.grantId),
    indexKey: item.indexKey,
    nextIndexKey: evaluation.nextAlertOn ? fundingAlertSortKey(evaluation.nextAlertOn, grant.grantId) : null,
    stateAttribute: 'fundingLastAlert',
    lastAlert: evaluation.lastAlert,
    unchanged: { status: grant.status, endDate: grant.endDate, fundingEndsOn: grant.fundingEndsOn },
    event,
  };
};

/**
 * The daily sweep for a Copenhagen calendar date: every deadline and funding end whose next alert
 * is due by then, evaluated by the alert rules, each alert committed once as an event. Running it
 * twice, or twice at once, sends nothing twice; after downtime only the tightest threshold goes out.
 */
export const sweepDeadlines = async (ports: SweepPorts, today?: IsoDate): Promise<SweepSummary> => {
  const now = ports.clock.now();
  const date = today ?? copenhagenDateOf(now);
  const { items, readUnits } = await ports.ledger.dueForAlerts(date);
  const grantIds = items.map(grantIdOf);
  // A funding item is its grant: only deadlines need their grant read.
  const fundingGrants = new Map(
    items.flatMap((item) => (item.kind === 'funding' ? [[item.grant.grantId, item.grant] as const] : [])),
  );
  const { grants: readGrants, readUnits: grantUnits } = await ports.ledger.grantsById(
    grantIds.filter((id) => !fundingGrants.has(id)),
  );
  const grants = new Map([...readGrants, ...fundingGrants]);

  const alertsSent: Record<Alert['kind'] | PaymentOverdueAlert['kind'], number> = {
    DeadlineApproaching: 0,
    DeadlineMissed: 0,
    GrantExpiring: 0,
    GrantExpired: 0,
    PaymentOverdue: 0,
  };
  let alreadySent = 0;
  let changedMeanwhile = 0;
  let retired = 0;

  const sweepOne = async (item: DueAlertItem) => {
    const grant = grants.get(grantIdOf(item));
    if (!grant) return; // The grant is gone; its items go with it.
    if (item.kind === 'expected') {
      const evaluation = evaluateExpectedPayment(item.expected, date);
      const event = evaluation.alert ? overdueEvent(evaluation.alert, grant, item, now) : undefined;
      const result = await ports.ledger.recordSweep(expectedOutcome(item, evaluation, event));
      if (result === 'already-sent') alreadySent++;
      else if (result === 'item-changed') changedMeanwhile++;
      else if (evaluation.alert) alertsSent.PaymentOverdue++;
      if (result === 'stored' && evaluation.nextAlertOn === null) retired++;
      return;
    }
    const thresholds = thresholdsFor(grant, ports.thresholds);
    const evaluation =
      item.kind === 'deadline'
        ? evaluateDeadline(
            { grant, deadline: item.deadline, lastAlert: item.deadline.lastAlert },
            date,
            thresholds.deadline,
          )
        : evaluateFunding({ grant, lastAlert: grant.fundingLastAlert }, date, thresholds.funding);
    const event = evaluation.alert ? alertEvent(evaluation.alert, grant, item, now) : undefined;
    const result = await ports.ledger.recordSweep(outcomeFor(item, grant, evaluation, event));
    if (result === 'already-sent') alreadySent++;
    else if (result === 'item-changed') changedMeanwhile++;
    else if (evaluation.alert) alertsSent[evaluation.alert.kind]++;
    if (result === 'stored' && evaluation.nextAlertOn === null) retired++;
  };

  // A few writes in flight at once: fast on a large backlog, gentle on the table.
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await sweepOne(item);
    }),
  );

  return {
    today: date,
    itemsDue: items.length,
    grantsRead: readGrants.size,
    readCapacityUnits: readUnits + grantUnits,
    alertsSent,
    alreadySent,
    changedMeanwhile,
    retired,
  };
};
