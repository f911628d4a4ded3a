import { describe, expect, it } from 'vitest';
import { buildEvent, EVENT_CATALOGUE } from '../../events/contracts';
import { composeAlertMessage } from '../../functions/notifier/message';
import { BusinessRuleError, ConflictError, ValidationError } from '../../lib/domain/errors';
import {
  addExpectedPayment,
  changeExpectedPayment,
  type ExpectedPaymentRecord,
  evaluateExpectedPayment,
  expectedDkkByQuarter,
  expectedDkkMinor,
  expectedPaymentAlertOn,
  expectedSumsAfter,
  settleExpectedPayment,
  toExpectedPaymentDto,
} from '../../lib/domain/expected-payments';
import {
  applyGrantPatch,
  type ChangeContext,
  type GrantRecord,
  registerGrant,
  toGrantDto,
} from '../../lib/domain/grant';
import {
  deadlineChanges,
  expectedPaymentChanges,
  fieldChanges,
  grantChanges,
  historyEntry,
  paymentChanges,
} from '../../lib/domain/history';
import {
  ExpectedPaymentInputSchema,
  ExpectedPaymentPatchSchema,
  GrantInputSchema,
  GrantPatchSchema,
  PaymentInputSchema,
} from '../../lib/domain/schemas';
import { atelierInput } from '../support/fixtures';

const counter = (prefix: string) => {
  let n = 0;
  return () => `${prefix}-${++n}`;
};
const contextAt = (instant: string, actor = 'oekonomi@tmf.kk.dk'): ChangeContext => ({
  now: new Date(instant),
  actor,
  newId: counter('id'),
});
const ctx = contextAt('2024-08-20T10:00:00Z');

/** ATELIER: EUR 665,462.50 awarded at 7.47, nothing received yet. */
const atelier = (record: Partial<GrantRecord> = {}): GrantRecord => ({
  ...registerGrant(GrantInputSchema.parse(atelierInput()), ctx).grant,
  ...record,
});
const input = (body: Record<string, unknown> = {}) =>
  ExpectedPaymentInputSchema.parse({
    expectedOn: '2025-01-31',
    amount: { amount: '99819.38', currency: 'EUR' },
    kind: 'BALANCE',
    ...body,
  });
const patch = (body: Record<string, unknown>) => ExpectedPaymentPatchSchema.parse(body);
const caught = (work: () => unknown): Error => {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected it to throw');
};

