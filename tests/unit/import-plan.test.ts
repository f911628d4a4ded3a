import { describe, expect, it } from 'vitest';
import { registerGrant, toGrantDto } from '../../lib/domain/grant';
import type { GrantDto, GrantInput, PaymentDto, PaymentInput } from '../../lib/domain/schemas';
import { idempotencyKeyOf, patchApplied, planImport, statusPath } from '../../lib/import/plan';
import { formatRowError, type ImportRow } from '../../lib/import/rows';
import { atelierInput } from '../support/fixtures';

let ids = 0;
const grantOf = (input: GrantInput, overrides: Partial<GrantDto> = {}): GrantDto => {
  const { grant } = registerGrant(input, {
    now: new Date('2024-01-01T10:00:00Z'),
    actor: 'lear@kk.dk',
    newId: () => `GRANT${++ids}`,
  });
  return { ...toGrantDto(grant), ...overrides };
};

const rowOf = (line: number, grant: GrantInput, payment?: PaymentInput): ImportRow => ({
  where: `line ${line}`,
  grant,
  payment,
});

const paymentOf = (
  receivedOn: string,
  amount: string,
  currency: GrantInput['awarded']['currency'] = 'EUR',
) => ({
  receivedOn,
  amount: { amount, currency },
  kind: 'OTHER' as const,
});

/** Payments as the register holds them, by grant id; counts which grants were asked for. */
const registerWith = (payments: Record<string, PaymentInput[]> = {}) => {
  const asked: string[] = [];
  return {
    asked,
    ports: {
      loadPayments: async (grantId: string): Promise<PaymentDto[]> => {
        asked.push(grantId);
        return (payments[grantId] ?? []).map((p, i) => ({
          ...p,
          paymentId: `P${i}`,
          amountDkk: { amount: '0.00', currency: 'DKK' as const },
          recordedAt: '2024-01-01T00:00:00.000Z',
          recordedBy: 'x@kk.dk',
        }));
      },
    },
  };
};

const atelier = atelierInput({ reportingPeriods: undefined });

