import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createGrantsApi } from '../../functions/grants-api/app';
import { createSweeper } from '../../functions/sweeper/app';
import { createTotalsApi } from '../../functions/totals-api/app';
import type { ApiEvent, ApiResult } from '../../lib/api/http';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/domain/alerts';
import type { GrantInput } from '../../lib/domain/schemas';
import { ALERT_DETAIL_TYPES } from '../../lib/shared/names';
import { readLedgerForAudit } from '../../lib/storage/audit';
import type { SweepSummary } from '../../lib/use-cases/sweep';
import { expectedCells, recomputeTotals, type TotalsQuery, totalsDrift } from '../../lib/use-cases/totals';
import {
  ADMIN,
  type ApiHandler,
  apiEvent,
  FINANCE,
  invoke,
  lambdaContext,
  type ProblemDocument,
} from '../support/api-events';
import { atelierInput } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

/**
 * Races on DynamoDB Local, through the handlers (Powertools idempotency included): what PRODUCT.md 7
 * asks of concurrent writes. Every request of a race is started before any is awaited.
 */

type Env = Awaited<ReturnType<typeof freshLedger>>;

const body = (result: ApiResult) => JSON.parse(String(result.body)) as Record<string, unknown>;
const statuses = (results: readonly ApiResult[]) =>
  results.reduce<Record<number, number>>((tally, r) => {
    const status = r.statusCode ?? 0;
    tally[status] = (tally[status] ?? 0) + 1;
    return tally;
  }, {});