describe('expected payments (PRODUCT.md 2.8)', () => {
  it('plans one OPEN in the grant’s currency and adds it to the grant’s sums by quarter', () => {
    const { record, sums } = addExpectedPayment(
      atelier(),
      input({ note: '' }),
      contextAt('2024-08-20T10:00:00Z'),
    );
    expect(record).toMatchObject({
      expectedPaymentId: 'id-1',
      status: 'OPEN',
      amount: { minor: 9_981_938, currency: 'EUR' },
      createdBy: 'oekonomi@tmf.kk.dk',
    });
    expect(record.note).toBeUndefined();
    expect(sums).toEqual({ expectedMinor: 9_981_938, expectedByQuarter: { '2025-Q1': 9_981_938 } });
    // EUR 99,819.38 × 7.47 = 745,650.7686 → DKK 745,650.77
    expect(expectedDkkMinor({ ...atelier(), ...sums })).toBe(74_565_077);
    expect(toExpectedPaymentDto(record, atelier()).amountDkk).toEqual({
      amount: '745650.77',
      currency: 'DKK',
    });
  });

  it('refuses more than awarded − received, allowing exactly that', () => {
    // arrange: EUR 500,000.00 of 665,462.50 received
    const grant = atelier({
      receivedMinor: 50_000_000,
      expectedMinor: 10_000_000,
      expectedByQuarter: { '2025-Q1': 10_000_000 },
    });
    // act
    const over = caught(() =>
      addExpectedPayment(grant, input({ amount: { amount: '65462.51', currency: 'EUR' } }), ctx),
    );
    const exact = addExpectedPayment(grant, input({ amount: { amount: '65462.50', currency: 'EUR' } }), ctx);
    // assert
    expect(over).toBeInstanceOf(BusinessRuleError);
    expect(over.message).toContain('at most 65462.50 EUR more can be expected');
    expect(exact.sums.expectedMinor).toBe(16_546_250);
  });

  it('refuses another currency, zero, and grants that take no payments', () => {
    expect(
      caught(() =>
        addExpectedPayment(atelier(), input({ amount: { amount: '1.00', currency: 'DKK' } }), ctx),
      ),
    ).toBeInstanceOf(BusinessRuleError);
    expect(
      caught(() =>
        addExpectedPayment(atelier(), input({ amount: { amount: '0.00', currency: 'EUR' } }), ctx),
      ),
    ).toBeInstanceOf(ValidationError);
    for (const status of ['APPLIED', 'REJECTED'] as const) {
      expect(caught(() => addExpectedPayment(atelier({ status }), input(), ctx))).toBeInstanceOf(
        ConflictError,
      );
    }
    for (const status of ['AWARDED', 'ACTIVE', 'CLOSED', 'TERMINATED'] as const) {
      expect(addExpectedPayment(atelier({ status }), input(), ctx).record.status).toBe('OPEN');
    }
  });

  it('moves, changes and cancels an OPEN one, keeping the sums exact; unchanged is the same record', () => {
    const planned = addExpectedPayment(atelier(), input(), ctx);
    const grant = atelier(planned.sums);
    const later = contextAt('2024-09-01T08:00:00Z', 'lear@kk.dk');
    const moved = changeExpectedPayment(grant, planned.record, patch({ expectedOn: '2025-07-15' }), later);
    expect(moved.sums.expectedByQuarter).toEqual({ '2025-Q3': 9_981_938 });
    expect(moved.record).toMatchObject({
      updatedBy: 'lear@kk.dk',
      updatedAt: '2024-09-01T08:00:00.000Z',
      createdBy: 'oekonomi@tmf.kk.dk',
    });
    const cancelled = changeExpectedPayment(grant, planned.record, patch({ status: 'CANCELLED' }), later);
    expect(cancelled.sums).toEqual({ expectedMinor: 0, expectedByQuarter: {} });
    const same = changeExpectedPayment(grant, planned.record, patch({ expectedOn: '2025-01-31' }), later);
    expect(same.record).toBe(planned.record);
    expect(
      caught(() => changeExpectedPayment(grant, cancelled.record, patch({ note: 'x' }), later)),
    ).toBeInstanceOf(ConflictError);
    expect(
      caught(() =>
        changeExpectedPayment(
          grant,
          planned.record,
          patch({ amount: { amount: '665462.51', currency: 'EUR' } }),
          later,
        ),
      ),
    ).toBeInstanceOf(BusinessRuleError);
    // lowering is always allowed, even past the ceiling (say, after a payment that settled nothing)
    const crowded = atelier({ ...planned.sums, receivedMinor: 66_546_250 });
    expect(
      changeExpectedPayment(
        crowded,
        planned.record,
        patch({ amount: { amount: '1.00', currency: 'EUR' } }),
        later,
      ).sums.expectedMinor,
    ).toBe(100);
  });

  it('settles an OPEN one with a payment, and refuses an unknown, received or cancelled one', () => {
    const planned = addExpectedPayment(atelier(), input(), ctx);
    const grant = atelier(planned.sums);
    const payment = {
      paymentId: 'P1',
      recordedAt: '2025-02-14T09:00:00.000Z',
      recordedBy: 'oekonomi@tmf.kk.dk',
    };
    const settled = settleExpectedPayment(grant, planned.record, payment, planned.record.expectedPaymentId);
    expect(settled.record).toMatchObject({
      status: 'RECEIVED',
      paymentId: 'P1',
      updatedAt: payment.recordedAt,
    });
    expect(settled.sums).toEqual({ expectedMinor: 0, expectedByQuarter: {} });
    const again = caught(() =>
      settleExpectedPayment(grant, settled.record, payment, planned.record.expectedPaymentId),
    );
    expect(again).toBeInstanceOf(ConflictError);
    expect(again.message).toContain('was received (payment P1)');
    const unknown = caught(() => settleExpectedPayment(grant, undefined, payment, 'NOPE'));
    expect(unknown).toBeInstanceOf(BusinessRuleError);
    expect((unknown as BusinessRuleError).errors).toEqual([
      { path: 'settles', message: 'names no expected payment of this grant' },
    ]);
  });

  it('converts each quarter’s sum for the totals, and ignores what is not OPEN', () => {
    const grant = {
      exchangeRateToDkk: '7.47',
      expectedByQuarter: { '2025-Q1': 9_981_938, '2025-Q3': 3_327_313 },
    };
    expect(expectedDkkByQuarter(grant)).toEqual({ '2025-Q1': 74_565_077, '2025-Q3': 24_855_028 });
    const closed = { ...addExpectedPayment(atelier(), input(), ctx).record, status: 'CANCELLED' as const };
    expect(expectedSumsAfter({ expectedMinor: 0, expectedByQuarter: {} }, undefined, closed)).toEqual({
      expectedMinor: 0,
      expectedByQuarter: {},
    });
  });

  it('refuses a grant change that would leave open expected payments without room or currency', () => {
    const planned = addExpectedPayment(atelier(), input(), ctx);
    const grant = atelier(planned.sums);
    const lower = caught(() =>
      applyGrantPatch(
        grant,
        GrantPatchSchema.parse({ awarded: { amount: '99819.37', currency: 'EUR' } }),
        [],
        ctx,
      ),
    );
    expect(lower).toBeInstanceOf(BusinessRuleError);
    expect(lower.message).toContain('99819.38 EUR received and expected');
    expect(
      applyGrantPatch(
        grant,
        GrantPatchSchema.parse({ awarded: { amount: '99819.38', currency: 'EUR' } }),
        [],
        ctx,
      ).grant.expectedMinor,
    ).toBe(9_981_938);
    const currency = caught(() =>
      applyGrantPatch(
        grant,
        GrantPatchSchema.parse({
          awarded: { amount: '5000000.00', currency: 'DKK' },
          exchangeRateToDkk: null,
        }),
        [],
        ctx,
      ),
    );
    expect((currency as BusinessRuleError).errors?.map((e) => e.path)).toEqual(['awarded.currency']);
    expect(toGrantDto(grant).expectedDkk).toEqual({ amount: '745650.77', currency: 'DKK' });
  });

  it('takes `settles` on a payment', () => {
    expect(
      PaymentInputSchema.parse({
        receivedOn: '2025-02-14',
        amount: { amount: '1.00', currency: 'EUR' },
        kind: 'BALANCE',
        settles: 'E1',
      }).settles,
    ).toBe('E1');
    expect(
      PaymentInputSchema.safeParse({
        receivedOn: '2025-02-14',
        amount: { amount: '1.00', currency: 'EUR' },
        kind: 'BALANCE',
        settles: '',
      }).success,
    ).toBe(false);
  });
});