describe('planning an import', () => {
  it('creates what is not there, with an idempotency key derived from the row', async () => {
    const { ports } = registerWith();
    const plan = await planImport([rowOf(2, atelier, paymentOf('2020-01-15', '1000.00'))], [], ports);
    expect(plan.errors).toEqual([]);
    expect(plan.rows[0]).toMatchObject({
      action: 'create',
      payment: paymentOf('2020-01-15', '1000.00'),
      idempotencyKey: await idempotencyKeyOf(atelier),
    });
    expect(await idempotencyKeyOf(atelier)).toMatch(/^import-[0-9a-f]{48}$/);
    expect(await idempotencyKeyOf(atelier)).toBe(await idempotencyKeyOf({ ...atelier }));
    expect(await idempotencyKeyOf(atelier)).not.toBe(await idempotencyKeyOf({ ...atelier, title: 'Other' }));
  });

  it('finds the grant by programme + agreement number and changes nothing when the row says the same', async () => {
    // arrange: the register as a first import left it, with the rate written differently
    const existing = grantOf(atelier);
    const { ports, asked } = registerWith();
    // act
    const plan = await planImport(
      [
        rowOf(2, {
          ...atelier,
          acronym: 'ATELIER',
          exchangeRateToDkk: '7.4700',
          fundingEndsOn: '2024-10-31',
        }),
      ],
      [existing],
      ports,
    );
    // assert
    expect(plan.rows[0]).toMatchObject({
      action: 'unchanged',
      target: { grantId: existing.grantId },
      patches: [],
    });
    expect(asked).toEqual([]);
  });

  it('falls back to acronym + forvaltning + startDate, in any case, and fills in the agreement number', async () => {
    const existing = grantOf({ ...atelier, grantAgreementNumber: undefined, acronym: 'Atelier' });
    const plan = await planImport([rowOf(2, atelier)], [existing], registerWith().ports);
    expect(plan.rows[0]).toMatchObject({
      action: 'update',
      target: { grantId: existing.grantId, version: 1 },
      patches: [{ acronym: 'ATELIER', grantAgreementNumber: '864374' }],
    });
  });

  it('does not take a grant with another agreement number for the same one', async () => {
    const existing = grantOf({ ...atelier, grantAgreementNumber: '111111' });
    const plan = await planImport([rowOf(2, atelier)], [existing], registerWith().ports);
    expect(plan.rows[0]?.action).toBe('create');
  });

  it('patches only what changed and leaves what an empty cell does not say', async () => {
    const existing = grantOf({ ...atelier, unit: 'KEI', notes: 'by hand' });
    const row = { ...atelier, title: 'New title', awarded: { amount: '700000', currency: 'EUR' as const } };
    const plan = await planImport([rowOf(2, row)], [existing], registerWith().ports);
    expect(plan.rows[0]?.patches).toEqual([
      { title: 'New title', awarded: { amount: '700000', currency: 'EUR' } },
    ]);
  });

  it('leaves the rate of a grant moved to EUR to the API, and sees the default rate it sets as unchanged', async () => {
    const existing = grantOf({
      ...atelier,
      awarded: { amount: '100.00', currency: 'SEK' },
      exchangeRateToDkk: '0.65',
    });
    const plan = await planImport(
      [
        rowOf(2, {
          ...atelier,
          awarded: { amount: '100.00', currency: 'EUR' },
          exchangeRateToDkk: undefined,
        }),
      ],
      [existing],
      registerWith().ports,
    );
    // The API resolves a new currency's rate itself (tests/unit/grant-rules.test.ts).
    expect(plan.rows[0]?.patches).toEqual([{ awarded: { amount: '100.00', currency: 'EUR' } }]);
    const moved = grantOf({
      ...atelier,
      awarded: { amount: '100.00', currency: 'EUR' },
      exchangeRateToDkk: undefined,
    });
    expect(moved.exchangeRateToDkk).toBe('7.46038');
    const again = await planImport(
      [
        rowOf(2, {
          ...atelier,
          awarded: { amount: '100.00', currency: 'EUR' },
          exchangeRateToDkk: undefined,
        }),
      ],
      [moved],
      registerWith().ports,
    );
    expect(again.rows[0]?.action).toBe('unchanged');
  });

  it('walks a status through the allowed changes, and refuses one that is not allowed', async () => {
    expect(statusPath('AWARDED', 'CLOSED')).toEqual(['ACTIVE', 'CLOSED']);
    expect(statusPath('APPLIED', 'CLOSED')).toEqual(['AWARDED', 'ACTIVE', 'CLOSED']);
    expect(statusPath('CLOSED', 'ACTIVE')).toBeUndefined();

    const awarded = grantOf({ ...atelier, status: 'AWARDED' });
    const closed = grantOf({ ...atelier, acronym: 'DONE', grantAgreementNumber: '222222', status: 'CLOSED' });
    const plan = await planImport(
      [
        rowOf(2, { ...atelier, status: 'CLOSED', title: 'T' }),
        rowOf(3, { ...atelier, acronym: 'DONE', grantAgreementNumber: '222222', status: 'ACTIVE' }),
      ],
      [awarded, closed],
      registerWith().ports,
    );
    expect(plan.errors.map(formatRowError)).toEqual([
      'line 3: status: the grant is CLOSED and cannot become ACTIVE; change its status by hand if the sheet is right',
    ]);
    expect(plan.rows[0]).toMatchObject({
      patches: [{ title: 'T', status: 'ACTIVE' }, { status: 'CLOSED' }],
      changes: ['title', 'status AWARDED → ACTIVE → CLOSED'],
    });
  });

  it('leaves a derived (soft) status and a default lead alone where the grant says otherwise', async () => {
    const existing = grantOf({ ...atelier, status: 'TERMINATED' });
    const row: ImportRow = {
      ...rowOf(2, { ...atelier, status: 'CLOSED', projectLead: { name: 'x', email: 'x@kk.dk' } }),
      soft: { status: true, projectLead: true },
    };
    const plan = await planImport([row], [existing], registerWith().ports);
    expect(plan.errors).toEqual([]);
    expect(plan.rows[0]?.action).toBe('unchanged');
  });

  it('records a payment only when the grant does not have it yet', async () => {
    const existing = grantOf(atelier);
    const { ports, asked } = registerWith({ [existing.grantId]: [paymentOf('2020-01-15', '1000.00')] });
    const plan = await planImport(
      [
        rowOf(2, atelier, paymentOf('2020-01-15', '1000.0')),
        rowOf(3, atelier, paymentOf('2021-01-15', '500.00')),
        rowOf(4, atelier, paymentOf('2021-01-15', '500.00')),
      ],
      [existing],
      ports,
    );
    expect(plan.errors).toEqual([]);
    expect(plan.rows.map((r) => [r.action, r.payment?.receivedOn])).toEqual([
      ['unchanged', undefined],
      ['update', '2021-01-15'],
      ['unchanged', undefined],
    ]);
    expect(asked).toEqual([existing.grantId]);
  });

  it('refuses, before anything is written, payments the register would refuse', async () => {
    const existing = grantOf({ ...atelier, awarded: { amount: '1000.00', currency: 'EUR' } });
    const applied = grantOf({
      ...atelier,
      acronym: 'APP',
      grantAgreementNumber: '333333',
      status: 'APPLIED',
    });
    const { ports } = registerWith({ [existing.grantId]: [paymentOf('2020-01-15', '800.00')] });
    const plan = await planImport(
      [
        rowOf(
          2,
          { ...atelier, awarded: { amount: '1000.00', currency: 'EUR' } },
          paymentOf('2021-01-01', '300.00'),
        ),
        rowOf(3, { ...atelier, awarded: { amount: '700.00', currency: 'EUR' }, acronym: 'ATELIER' }),
        rowOf(4, { ...atelier, acronym: 'APP', grantAgreementNumber: '333333', status: 'APPLIED' }),
      ],
      [existing, applied],
      ports,
    );
    expect(plan.errors.map(formatRowError)).toEqual([
      'line 2: received: would bring the total received to 1100.00 EUR, above the 1000.00 EUR awarded (the grant already has 800.00 EUR)',
      'line 3: awarded: is less than the 800.00 EUR already received',
    ]);
    expect(plan.invalidLines).toBe(2);
  });

  it('treats rows that describe the same grant differently as a conflict, and the same way as one grant', async () => {
    const plan = await planImport(
      [
        rowOf(2, atelier, paymentOf('2020-01-15', '100.00')),
        rowOf(3, atelier, paymentOf('2020-06-15', '100.00')),
        rowOf(4, { ...atelier, title: 'Something else' }),
      ],
      [],
      registerWith().ports,
    );
    expect(plan.errors.map(formatRowError)).toEqual([
      'line 4: title: differs from line 2, which describes the same grant',
    ]);
    expect(plan.rows.map((r) => [r.action, r.target])).toEqual([
      ['create', undefined],
      ['update', { createdBy: 0 }],
    ]);
  });

  it('refuses a row that matches more than one grant', async () => {
    const one = grantOf({ ...atelier, grantAgreementNumber: undefined });
    const two = grantOf({ ...atelier, grantAgreementNumber: undefined });
    const plan = await planImport(
      [rowOf(2, { ...atelier, grantAgreementNumber: undefined })],
      [one, two],
      registerWith().ports,
    );
    expect(plan.errors.map(formatRowError)).toEqual([
      `line 2: acronym: matches 2 grants (${one.grantId}, ${two.grantId}); make them distinguishable before importing`,
    ]);
  });

  it('tells whether a grant already shows a patch (to judge a lost answer)', () => {
    const grant = grantOf(atelier);
    expect(patchApplied(grant, { title: atelier.title, exchangeRateToDkk: '7.470' })).toBe(true);
    expect(patchApplied(grant, { awarded: { amount: '665462.5', currency: 'EUR' } })).toBe(true);
    expect(patchApplied(grant, { title: 'New' })).toBe(false);
  });
});