const scanAll = async (env: Env) => {
  // Test-only inspection of everything written; no request path scans.
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await env.db.send(
      new ScanCommand({ TableName: env.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

type OutboxItem = Record<string, unknown> & { readonly detail: Record<string, unknown> };

const outboxOf = (items: readonly Record<string, unknown>[], grantId?: string): OutboxItem[] =>
  items
    .filter((i) => i.type === 'OUTBOX')
    .map((i) => ({ ...i, detail: JSON.parse(String(i.detail)) as Record<string, unknown> }))
    .filter((i) => !grantId || (i.detail.grant as { grantId: string }).grantId === grantId);

const TOTALS_QUERIES: { query: Record<string, string>; expected: TotalsQuery }[] = [
  { query: {}, expected: { groupBy: [] } },
  { query: { groupBy: 'forvaltning' }, expected: { groupBy: ['forvaltning'] } },
  { query: { groupBy: 'programme,year' }, expected: { groupBy: ['programme', 'year'] } },
  {
    query: { groupBy: 'funderType,quarter', from: '2020', to: '2026' },
    expected: { groupBy: ['funderType', 'quarter'], from: 2020, to: 2026 },
  },
  { query: { groupBy: 'year', status: 'ACTIVE' }, expected: { groupBy: ['year'], status: 'ACTIVE' } },
  {
    query: { forvaltning: 'TMF', groupBy: 'quarter' },
    expected: { groupBy: ['quarter'], forvaltning: 'TMF' },
  },
];

describe('races through the handlers on DynamoDB Local', () => {
  let env: Env;
  let grantsApi: ApiHandler;
  let totalsApi: ApiHandler;
  const call = (event: ApiEvent) => invoke(grantsApi, event);

  const register = async (input: GrantInput) => {
    const result = await call(apiEvent('POST', '/grants', { body: input }));
    expect(result.statusCode, String(result.body)).toBe(201);
    return body(result) as { grantId: string; version: number };
  };

  /** GET /totals for every query equals a full recomputation from the grants and payments; stored cells too. */
  const expectTotalsExact = async () => {
    const audit = await readLedgerForAudit(env.db, env.tableName);
    const expected = expectedCells(audit.grants, audit.payments);
    expect(totalsDrift(expected, audit.storedCells)).toEqual([]);
    for (const { query, expected: parsed } of TOTALS_QUERIES) {
      const result = await invoke(totalsApi, apiEvent('GET', '/totals', { query, claims: FINANCE }));
      expect(result.statusCode, String(result.body)).toBe(200);
      expect(body(result), JSON.stringify(query)).toEqual(
        JSON.parse(JSON.stringify(recomputeTotals(expected, parsed))),
      );
    }
    return audit;
  };

  beforeAll(async () => {
    env = await freshLedger(inject('dynamoEndpoint'));
    grantsApi = createGrantsApi({ ...env.ports, logger: env.logger, idempotencyStore: env.idempotencyStore });
    totalsApi = createTotalsApi({ ledger: env.ledger, logger: env.logger });
  });

  it('one Idempotency-Key sent 20 times at once registers one grant; the rest get the first response or 409', async () => {
    // arrange
    const input = atelierInput({ acronym: 'ONCE' });
    const send = () =>
      call(apiEvent('POST', '/grants', { body: input, headers: { 'Idempotency-Key': 'race-once-1' } }));
    // act
    const results = await Promise.all(Array.from({ length: 20 }, send));
    // assert
    const tally = statuses(results);
    console.log(`Idempotency-Key × 20 at once: ${JSON.stringify(tally)}`);
    expect((tally[201] ?? 0) + (tally[409] ?? 0), JSON.stringify(tally)).toBe(20);
    expect(tally[201] ?? 0).toBeGreaterThanOrEqual(1);
    const created = results.filter((r) => r.statusCode === 201);
    expect(new Set(created.map((r) => r.body)).size).toBe(1);
    expect(new Set(created.map((r) => r.headers.Location)).size).toBe(1);
    for (const refused of results.filter((r) => r.statusCode === 409)) {
      expect(refused.headers['Content-Type']).toBe('application/problem+json');
      expect((body(refused) as unknown as ProblemDocument).detail).toContain('Idempotency-Key');
    }
    const grantId = String(body(created[0] as ApiResult).grantId);
    const items = await scanAll(env);
    expect(items.filter((i) => i.type === 'GRANT' && i.acronym === 'ONCE')).toHaveLength(1);
    expect(outboxOf(items, grantId).filter((e) => e.detailType === 'GrantRegistered')).toHaveLength(1);
    // once it is done, the key answers with the first response; another body with the key is a 422
    const again = await send();
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(created[0]?.body);
    const other = await call(
      apiEvent('POST', '/grants', {
        body: { ...input, acronym: 'TWICE' },
        headers: { 'Idempotency-Key': 'race-once-1' },
      }),
    );
    expect(other.statusCode).toBe(422);
    expect(
      (await scanAll(env)).filter((i) => i.type === 'GRANT' && ['ONCE', 'TWICE'].includes(String(i.acronym))),
    ).toHaveLength(1);
  });

  it('of 10 PATCHes on one version at once exactly one wins, the other 9 get 412, and totals stay exact', async () => {
    // arrange: each writer moves the grant to another totals cell, so a lost update would show in the totals
    const { grantId } = await register(atelierInput({ acronym: 'PATCHRACE', forvaltning: 'OKF' }));
    const patches: Record<string, unknown>[] = [
      { forvaltning: 'KFF' },
      { forvaltning: 'TMF' },
      { forvaltning: 'BIF' },
      { forvaltning: 'BUF' },
      { forvaltning: 'SUF' },
      { forvaltning: 'SOF' },
      { status: 'CLOSED' },
      { status: 'TERMINATED' },
      { awarded: { amount: '1000000.00', currency: 'EUR' } },
      { startDate: '2018-01-01', programme: 'INTERREG', grantAgreementNumber: null },
    ];
    // act
    const results = await Promise.all(
      patches.map((patch) =>
        call(apiEvent('PATCH', `/grants/${grantId}`, { body: patch, headers: { 'If-Match': '"1"' } })),
      ),
    );
    // assert
    const tally = statuses(results);
    console.log(`10 PATCHes with If-Match "1" at once: ${JSON.stringify(tally)}`);
    expect(tally).toEqual({ 200: 1, 412: 9 });
    const winner = results.findIndex((r) => r.statusCode === 200);
    const read = await call(apiEvent('GET', `/grants/${grantId}`));
    expect(read.headers.ETag).toBe('"2"');
    const changed = Object.entries(patches[winner] ?? {}).filter(([, value]) => value !== null);
    expect(body(read)).toMatchObject({ version: 2, ...Object.fromEntries(changed) });
    const events = outboxOf(await scanAll(env), grantId).filter((e) =>
      ['GrantUpdated', 'GrantStatusChanged'].includes(String(e.detailType)),
    );
    expect(events).toHaveLength(1);
    await expectTotalsExact();
  });

  it('50 payments at once are all booked, and received and totals are exact', async () => {
    // arrange
    const { grantId } = await register(
      atelierInput({
        acronym: 'PAY50',
        awarded: { amount: '10000000.00', currency: 'EUR' },
        startDate: '2019-11-01',
      }),
    );
    const payments = Array.from({ length: 50 }, (_, i) => ({
      receivedOn: `${2020 + (i % 5)}-${String((i % 12) + 1).padStart(2, '0')}-15`,
      amount: {
        amount: `${1000 + i * 37}.${String(i % 100).padStart(2, '0')}`,
        currency: i % 3 === 0 ? 'DKK' : 'EUR',
      },
      ...(i % 7 === 0 ? { amountDkk: { amount: `${7000 + i}.05`, currency: 'DKK' } } : {}),
      kind: i === 0 ? 'PREFINANCING' : 'INTERIM',
    }));
    // act
    const results = await Promise.all(
      payments.map((payment) =>
        call(apiEvent('POST', `/grants/${grantId}/payments`, { body: payment, claims: FINANCE })),
      ),
    );
    // assert
    const tally = statuses(results);
    console.log(`50 payments at once: ${JSON.stringify(tally)}`);
    expect(tally, results.find((r) => r.statusCode !== 201)?.body).toEqual({ 201: 50 });
    const booked = results.map((r) => body(r) as { amountDkk: { amount: string } });
    const sumDkkOere = booked.reduce((sum, p) => sum + BigInt(p.amountDkk.amount.replace('.', '')), 0n);
    const read = body(await call(apiEvent('GET', `/grants/${grantId}`))) as {
      version: number;
      payments: unknown[];
      receivedDkk: { amount: string };
    };
    expect(read.version).toBe(51);
    expect(read.payments).toHaveLength(50);
    expect(BigInt(read.receivedDkk.amount.replace('.', ''))).toBe(sumDkkOere);
    const audit = await expectTotalsExact();
    expect(audit.payments.filter((p) => p.grantId === grantId)).toHaveLength(50);
    expect(
      outboxOf(await scanAll(env), grantId).filter((e) => e.detailType === 'PaymentRecorded'),
    ).toHaveLength(50);
  });

  it('50 payments racing for the last of the awarded amount: exactly 33 fit, 17 get 422, none over the ceiling', async () => {
    // arrange: 1000.00 EUR awarded, 50 × 30.00 EUR offered at once
    const { grantId } = await register(
      atelierInput({ acronym: 'CEILING', awarded: { amount: '1000.00', currency: 'EUR' } }),
    );
    const payment = {
      receivedOn: '2021-03-01',
      amount: { amount: '30.00', currency: 'EUR' },
      kind: 'INTERIM',
    };
    // act
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        call(apiEvent('POST', `/grants/${grantId}/payments`, { body: payment, claims: FINANCE })),
      ),
    );
    // assert
    const tally = statuses(results);
    console.log(`50 × 30.00 EUR against 1000.00 EUR at once: ${JSON.stringify(tally)}`);
    expect(tally).toEqual({ 201: 33, 422: 17 });
    const read = body(await call(apiEvent('GET', `/grants/${grantId}`))) as {
      receivedDkk: { amount: string };
      payments: unknown[];
    };
    expect(read.payments).toHaveLength(33);
    expect(read.receivedDkk.amount).toBe('7395.30'); // 990.00 EUR × 7.47
    await expectTotalsExact();
  });

  it('two sweeps at once send every alert once; three at once on a later day, too', async () => {
    // arrange: its own tables, and a twin set that is swept one sweep at a time for reference
    const [sweptTogether, sweptAlone] = [
      await freshLedger(inject('dynamoEndpoint')),
      await freshLedger(inject('dynamoEndpoint')),
    ];
    const seed = async (target: Env) => {
      const api = createGrantsApi({
        ...target.ports,
        logger: target.logger,
        idempotencyStore: target.idempotencyStore,
      });
      const post = async (path: string, payload: unknown) => {
        const result = await invoke(api, apiEvent('POST', path, { body: payload, claims: ADMIN }));
        expect(result.statusCode, String(result.body)).toBe(201);
        return body(result);
      };
      const base = {
        programme: 'INTERREG' as const,
        grantAgreementNumber: undefined,
        reportingPeriods: [],
        startDate: '2025-01-01',
      };
      const g1 = await post(
        '/grants',
        atelierInput({ ...base, acronym: 'SWEEP1', endDate: '2027-12-31', watchers: ['okonomi@kk.dk'] }),
      );
      await post('/grants', atelierInput({ ...base, acronym: 'EXPIRING', endDate: '2027-01-25' }));
      await post('/grants', atelierInput({ ...base, acronym: 'EXPIRED', endDate: '2027-01-04' }));
      // ten deadlines due 1..10 days after 2027-01-05, two already overdue
      for (let day = 3; day <= 15; day++) {
        if (day === 5) continue;
        await post(`/grants/${String(g1.grantId)}/deadlines`, {
          kind: 'MILESTONE',
          title: `M${day}`,
          dueOn: `2027-01-${String(day).padStart(2, '0')}`,
        });
      }
    };
    await seed(sweptTogether);
    await seed(sweptAlone);
    const sweeperOf = (target: Env) => {
      const sweeper = createSweeper({
        ledger: target.ledger,
        clock: target.ports.clock,
        thresholds: DEFAULT_ALERT_THRESHOLDS,
        logger: target.logger,
      });
      return (today: string) => sweeper({ today }, lambdaContext('sweeper')) as Promise<SweepSummary>;
    };
    const alerts = async (target: Env) =>
      outboxOf(await scanAll(target))
        .filter((e) => (ALERT_DETAIL_TYPES as readonly string[]).includes(String(e.detailType)))
        .map((e) => ({
          eventId: String(e.eventId),
          row: [
            String(e.detailType),
            (e.detail.grant as { acronym: string }).acronym,
            String((e.detail.deadline as { title?: string } | undefined)?.title ?? ''),
            String(e.detail.threshold ?? ''),
          ].join(' '),
        }));
    const together = sweeperOf(sweptTogether);
    const alone = sweeperOf(sweptAlone);

    // act: day one, two at once
    const [a, b] = await Promise.all([together('2027-01-05'), together('2027-01-05')]);
    await alone('2027-01-05');
    const dayOne = await alerts(sweptTogether);
    // assert
    const sent = (s: SweepSummary) => Object.values(s.alertsSent).reduce((sum, n) => sum + n, 0);
    console.log(
      `Two sweeps at once on 2027-01-05: ${dayOne.length} alerts committed (${sent(a)} + ${sent(b)} sent, ${a.alreadySent} + ${b.alreadySent} found already sent)`,
    );
    // 10 DeadlineApproaching (thresholds 1, 7 and 14), 2 DeadlineMissed, 1 GrantExpiring (30), 1 GrantExpired
    expect(dayOne).toHaveLength(14);
    expect(new Set(dayOne.map((e) => e.eventId)).size).toBe(14);
    expect(sent(a) + sent(b)).toBe(14);
    expect(dayOne.map((e) => e.row).sort()).toEqual((await alerts(sweptAlone)).map((e) => e.row).sort());

    // act: the same day again, then a later day three at once
    const repeat = await together('2027-01-05');
    const later = await Promise.all([together('2027-01-09'), together('2027-01-09'), together('2027-01-09')]);
    await alone('2027-01-09');
    // assert
    expect(sent(repeat)).toBe(0);
    const all = await alerts(sweptTogether);
    console.log(
      `Three sweeps at once on 2027-01-09: ${all.length - dayOne.length} new alerts (${later.map(sent).join(' + ')} sent)`,
    );
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    expect(later.map(sent).reduce((x, y) => x + y, 0)).toBe(all.length - dayOne.length);
    expect(all.map((e) => e.row).sort()).toEqual((await alerts(sweptAlone)).map((e) => e.row).sort());
  });
});
