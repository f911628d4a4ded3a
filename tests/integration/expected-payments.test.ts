import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/domain/alerts';
import type { Clock } from '../../lib/domain/dates';
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../../lib/domain/errors';
import type { HistoryEntryDto, PaymentInput } from '../../lib/domain/schemas';
import { readLedgerForAudit } from '../../lib/storage/audit';
import * as grants from '../../lib/use-cases/grants';
import { sweepDeadlines } from '../../lib/use-cases/sweep';
import { expectedCells, getTotals, totalsDrift } from '../../lib/use-cases/totals';
import { atelierInput, caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

type Env = Awaited<ReturnType<typeof freshLedger>>;

/** A clock one second further on each time it is read: every change gets its own instant. */
const tickingClock = (start: string): Clock => {
  let at = Date.parse(start);
  return {
    now: () => {
      at += 1000;
      return new Date(at);
    },
  };
};

const finance = { email: 'oekonomi@tmf.kk.dk', roles: ['finance'] } as const;

/** ATELIER's balance with the Guarantee Fund's 5 % returned: EUR 99,819.38 at 7.47 = DKK 745,650.77. */
const balance = {
  expectedOn: '2025-01-31',
  amount: { amount: '99819.38', currency: 'EUR' as const },
  kind: 'BALANCE' as const,
};

const paymentSettling = (expectedPaymentId: string, amount = '99819.38'): PaymentInput => ({
  receivedOn: '2025-02-14',
  amount: { amount, currency: 'EUR' },
  kind: 'BALANCE',
  settles: expectedPaymentId,
});

const outboxOf = async (env: Env, detailType: string) => {
  const { Items = [] } = await env.db.send(new ScanCommand({ TableName: env.tableName }));
  return Items.filter((i) => i.type === 'OUTBOX' && i.detailType === detailType).map(
    (i) => JSON.parse(String(i.detail)) as Record<string, unknown>,
  );
};

const expectTotalsExact = async (env: Env) => {
  const audit = await readLedgerForAudit(env.db, env.tableName);
  expect(
    totalsDrift(expectedCells(audit.grants, audit.payments, audit.expectedPayments), audit.storedCells),
  ).toEqual([]);
};

const rejection = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
};