describe('expected payments in an import', () => {
  const expectedOf = (expectedOn: string, amount: string) => ({
    expectedOn,
    amount: { amount, currency: 'EUR' as const },
    kind: 'INTERIM' as const,
  });
  const registered = (status: 'OPEN' | 'CANCELLED', expectedOn: string, amount: string) => ({
    ...expectedOf(expectedOn, amount),
    expectedPaymentId: `E-${expectedOn}`,
    status,
    createdAt: '2024-01-01T00:00:00.000Z',
    createdBy: 'x@kk.dk',
    updatedAt: '2024-01-01T00:00:00.000Z',
    updatedBy: 'x@kk.dk',
  });
  const withExpected = (expected: ReturnType<typeof registered>[]) => ({
    loadPayments: async () => [],
    loadExpectedPayments: async () => expected as never,
  });

  it('adds an expected payment to a new grant and to a grant that lacks it, and never twice', async () => {
    const existing = grantOf(atelier);
    const plan = await planImport(
      [
        { ...rowOf(2, atelier), expectedPayment: expectedOf('2027-03-01', '100000.00') },
        {
          ...rowOf(3, { ...atelier, acronym: 'NEW', grantAgreementNumber: '999999' }),
          expectedPayment: expectedOf('2027-03-01', '100000.00'),
        },
      ],
      [existing],
      withExpected([registered('CANCELLED', '2026-01-01', '5000.00')]),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.rows.map((r) => [r.action, r.changes])).toEqual([
      ['update', ['expected 2027-03-01 100000.00 EUR']],
      ['create', ['NEW (H2020, TMF, 665462.50 EUR)', 'expected 2027-03-01 100000.00 EUR']],
    ]);
    const again = await planImport(
      [{ ...rowOf(2, atelier), expectedPayment: expectedOf('2027-03-01', '100000.00') }],
      [existing],
      withExpected([registered('OPEN', '2027-03-01', '100000.00')]),
    );
    expect(again.rows.map((r) => r.action)).toEqual(['unchanged']);
  });

  it('refuses more expected than is left of the awarded amount, before anything is written', async () => {
    const plan = await planImport(
      [{ ...rowOf(2, atelier), expectedPayment: expectedOf('2027-03-01', '600000.00') }],
      [grantOf(atelier)],
      withExpected([
        registered('OPEN', '2026-03-01', '100000.00'),
        registered('CANCELLED', '2025-03-01', '9.00'),
      ]),
    );
    expect(plan.errors).toEqual([
      {
        where: 'line 2',
        field: 'expected',
        message:
          'would bring the open expected payments to 700000.00 EUR, more than the 665462.50 EUR still to come of the 665462.50 EUR awarded',
      },
    ]);
  });
});
