import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
} from '../../lib/domain/errors';
import * as grants from '../../lib/use-cases/grants';
import { atelierInput, caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

type Env = Awaited<ReturnType<typeof freshLedger>>;

const outboxTypes = async (env: Env): Promise<string[]> => {
  // Test-only inspection of everything written; no request path scans.
  const { Items = [] } = await env.db.send(new ScanCommand({ TableName: env.tableName }));
  return Items.filter((i) => i.type === 'OUTBOX').map((i) => String(i.detailType));
};

describe('the grants register on DynamoDB Local', () => {
  let env: Env;
  beforeAll(async () => {
    env = await freshLedger(inject('dynamoEndpoint'));
  });

  it('registers a grant with its report deadlines and events, and reads it back in one query', async () => {
    // act
    const created = await grants.registerGrant(env.ports, atelierInput(), caller);
    const read = await grants.getGrant(env.ports, created.grantId);
    // assert
    expect(read).toEqual(created);
    // 665462.50 × 7.47 = 4971004.875 exactly; PRODUCT.md's example prints 4970004.875, a slip of one thousand.
    expect(read.awardedDkk).toEqual({ amount: '4971004.88', currency: 'DKK' });
    expect(read.deadlines?.map((d) => [d.kind, d.dueOn])).toEqual([
      ['PERIODIC_REPORT', '2021-06-29'],
      ['PERIODIC_REPORT', '2022-12-30'],
      ['FINAL_REPORT', '2024-12-30'],
    ]);
    const { Items = [], ConsumedCapacity } = await env.db.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `GRANT#${created.grantId}` },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(Items).toHaveLength(4);
    expect(ConsumedCapacity?.CapacityUnits).toBeLessThanOrEqual(1);
    const types = await outboxTypes(env);
    expect(types.filter((t) => t === 'GrantRegistered')).toHaveLength(1);
    expect(types.filter((t) => t === 'DeadlineAdded')).toHaveLength(3);
  });

  it('refuses a stale version with 412 and leaves the grant as it was', async () => {
    const created = await grants.registerGrant(env.ports, atelierInput({ acronym: 'STALE' }), caller);
    const updated = await grants.updateGrant(env.ports, created.grantId, { title: 'New title' }, 1, caller);
    expect(updated.version).toBe(2);
    await expect(
      grants.updateGrant(env.ports, created.grantId, { title: 'Other' }, 1, caller),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await grants.getGrant(env.ports, created.grantId)).title).toBe('New title');
  });

  it('of ten concurrent changes to one version, exactly one wins', async () => {
    const created = await grants.registerGrant(env.ports, atelierInput({ acronym: 'RACE' }), caller);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        grants.updateGrant(env.ports, created.grantId, { notes: `writer ${i}` }, 1, caller),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.every((o) => o.reason instanceof PreconditionFailedError)).toBe(true);
    expect((await grants.getGrant(env.ports, created.grantId)).version).toBe(2);
  });

  it('moves report deadlines with the reporting periods and keeps the deadlines in step with the acronym', async () => {
    const created = await grants.registerGrant(env.ports, atelierInput({ acronym: 'PERIODS' }), caller);
    const updated = await grants.updateGrant(
      env.ports,
      created.grantId,
      { acronym: 'PERIODS2', reportingPeriods: [{ endsOn: '2021-04-30' }, { endsOn: '2024-10-31' }] },
      1,
      caller,
    );
    expect(updated.deadlines?.map((d) => [d.title, d.dueOn])).toEqual([
      ['Periodic report 1', '2021-06-29'],
      ['Final report', '2024-12-30'],
    ]);
    const listed = await grants.listDeadlines(env.ports, {
      from: '2021-06-01',
      to: '2021-06-30',
      status: 'OPEN',
    });
    expect(listed.items.find((d) => d.grantId === created.grantId)?.acronym).toBe('PERIODS2');
  });

  it('records payments, refuses one above the awarded amount with 422, and one on an applied grant with 409', async () => {
    const created = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'PAY', awarded: { amount: '1000.00', currency: 'EUR' } }),
      caller,
    );
    const payment = await grants.recordPayment(
      env.ports,
      created.grantId,
      { receivedOn: '2020-01-15', amount: { amount: '600.00', currency: 'EUR' }, kind: 'PREFINANCING' },
      caller,
    );
    expect(payment.amountDkk).toEqual({ amount: '4482.00', currency: 'DKK' });
    await expect(
      grants.recordPayment(
        env.ports,
        created.grantId,
        { receivedOn: '2020-02-15', amount: { amount: '400.01', currency: 'EUR' }, kind: 'INTERIM' },
        caller,
      ),
    ).rejects.toBeInstanceOf(BusinessRuleError);
    const grant = await grants.getGrant(env.ports, created.grantId);
    expect(grant.receivedDkk.amount).toBe('4482.00');
    expect(grant.payments).toHaveLength(1);

    const applied = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'APPL', status: 'APPLIED' }),
      caller,
    );
    await expect(
      grants.recordPayment(
        env.ports,
        applied.grantId,
        { receivedOn: '2020-02-15', amount: { amount: '1.00', currency: 'EUR' }, kind: 'OTHER' },
        caller,
      ),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps the received sum exact under 30 concurrent payments and stops exactly at the awarded ceiling', async () => {
    const created = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'BURST', awarded: { amount: '250.00', currency: 'EUR' } }),
      caller,
    );
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        grants.recordPayment(
          env.ports,
          created.grantId,
          { receivedOn: '2021-03-01', amount: { amount: '10.00', currency: 'EUR' }, kind: 'INTERIM' },
          caller,
        ),
      ),
    );
    const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(accepted).toBe(25);
    expect(
      outcomes.filter((o) => o.status === 'rejected').every((o) => o.reason instanceof BusinessRuleError),
    ).toBe(true);
    const grant = await grants.getGrant(env.ports, created.grantId);
    expect(grant.payments).toHaveLength(25);
    expect(grant.receivedDkk.amount).toBe('1867.50');
    expect(grant.version).toBe(26);
  });

  it('lists grants newest first with filters and a cursor that walks every page once', async () => {
    const local = await freshLedger(inject('dynamoEndpoint'));
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const g = await grants.registerGrant(
        local.ports,
        atelierInput({
          acronym: `L${i}`,
          forvaltning: i % 2 ? 'KFF' : 'TMF',
          status: i % 3 ? 'ACTIVE' : 'CLOSED',
        }),
        caller,
      );
      ids.push(g.grantId);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await grants.listGrants(local.ports, { limit: 3, cursor });
      seen.push(...page.items.map((g) => g.grantId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const tmfActive = await grants.listGrants(local.ports, {
      limit: 2,
      forvaltning: 'TMF',
      status: 'ACTIVE',
    });
    expect(tmfActive.items.map((g) => g.acronym)).toEqual(['L4', 'L2']);
    expect(tmfActive.nextCursor).toBeNull();
    const second = await grants.listGrants(local.ports, { limit: 1, status: 'CLOSED' });
    expect(second.items.map((g) => g.acronym)).toEqual(['L6']);
    const rest = await grants.listGrants(local.ports, {
      limit: 5,
      status: 'CLOSED',
      cursor: second.nextCursor ?? '',
    });
    expect(rest.items.map((g) => g.acronym)).toEqual(['L3', 'L0']);
  });

  it('marks deadlines done with who and when, and answers 404 for an unknown grant', async () => {
    const created = await grants.registerGrant(env.ports, atelierInput({ acronym: 'DONE' }), caller);
    const first = created.deadlines?.[0];
    if (!first) throw new Error('expected a report deadline');
    const done = await grants.setDeadlineStatus(env.ports, created.grantId, first.deadlineId, 'DONE', caller);
    expect(done).toMatchObject({ status: 'DONE', doneOn: '2026-11-22', doneBy: 'lear@kk.dk' });
    const reopened = await grants.setDeadlineStatus(
      env.ports,
      created.grantId,
      first.deadlineId,
      'OPEN',
      caller,
    );
    expect(reopened.doneOn).toBeUndefined();
    await expect(grants.getGrant(env.ports, '01JUNKNOWN0000000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      grants.addDeadline(
        env.ports,
        '01JUNKNOWN0000000000000000',
        { kind: 'OTHER', title: 'x', dueOn: '2027-01-01' },
        caller,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
  it('never lets a status change the API gave up on land after a later answer', async () => {
    // arrange: request A asks DONE; its write reaches the store only after the API answered 503
    const created = await grants.registerGrant(env.ports, atelierInput({ acronym: 'LATE' }), caller);
    const deadlineId = created.deadlines?.[0]?.deadlineId as string;
    const { ledger } = env.ports;
    let lateWrite: (() => Promise<void>) | undefined;
    const slowLedger = Object.assign(Object.create(ledger), {
      updateDeadline: (...args: Parameters<typeof ledger.updateDeadline>) => {
        lateWrite = () => ledger.updateDeadline(...args);
        return Promise.reject(Object.assign(new Error('the store did not answer'), { name: 'TimeoutError' }));
      },
    }) as typeof ledger;
    await expect(
      grants.setDeadlineStatus(
        { ...env.ports, ledger: slowLedger },
        created.grantId,
        deadlineId,
        'DONE',
        caller,
      ),
    ).rejects.toThrow('the store did not answer');
    // act: request B asks OPEN, which it still is, and is told so; then A's write arrives
    const answered = await grants.setDeadlineStatus(env.ports, created.grantId, deadlineId, 'OPEN', caller);
    const late = lateWrite?.();
    // assert: A's write is refused, and the deadline is what B was told
    expect(answered.status).toBe('OPEN');
    await expect(late).rejects.toBeInstanceOf(PreconditionFailedError);
    const read = await grants.getGrant(env.ports, created.grantId);
    expect(read.deadlines?.find((d) => d.deadlineId === deadlineId)?.status).toBe('OPEN');
  });

  it('keeps the status revision when the reporting periods move a deadline', async () => {
    // arrange: a deadline done once (revision 1), then the grant's periods change
    const created = await grants.registerGrant(env.ports, atelierInput({ acronym: 'KEEPREV' }), caller);
    const deadlineId = created.deadlines?.[0]?.deadlineId as string;
    await grants.setDeadlineStatus(env.ports, created.grantId, deadlineId, 'DONE', caller);
    const before = await env.ports.ledger.getGrant(created.grantId);
    expect(before.deadlines.find((d) => d.deadlineId === deadlineId)?.revision).toBe(1);
    // act
    await grants.updateGrant(
      env.ports,
      created.grantId,
      { acronym: 'KEEPREV2' },
      before.grant.version,
      caller,
    );
    // assert
    const after = await env.ports.ledger.getGrant(created.grantId);
    expect(after.deadlines.find((d) => d.deadlineId === deadlineId)).toMatchObject({
      acronym: 'KEEPREV2',
      revision: 1,
    });
  });
});