describe('expected payments on DynamoDB Local', () => {
  let env: Env;
  let grantId: string;

  beforeEach(async () => {
    env = await freshLedger(inject('dynamoEndpoint'), tickingClock('2024-08-20T10:00:00Z'));
    grantId = (await grants.registerGrant(env.ports, atelierInput(), caller)).grantId;
  });

  it('plans one: on the grant with expectedDkk, in the totals by expectedOn, announced once', async () => {
    // act
    const planned = await grants.addExpectedPayment(env.ports, grantId, balance, finance);
    // assert
    expect(planned).toMatchObject({
      status: 'OPEN',
      amount: { amount: '99819.38', currency: 'EUR' },
      amountDkk: { amount: '745650.77', currency: 'DKK' },
      createdBy: finance.email,
    });
    const grant = await grants.getGrant(env.ports, grantId);
    expect(grant.expectedDkk).toEqual({ amount: '745650.77', currency: 'DKK' });
    expect(grant.expectedPayments).toEqual([planned]);
    const byYear = await getTotals(env.ledger, { groupBy: ['year'] });
    expect(byYear.groups.find((g) => g.key.year === 2025)?.expected).toBe('745650.77');
    expect(byYear.groups.find((g) => g.key.year === 2019)?.expected).toBe('0.00');
    expect(byYear.total.expected).toBe('745650.77');
    const events = await outboxOf(env, 'ExpectedPaymentAdded');
    expect(events.map((e) => (e.expectedPayment as { expectedPaymentId: string }).expectedPaymentId)).toEqual(
      [planned.expectedPaymentId],
    );
    await expectTotalsExact(env);
  });

  it('refuses more than is still to come, another currency, and a grant that takes no payments', async () => {
    // arrange: EUR 665,462.50 awarded, EUR 99,819.38 already expected
    await grants.addExpectedPayment(env.ports, grantId, balance, finance);
    // act
    const tooMuch = await rejection(
      grants.addExpectedPayment(
        env.ports,
        grantId,
        { ...balance, amount: { amount: '565643.13', currency: 'EUR' } },
        finance,
      ),
    );
    const exactly = await grants.addExpectedPayment(
      env.ports,
      grantId,
      { ...balance, kind: 'INTERIM', amount: { amount: '565643.12', currency: 'EUR' } },
      finance,
    );
    const inDkk = await rejection(
      grants.addExpectedPayment(
        env.ports,
        grantId,
        { ...balance, amount: { amount: '1.00', currency: 'DKK' } },
        finance,
      ),
    );
    const applied = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'APPLIED', status: 'APPLIED' }),
      caller,
    );
    const notAwarded = await rejection(
      grants.addExpectedPayment(env.ports, applied.grantId, balance, finance),
    );
    const zero = await rejection(
      grants.addExpectedPayment(
        env.ports,
        grantId,
        { ...balance, amount: { amount: '0.00', currency: 'EUR' } },
        finance,
      ),
    );
    // assert
    expect(tooMuch).toBeInstanceOf(BusinessRuleError);
    expect(tooMuch.message).toContain('at most 565643.12 EUR more can be expected');
    expect(exactly.status).toBe('OPEN');
    expect(inDkk).toBeInstanceOf(BusinessRuleError);
    expect((inDkk as BusinessRuleError).errors?.map((e) => e.path)).toEqual(['amount.currency']);
    expect(notAwarded).toBeInstanceOf(ConflictError);
    expect(zero).toBeInstanceOf(ValidationError);
    expect((await grants.getGrant(env.ports, grantId)).expectedDkk.amount).toBe('4971004.88');
    await expectTotalsExact(env);
  });

  it('moves, changes and cancels an OPEN one, and then refuses to change it again', async () => {
    // arrange
    const { expectedPaymentId } = await grants.addExpectedPayment(env.ports, grantId, balance, finance);
    // act
    const moved = await grants.changeExpectedPayment(
      env.ports,
      grantId,
      expectedPaymentId,
      { expectedOn: '2025-07-15', note: 'After the final review' },
      caller,
    );
    const lowered = await grants.changeExpectedPayment(
      env.ports,
      grantId,
      expectedPaymentId,
      { amount: { amount: '66546.25', currency: 'EUR' }, note: null },
      caller,
    );
    const movedTotals = await getTotals(env.ledger, { groupBy: ['quarter'] });
    const cancelled = await grants.changeExpectedPayment(
      env.ports,
      grantId,
      expectedPaymentId,
      { status: 'CANCELLED' },
      caller,
    );
    const again = await rejection(
      grants.changeExpectedPayment(
        env.ports,
        grantId,
        expectedPaymentId,
        { expectedOn: '2025-08-01' },
        caller,
      ),
    );
    const unknown = await rejection(
      grants.changeExpectedPayment(env.ports, grantId, 'NOPE', { status: 'CANCELLED' }, caller),
    );
    const settleCancelled = await rejection(
      grants.recordPayment(env.ports, grantId, paymentSettling(expectedPaymentId), finance),
    );
    // assert
    expect(moved).toMatchObject({ expectedOn: '2025-07-15', note: 'After the final review', status: 'OPEN' });
    expect(lowered.note).toBeUndefined();
    expect(lowered.amountDkk.amount).toBe('497100.49');
    expect(
      movedTotals.groups.filter((g) => g.expected !== '0.00').map((g) => [g.key.quarter, g.expected]),
    ).toEqual([['2025-Q3', '497100.49']]);
    expect(cancelled.status).toBe('CANCELLED');
    expect(again).toBeInstanceOf(ConflictError);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(settleCancelled).toBeInstanceOf(ConflictError);
    const grant = await grants.getGrant(env.ports, grantId);
    expect(grant.expectedDkk.amount).toBe('0.00');
    expect(grant.payments).toEqual([]);
    await expectTotalsExact(env);
  });

  it('settles one with a payment: RECEIVED with its paymentId, no longer expected, announced', async () => {
    // arrange
    const { expectedPaymentId } = await grants.addExpectedPayment(env.ports, grantId, balance, finance);
    // act
    const payment = await grants.recordPayment(
      env.ports,
      grantId,
      paymentSettling(expectedPaymentId),
      finance,
    );
    // assert
    expect(payment.settles).toBe(expectedPaymentId);
    const grant = await grants.getGrant(env.ports, grantId);
    expect(grant.expectedPayments).toMatchObject([
      { expectedPaymentId, status: 'RECEIVED', paymentId: payment.paymentId },
    ]);
    expect(grant.expectedDkk.amount).toBe('0.00');
    expect(grant.receivedDkk.amount).toBe('745650.77');
    const settled = await outboxOf(env, 'ExpectedPaymentSettled');
    expect(settled.map((e) => e.expectedPayment)).toMatchObject([
      { status: 'RECEIVED', paymentId: payment.paymentId },
    ]);
    const unknown = await rejection(
      grants.recordPayment(env.ports, grantId, paymentSettling('NOPE'), finance),
    );
    expect(unknown).toBeInstanceOf(BusinessRuleError);
    expect((unknown as BusinessRuleError).errors?.map((e) => e.path)).toEqual(['settles']);
    await expectTotalsExact(env);
  });

  it('lets exactly one of two payments settling the same expected payment at once win; the other gets 409 and writes nothing', async () => {
    for (let round = 0; round < 5; round++) {
      // arrange
      const { expectedPaymentId } = await grants.addExpectedPayment(
        env.ports,
        grantId,
        { ...balance, amount: { amount: '1000.00', currency: 'EUR' } },
        finance,
      );
      // act
      const results = await Promise.allSettled([
        grants.recordPayment(env.ports, grantId, paymentSettling(expectedPaymentId, '1000.00'), finance),
        grants.recordPayment(env.ports, grantId, paymentSettling(expectedPaymentId, '1000.00'), caller),
      ]);
      // assert
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
      const grant = await grants.getGrant(env.ports, grantId);
      const settled = grant.expectedPayments?.find((e) => e.expectedPaymentId === expectedPaymentId);
      const winner = (won[0] as PromiseFulfilledResult<{ paymentId: string }>).value;
      expect(settled).toMatchObject({ status: 'RECEIVED', paymentId: winner.paymentId });
      expect(grant.payments?.filter((p) => p.settles === expectedPaymentId).map((p) => p.paymentId)).toEqual([
        winner.paymentId,
      ]);
    }
    const grant = await grants.getGrant(env.ports, grantId);
    expect(grant.payments).toHaveLength(5);
    expect(grant.expectedDkk.amount).toBe('0.00');
    expect(await outboxOf(env, 'ExpectedPaymentSettled')).toHaveLength(5);
    expect(await outboxOf(env, 'PaymentRecorded')).toHaveLength(5);
    await expectTotalsExact(env);
  });

  it('alerts PaymentOverdue once, on the first sweep 30 days after expectedOn while still OPEN', async () => {
    // arrange: one due 2025-01-31 (overdue from 2025-03-02), one settled, one that moves
    const open = await grants.addExpectedPayment(env.ports, grantId, balance, finance);
    const settled = await grants.addExpectedPayment(
      env.ports,
      grantId,
      { ...balance, kind: 'PREFINANCING' },
      finance,
    );
    await grants.recordPayment(env.ports, grantId, paymentSettling(settled.expectedPaymentId), finance);
    const moved = await grants.addExpectedPayment(
      env.ports,
      grantId,
      { ...balance, kind: 'INTERIM' },
      finance,
    );
    await grants.changeExpectedPayment(
      env.ports,
      grantId,
      moved.expectedPaymentId,
      { expectedOn: '2025-06-30' },
      caller,
    );
    const ports = { ledger: env.ledger, clock: env.ports.clock, thresholds: DEFAULT_ALERT_THRESHOLDS };
    // act
    const before = await sweepDeadlines(ports, '2025-03-01');
    const due = await sweepDeadlines(ports, '2025-03-03');
    const again = await sweepDeadlines(ports, '2025-03-04');
    const movedDue = await sweepDeadlines(ports, '2025-07-30');
    // assert
    expect(before.alertsSent.PaymentOverdue).toBe(0);
    expect(due.alertsSent.PaymentOverdue).toBe(1);
    expect(again.alertsSent.PaymentOverdue).toBe(0);
    expect(movedDue.alertsSent.PaymentOverdue).toBe(1);
    const alerts = await outboxOf(env, 'PaymentOverdue');
    expect(
      alerts
        .map((a) => [
          (a.expectedPayment as { expectedPaymentId: string }).expectedPaymentId,
          a.daysOverdue,
          a.recipients,
        ])
        .sort(),
    ).toEqual(
      [
        [open.expectedPaymentId, 31, ['atelier@kk.dk']],
        [moved.expectedPaymentId, 30, ['atelier@kk.dk']],
      ].sort(),
    );
    // A sweep that re-reads an already alerted one (a concurrent run) sends nothing again.
    expect((await sweepDeadlines(ports, '2025-12-31')).alertsSent.PaymentOverdue).toBe(0);
  });
});