describe('the PaymentOverdue rule', () => {
  const record = (extra: Partial<ExpectedPaymentRecord> = {}): ExpectedPaymentRecord => ({
    ...addExpectedPayment(atelier(), input(), contextAt('2024-08-20T10:00:00Z')).record,
    ...extra,
  });

  it('is due 30 days after expectedOn, once, and never for one that is not OPEN', () => {
    expect(expectedPaymentAlertOn(record())).toBe('2025-03-02');
    expect(evaluateExpectedPayment(record(), '2025-03-01')).toEqual({
      overdueSentFor: undefined,
      nextAlertOn: '2025-03-02',
    });
    const due = evaluateExpectedPayment(record(), '2025-03-02');
    expect(due.alert).toEqual({
      kind: 'PaymentOverdue',
      alertKey: expect.stringContaining('#EXPECTED#id-1#2025-01-31#OVERDUE'),
      daysOverdue: 30,
    });
    expect(due).toMatchObject({ overdueSentFor: '2025-01-31', nextAlertOn: null });
    // After downtime: the first sweep after the mark, with the days it is really overdue.
    expect(evaluateExpectedPayment(record(), '2025-04-10').alert?.daysOverdue).toBe(69);
    expect(evaluateExpectedPayment(record({ overdueSentFor: '2025-01-31' }), '2025-04-10')).toEqual({
      overdueSentFor: '2025-01-31',
      nextAlertOn: null,
    });
    for (const status of ['RECEIVED', 'CANCELLED'] as const) {
      expect(evaluateExpectedPayment(record({ status }), '2025-04-10').alert).toBeUndefined();
      expect(expectedPaymentAlertOn(record({ status }))).toBeNull();
    }
  });

  it('gives a moved expectedOn its own alert, under another key', () => {
    const first = evaluateExpectedPayment(record(), '2025-03-02').alert?.alertKey;
    const moved = record({ expectedOn: '2025-06-30', overdueSentFor: '2025-01-31' });
    expect(expectedPaymentAlertOn(moved)).toBe('2025-07-30');
    const second = evaluateExpectedPayment(moved, '2025-07-30').alert?.alertKey;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('e-mails it in Danish and English with the amount as people write it', () => {
    const detail = buildEvent(
      'PaymentOverdue',
      EVENT_CATALOGUE.PaymentOverdue.example as Parameters<typeof buildEvent<'PaymentOverdue'>>[1],
      { eventId: EVENT_CATALOGUE.PaymentOverdue.example.eventId, occurredAt: '2025-03-03T05:00:00.000Z' },
    );
    const message = composeAlertMessage('PaymentOverdue', detail, 'https://tilskud.kk.dk');
    expect(message.subject).toBe('[ATELIER] Slutbetaling er 31 dage forsinket / Balance 31 days overdue');
    expect(message.text).toContain('99.819,38 EUR');
    expect(message.text).toContain('99,819.38 EUR');
    expect(message.text).toContain('fredag den 31. januar 2025 (2025-01-31)');
    expect(message.text).toContain('https://tilskud.kk.dk/app/grants/01HQ8ZK4V6N3T2RXW5M7B9C1DE');
  });
});

describe('history entries (PRODUCT.md 2.9)', () => {
  it('names every changed field with its old and new value; absent is null; unchanged is left out', () => {
    expect(
      fieldChanges(
        { a: 1, b: { amount: '1.00', currency: 'EUR' }, c: 'x' },
        { a: 1, b: { amount: '2.00', currency: 'EUR' }, d: true },
      ),
    ).toEqual([
      { field: 'b', from: { amount: '1.00', currency: 'EUR' }, to: { amount: '2.00', currency: 'EUR' } },
      { field: 'd', from: null, to: true },
      { field: 'c', from: 'x', to: null },
    ]);
  });

  it('records a grant change in wire terms, money as Money, without versions and stamps', () => {
    const before = atelier();
    const { grant: after } = applyGrantPatch(
      before,
      GrantPatchSchema.parse({ awarded: { amount: '700000.00', currency: 'EUR' }, notes: 'Amendment 2' }),
      [],
      contextAt('2024-09-01T08:00:00Z', 'lear@kk.dk'),
    );
    expect(grantChanges(before, after)).toEqual(
      [
        { field: 'notes', from: null, to: 'Amendment 2' },
        {
          field: 'awarded',
          from: { amount: '665462.50', currency: 'EUR' },
          to: { amount: '700000.00', currency: 'EUR' },
        },
      ].sort(
        (a, b) =>
          Object.keys(toGrantDto(after)).indexOf(a.field) - Object.keys(toGrantDto(after)).indexOf(b.field),
      ),
    );
    const registration = grantChanges(undefined, before);
    expect(registration.map((c) => c.field)).not.toContain('version');
    expect(registration.map((c) => c.field)).not.toContain('createdAt');
    expect(registration).toContainEqual({ field: 'startDate', from: null, to: '2019-11-01' });
  });

  it('records payments, deadlines and expected payments, stamped with who and when', () => {
    const planned = addExpectedPayment(atelier(), input(), ctx).record;
    const moved = { ...planned, expectedOn: '2025-03-31' };
    expect(expectedPaymentChanges(atelier(), planned, moved)).toEqual([
      { field: 'expectedOn', from: '2025-01-31', to: '2025-03-31' },
    ]);
    expect(
      paymentChanges({
        grantId: 'G',
        paymentId: 'P',
        receivedOn: '2020-01-15',
        amount: { minor: 26_618_500, currency: 'EUR' },
        amountDkkMinor: 198_840_195,
        kind: 'PREFINANCING',
        recordedAt: '2020-01-16T08:00:00.000Z',
        recordedBy: 'oekonomi@tmf.kk.dk',
      }),
    ).toEqual([
      { field: 'receivedOn', from: null, to: '2020-01-15' },
      { field: 'amount', from: null, to: { amount: '266185.00', currency: 'EUR' } },
      { field: 'amountDkk', from: null, to: { amount: '1988401.95', currency: 'DKK' } },
      { field: 'kind', from: null, to: 'PREFINANCING' },
    ]);
    const deadline = {
      grantId: 'G',
      deadlineId: 'D',
      kind: 'AUDIT' as const,
      title: 'Audit',
      dueOn: '2026-06-30',
      status: 'OPEN' as const,
      origin: 'MANUAL' as const,
    };
    expect(deadlineChanges(deadline, undefined)).toContainEqual({
      field: 'dueOn',
      from: '2026-06-30',
      to: null,
    });
    const entry = historyEntry(
      contextAt('2024-09-01T08:00:00Z', 'lear@kk.dk'),
      'G',
      'DEADLINE_REMOVED',
      { type: 'deadline', id: 'D' },
      [],
    );
    expect(entry).toEqual({
      grantId: 'G',
      entryId: 'id-1',
      at: '2024-09-01T08:00:00.000Z',
      by: 'lear@kk.dk',
      action: 'DEADLINE_REMOVED',
      subject: { type: 'deadline', id: 'D' },
      changes: [],
    });
  });
});
