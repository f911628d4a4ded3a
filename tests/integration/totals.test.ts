import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { BusinessRuleError, ConflictError, PreconditionFailedError } from '../../lib/domain/errors';
import type { GrantInput } from '../../lib/domain/schemas';
import { readLedgerForAudit } from '../../lib/storage/audit';
import * as grants from '../../lib/use-cases/grants';
import {
  expectedCells,
  getTotals,
  recomputeTotals,
  type TotalsQuery,
  totalsDrift,
} from '../../lib/use-cases/totals';
import { caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

type Env = Awaited<ReturnType<typeof freshLedger>>;

const QUERIES: TotalsQuery[] = [
  { groupBy: ['forvaltning'] },
  { groupBy: ['programme', 'year'], status: 'ACTIVE' },
  { groupBy: ['funderType', 'quarter'], from: 2020, to: 2022 },
  { groupBy: [], forvaltning: 'TMF' },
];

/** The totals as stored and as served equal a recomputation from the grants, payments and expected payments. */
const expectExact = async (env: Env) => {
  const audit = await readLedgerForAudit(env.db, env.tableName);
  const expected = expectedCells(audit.grants, audit.payments, audit.expectedPayments);
  expect(totalsDrift(expected, audit.storedCells)).toEqual([]);
  for (const query of QUERIES) {
    expect(await getTotals(env.ledger, query)).toEqual(recomputeTotals(expected, query));
  }
};

const forvaltning = fc.constantFrom('OKF', 'KFF', 'TMF', 'BIF');
const programme = fc.constantFrom('H2020', 'INTERREG', 'SSC', 'ERASMUS_PLUS');
const status = fc.constantFrom('APPLIED', 'AWARDED', 'ACTIVE', 'CLOSED', 'TERMINATED');
const day = fc
  .integer({ min: 0, max: 5 * 365 })
  .map((d) => new Date(Date.UTC(2019, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
const cents = fc.integer({ min: 1, max: 50_000_00 });

const action = fc.oneof(
  fc.record({
    kind: fc.constant('register' as const),
    forvaltning,
    programme,
    status,
    startDate: day,
    amount: cents,
    eur: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('status' as const), grant: fc.nat(), to: status }),
  fc.record({ kind: fc.constant('move' as const), grant: fc.nat(), forvaltning, programme, startDate: day }),
  fc.record({
    kind: fc.constant('amount' as const),
    grant: fc.nat(),
    amount: cents,
    rate: fc.constantFrom('7.45', '7.46038', '7.5'),
  }),
  fc.record({
    kind: fc.constant('pay' as const),
    grant: fc.nat(),
    amounts: fc.array(cents, { minLength: 1, maxLength: 6 }),
    receivedOn: day,
  }),
  fc.record({ kind: fc.constant('expect' as const), grant: fc.nat(), amount: cents, expectedOn: day }),
  fc.record({
    kind: fc.constant('replan' as const),
    grant: fc.nat(),
    pick: fc.nat(),
    change: fc.oneof(
      fc.record({ expectedOn: day }),
      fc.record({ amount: cents }),
      fc.constant({ cancel: true as const }),
    ),
  }),
  // Payments settling one expected payment, racing each other: one wins, the others get 409.
  fc.record({
    kind: fc.constant('settle' as const),
    grant: fc.nat(),
    pick: fc.nat(),
    racers: fc.integer({ min: 1, max: 3 }),
  }),
);

const inputFor = (
  a: {
    forvaltning: string;
    programme: string;
    status: string;
    startDate: string;
    amount: number;
    eur: boolean;
  },
  i: number,
): GrantInput =>
  ({
    acronym: `P${i}`,
    title: 'Property test grant',
    programme: a.programme,
    forvaltning: a.forvaltning,
    role: 'PARTNER',
    status: a.status,
    startDate: a.startDate,
    endDate: '2026-12-31',
    awarded: { amount: (a.amount / 100).toFixed(2), currency: a.eur ? 'EUR' : 'DKK' },
    projectLead: { name: 'Projektleder', email: 'lead@kk.dk' },
  }) as GrantInput;

/** Client errors are expected outcomes of random changes (a refused transition, a ceiling, a race). */
const tolerate = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    if (
      !(
        error instanceof ConflictError ||
        error instanceof BusinessRuleError ||
        error instanceof PreconditionFailedError
      )
    ) {
      throw error;
    }
  }
};

describe('totals stay equal to a recomputation from the grants', () => {
  it('after every step of random registrations, changes and concurrent payments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 12 }), async (actions) => {
        const env = await freshLedger(inject('dynamoEndpoint'));
        const ids: string[] = [];
        for (const [i, a] of actions.entries()) {
          if (a.kind === 'register') {
            ids.push((await grants.registerGrant(env.ports, inputFor(a, i), caller)).grantId);
          } else if (ids.length) {
            const grantId = ids[a.grant % ids.length] as string;
            const { version } = await grants.getGrant(env.ports, grantId);
            if (a.kind === 'status') {
              await tolerate(grants.updateGrant(env.ports, grantId, { status: a.to }, version, caller));
            } else if (a.kind === 'move') {
              await tolerate(
                grants.updateGrant(
                  env.ports,
                  grantId,
                  {
                    forvaltning: a.forvaltning as 'TMF',
                    programme: a.programme as 'SSC',
                    startDate: a.startDate,
                  },
                  version,
                  caller,
                ),
              );
            } else if (a.kind === 'amount') {
              const current = await grants.getGrant(env.ports, grantId);
              const patch =
                current.awarded.currency === 'EUR'
                  ? {
                      awarded: { amount: (a.amount / 100).toFixed(2), currency: 'EUR' as const },
                      exchangeRateToDkk: a.rate,
                    }
                  : { awarded: { amount: (a.amount / 100).toFixed(2), currency: 'DKK' as const } };
              await tolerate(grants.updateGrant(env.ports, grantId, patch, version, caller));
            } else if (a.kind === 'expect') {
              const current = await grants.getGrant(env.ports, grantId);
              await tolerate(
                grants.addExpectedPayment(
                  env.ports,
                  grantId,
                  {
                    expectedOn: a.expectedOn,
                    amount: { amount: (a.amount / 100).toFixed(2), currency: current.awarded.currency },
                    kind: 'INTERIM',
                  },
                  caller,
                ),
              );
            } else if (a.kind === 'replan' || a.kind === 'settle') {
              const current = await grants.getGrant(env.ports, grantId);
              const open = (current.expectedPayments ?? []).filter((e) => e.status === 'OPEN');
              const target = open[a.pick % Math.max(1, open.length)];
              if (!target) continue;
              if (a.kind === 'replan') {
                const { change } = a;
                const patch =
                  'cancel' in change
                    ? { status: 'CANCELLED' as const }
                    : 'amount' in change
                      ? {
                          amount: {
                            amount: (change.amount / 100).toFixed(2),
                            currency: current.awarded.currency,
                          },
                        }
                      : { expectedOn: change.expectedOn };
                await tolerate(
                  grants.changeExpectedPayment(env.ports, grantId, target.expectedPaymentId, patch, caller),
                );
              } else {
                await Promise.all(
                  Array.from({ length: a.racers }, () =>
                    tolerate(
                      grants.recordPayment(
                        env.ports,
                        grantId,
                        {
                          receivedOn: target.expectedOn,
                          amount: { amount: '1.00', currency: 'DKK' },
                          amountDkk: { amount: '1.00', currency: 'DKK' },
                          kind: 'INTERIM',
                          settles: target.expectedPaymentId,
                        },
                        caller,
                      ),
                    ),
                  ),
                );
              }
            } else {
              // Several payments on one grant at once, racing each other (and the ceiling).
              await Promise.all(
                a.amounts.map((amount) =>
                  tolerate(
                    grants.recordPayment(
                      env.ports,
                      grantId,
                      {
                        receivedOn: a.receivedOn,
                        amount: { amount: (amount / 100).toFixed(2), currency: 'DKK' },
                        amountDkk: { amount: (amount / 100).toFixed(2), currency: 'DKK' },
                        kind: 'INTERIM',
                      },
                      caller,
                    ),
                  ),
                ),
              );
            }
          }
          await expectExact(env);
        }
        env.dynamo.destroy();
      }),
      { numRuns: 12 },
    );
  }, 240_000);

  it('50 concurrent payments on one grant are all counted, exactly', async () => {
    const env = await freshLedger(inject('dynamoEndpoint'));
    const { grantId } = await grants.registerGrant(
      env.ports,
      inputFor(
        {
          forvaltning: 'OKF',
          programme: 'SSC',
          status: 'ACTIVE',
          startDate: '2019-01-01',
          amount: 1_000_000_00,
          eur: false,
        },
        0,
      ),
      caller,
    );
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        grants.recordPayment(
          env.ports,
          grantId,
          {
            receivedOn: `2020-0${(i % 9) + 1}-15`,
            amount: { amount: '1000.01', currency: 'DKK' },
            kind: 'INTERIM',
          },
          caller,
        ),
      ),
    );
    const totals = await getTotals(env.ledger, { groupBy: ['forvaltning'] });
    expect(totals.groups).toEqual([
      {
        key: { forvaltning: 'OKF' },
        awarded: '1000000.00',
        received: '50000.50',
        outstanding: '949999.50',
        expected: '0.00',
        grantCount: 1,
      },
    ]);
    await expectExact(env);
  }, 60_000);
});