describe('open expected payments due by a date (the weekly digest’s read)', () => {
  it('finds exactly the OPEN ones due on or before the date, overdue included, by index', async () => {
    // arrange: two grants; one expected payment settled, one cancelled, one moved past the date
    const env = await freshLedger(inject('dynamoEndpoint'), tickingClock('2026-11-22T09:00:00Z'));
    const first = (await grants.registerGrant(env.ports, atelierInput(), caller)).grantId;
    const second = (await grants.registerGrant(env.ports, atelierInput({ acronym: 'SECOND' }), caller))
      .grantId;
    const plan = (grantId: string, expectedOn: string) =>
      grants.addExpectedPayment(
        env.ports,
        grantId,
        { ...balance, expectedOn, amount: { amount: '10.00', currency: 'EUR' } },
        finance,
      );
    const overdue = await plan(first, '2025-06-30');
    const due = await plan(second, '2026-12-20');
    const later = await plan(first, '2027-03-31');
    const settled = await plan(first, '2026-12-01');
    await grants.recordPayment(
      env.ports,
      first,
      paymentSettling(settled.expectedPaymentId, '10.00'),
      finance,
    );
    const cancelled = await plan(second, '2026-12-01');
    await grants.changeExpectedPayment(
      env.ports,
      second,
      cancelled.expectedPaymentId,
      { status: 'CANCELLED' },
      finance,
    );
    const moved = await plan(second, '2026-12-02');
    await grants.changeExpectedPayment(
      env.ports,
      second,
      moved.expectedPaymentId,
      { expectedOn: '2027-01-31' },
      finance,
    );
    // act
    const result = await env.ledger.openExpectedPaymentsDueBy('2026-12-22');
    // assert
    expect(result.items.map((e) => [e.grantId, e.expectedPaymentId, e.expectedOn, e.status])).toEqual([
      [first, overdue.expectedPaymentId, '2025-06-30', 'OPEN'],
      [second, due.expectedPaymentId, '2026-12-20', 'OPEN'],
    ]);
    expect(result.items[0]?.amount).toEqual({ minor: 1000, currency: 'EUR' });
    expect(result.itemsRead).toBe(2);
    expect(result.readUnits).toBeGreaterThan(0);
    expect(
      (await env.ledger.openExpectedPaymentsDueBy('2027-12-31')).items.map((e) => e.expectedPaymentId),
    ).toEqual([
      overdue.expectedPaymentId,
      due.expectedPaymentId,
      moved.expectedPaymentId,
      later.expectedPaymentId,
    ]);
  });
});

describe('history on DynamoDB Local', () => {
  let env: Env;

  beforeEach(async () => {
    env = await freshLedger(inject('dynamoEndpoint'), tickingClock('2024-03-11T09:00:00Z'));
  });

  const allHistory = async (grantId: string, limit: number) => {
    const entries: HistoryEntryDto[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await grants.getHistory(env.ports, grantId, { limit, cursor });
      entries.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    return { entries, pages };
  };

  it('keeps one entry per change, newest first, with old and new values, for every kind of change', async () => {
    // arrange and act: every kind of change, each at its own instant
    const grant = await grants.registerGrant(env.ports, atelierInput(), caller);
    const { grantId } = grant;
    await grants.updateGrant(
      env.ports,
      grantId,
      {
        awarded: { amount: '700000.00', currency: 'EUR' },
        reportingPeriods: [{ endsOn: '2021-04-30' }, { endsOn: '2022-10-31' }],
      },
      1,
      caller,
    );
    const payment = await grants.recordPayment(
      env.ports,
      grantId,
      { receivedOn: '2020-01-15', amount: { amount: '266185.00', currency: 'EUR' }, kind: 'PREFINANCING' },
      finance,
    );
    const expected = await grants.addExpectedPayment(env.ports, grantId, balance, finance);
    await grants.changeExpectedPayment(
      env.ports,
      grantId,
      expected.expectedPaymentId,
      { expectedOn: '2025-03-31' },
      finance,
    );
    const settling = await grants.recordPayment(
      env.ports,
      grantId,
      { ...paymentSettling(expected.expectedPaymentId), receivedOn: '2025-04-02' },
      finance,
    );
    const deadline = await grants.addDeadline(
      env.ports,
      grantId,
      { kind: 'AUDIT', title: 'Ex-post audit', dueOn: '2026-06-30' },
      caller,
    );
    await grants.setDeadlineStatus(env.ports, grantId, deadline.deadlineId, 'DONE', {
      email: 'atelier@kk.dk',
      roles: ['project-lead'],
    });
    const { version } = await grants.getGrant(env.ports, grantId);
    await grants.updateGrant(env.ports, grantId, { status: 'CLOSED' }, version, caller);
    // act
    const { entries, pages } = await allHistory(grantId, 2);
    // assert: newest first, every change there once
    expect(pages).toBeGreaterThan(3);
    expect(new Set(entries.map((e) => e.entryId)).size).toBe(entries.length);
    expect([...entries].sort((a, b) => b.at.localeCompare(a.at)).map((e) => e.entryId)).toEqual(
      entries.map((e) => e.entryId),
    );
    const find0 = (action: string) => entries.find((e) => e.action === action) as HistoryEntryDto;
    // One change's entries share its instant; the changes follow each other in time.
    const byInstant = new Map<string, string[]>();
    for (const e of [...entries].reverse())
      byInstant.set(e.at, [...(byInstant.get(e.at) ?? []), `${e.action}:${e.subject.type}`]);
    expect([...byInstant.values()].map((actions) => actions.sort())).toEqual([
      [
        'DEADLINE_ADDED:deadline',
        'DEADLINE_ADDED:deadline',
        'DEADLINE_ADDED:deadline',
        'GRANT_REGISTERED:grant',
      ],
      ['DEADLINE_REMOVED:deadline', 'DEADLINE_UPDATED:deadline', 'GRANT_UPDATED:grant'],
      ['PAYMENT_RECORDED:payment'],
      ['EXPECTED_PAYMENT_ADDED:expectedPayment'],
      ['EXPECTED_PAYMENT_UPDATED:expectedPayment'],
      ['EXPECTED_PAYMENT_SETTLED:expectedPayment', 'PAYMENT_RECORDED:payment'],
      ['DEADLINE_ADDED:deadline'],
      ['DEADLINE_UPDATED:deadline'],
      ['GRANT_UPDATED:grant'],
    ]);
    // Within one change the grant's own entry (or the payment) was written first, so reads last.
    expect(entries.at(-1)?.action).toBe('GRANT_REGISTERED');
    const settlement = entries
      .filter((e) => e.at === find0('EXPECTED_PAYMENT_SETTLED').at)
      .map((e) => e.action);
    expect(settlement).toEqual(['EXPECTED_PAYMENT_SETTLED', 'PAYMENT_RECORDED']);
    const find = (action: string, id?: string) =>
      entries.find(
        (e) => e.action === action && (id === undefined || e.subject.id === id),
      ) as HistoryEntryDto;
    // who and when
    expect(find('GRANT_REGISTERED')).toMatchObject({
      by: caller.email,
      subject: { type: 'grant', id: grantId },
    });
    expect(find('GRANT_REGISTERED').changes).toContainEqual({ field: 'acronym', from: null, to: 'ATELIER' });
    expect(find('GRANT_REGISTERED').changes).toContainEqual({
      field: 'awarded',
      from: null,
      to: { amount: '665462.50', currency: 'EUR' },
    });
    // money as Money, old and new
    const update = entries.filter((e) => e.action === 'GRANT_UPDATED').at(-1) as HistoryEntryDto;
    expect(update.changes).toContainEqual({
      field: 'awarded',
      from: { amount: '665462.50', currency: 'EUR' },
      to: { amount: '700000.00', currency: 'EUR' },
    });
    expect(update.changes.map((c) => c.field).sort()).toEqual(['awarded', 'reportingPeriods']);
    // The last period is now 2022-10-31: its report becomes the final one, the old final one goes.
    expect(find('DEADLINE_UPDATED', 'report-2022-10-31').changes).toEqual([
      { field: 'kind', from: 'PERIODIC_REPORT', to: 'FINAL_REPORT' },
      { field: 'title', from: 'Periodic report 2', to: 'Final report' },
    ]);
    expect(find('DEADLINE_REMOVED', 'report-2024-10-31').changes).toContainEqual({
      field: 'dueOn',
      from: '2024-12-30',
      to: null,
    });
    expect(find('PAYMENT_RECORDED', payment.paymentId)).toMatchObject({ by: finance.email });
    expect(find('PAYMENT_RECORDED', payment.paymentId).changes).toContainEqual({
      field: 'amount',
      from: null,
      to: { amount: '266185.00', currency: 'EUR' },
    });
    expect(find('PAYMENT_RECORDED', settling.paymentId).changes).toContainEqual({
      field: 'settles',
      from: null,
      to: expected.expectedPaymentId,
    });
    expect(find('EXPECTED_PAYMENT_UPDATED').changes).toEqual([
      { field: 'expectedOn', from: '2025-01-31', to: '2025-03-31' },
    ]);
    expect(find('EXPECTED_PAYMENT_SETTLED').changes).toEqual([
      { field: 'status', from: 'OPEN', to: 'RECEIVED' },
      { field: 'paymentId', from: null, to: settling.paymentId },
    ]);
    expect(find('DEADLINE_UPDATED', deadline.deadlineId)).toMatchObject({ by: 'atelier@kk.dk' });
    expect(find('DEADLINE_UPDATED', deadline.deadlineId).changes).toEqual([
      { field: 'status', from: 'OPEN', to: 'DONE' },
      { field: 'doneOn', from: null, to: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      { field: 'doneBy', from: null, to: 'atelier@kk.dk' },
    ]);
    expect(entries[0]).toMatchObject({
      action: 'GRANT_UPDATED',
      changes: [{ field: 'status', from: 'ACTIVE', to: 'CLOSED' }],
    });
  });

  it('writes no entry for a change that changes nothing, pages to the end, and knows no unknown grant', async () => {
    // arrange
    const { grantId } = await grants.registerGrant(env.ports, atelierInput({ reportingPeriods: [] }), caller);
    // act
    await grants.updateGrant(env.ports, grantId, { title: atelierInput().title }, 1, caller);
    const first = await grants.getHistory(env.ports, grantId, { limit: 1 });
    const unknown = await rejection(
      grants.getHistory(env.ports, '01HQ8ZK4V6N3T2RXW5M7B9C1DE', { limit: 10 }),
    );
    const forged = await rejection(
      grants.getHistory(env.ports, grantId, {
        limit: 10,
        cursor: Buffer.from('history:x').toString('base64url'),
      }),
    );
    // assert
    expect(first.items.map((e) => e.action)).toEqual(['GRANT_REGISTERED']);
    expect(first.nextCursor).toBeNull();
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(forged).toBeInstanceOf(ValidationError);
  });
});
