import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/domain/alerts';
import { addDays } from '../../lib/domain/dates';
import * as grants from '../../lib/use-cases/grants';
import { sweepDeadlines } from '../../lib/use-cases/sweep';
import { atelierInput, caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

type Env = Awaited<ReturnType<typeof freshLedger>>;

/** The alert events committed to the outbox, as (detail-type, key facts) rows. */
const alertRows = async (env: Env) => {
  const { Items = [] } = await env.db.send(new ScanCommand({ TableName: env.tableName }));
  return Items.filter(
    (i) => i.type === 'OUTBOX' && /Approaching|Missed|Expiring|Expired/.test(String(i.detailType)),
  )
    .map((i) => {
      const detail = JSON.parse(String(i.detail));
      return {
        eventId: String(i.eventId),
        type: String(i.detailType),
        acronym: detail.grant.acronym as string,
        threshold: detail.threshold as number | undefined,
        title: detail.deadline?.title as string | undefined,
      };
    })
    .sort((a, b) =>
      `${a.type}${a.acronym}${a.threshold}`.localeCompare(`${b.type}${b.acronym}${b.threshold}`),
    );
};

describe('the sweeper on DynamoDB Local', () => {
  let env: Env;
  const ports = () => ({ ledger: env.ledger, clock: env.ports.clock, thresholds: DEFAULT_ALERT_THRESHOLDS });

  beforeEach(async () => {
    env = await freshLedger(inject('dynamoEndpoint'));
  });

  it('sends each threshold once across daily sweeps, and only the tightest after downtime', async () => {
    // arrange: a deadline due 2027-03-01 and a grant whose funding ends 2027-06-30
    const grant = await grants.registerGrant(
      env.ports,
      atelierInput({
        acronym: 'SWEEP',
        programme: 'INTERREG',
        grantAgreementNumber: undefined,
        reportingPeriods: [],
        startDate: '2025-01-01',
        endDate: '2027-06-30',
        watchers: ['okonomi@kk.dk'],
      }),
      caller,
    );
    await grants.addDeadline(
      env.ports,
      grant.grantId,
      { kind: 'DELIVERABLE', title: 'D3.1 Energy atelier report', dueOn: '2027-03-01' },
      caller,
    );
    // act: a sweep on the 30-day mark, then nothing until 5 days before (crossing 14 and 7)
    const first = await sweepDeadlines(ports(), '2027-01-30');
    const again = await sweepDeadlines(ports(), '2027-01-30');
    const afterGap = await sweepDeadlines(ports(), '2027-02-24');
    const dayAfterDue = await sweepDeadlines(ports(), '2027-03-02');
    // assert
    expect(first.alertsSent.DeadlineApproaching).toBe(1);
    expect(again.alertsSent.DeadlineApproaching).toBe(0);
    expect(afterGap.alertsSent.DeadlineApproaching).toBe(1);
    expect(dayAfterDue.alertsSent.DeadlineMissed).toBe(1);
    const rows = await alertRows(env);
    expect(rows.filter((r) => r.type === 'DeadlineApproaching').map((r) => r.threshold)).toEqual([30, 7]);
    expect(rows.filter((r) => r.type === 'DeadlineMissed')).toHaveLength(1);
    // funding: 90 days before 2027-06-30 is 2027-04-01
    await sweepDeadlines(ports(), '2027-04-01');
    await sweepDeadlines(ports(), '2027-07-01');
    await sweepDeadlines(ports(), '2027-07-02');
    const funding = (await alertRows(env)).filter((r) => r.type.startsWith('Grant'));
    expect(funding.map((r) => [r.type, r.threshold])).toEqual([
      ['GrantExpired', undefined],
      ['GrantExpiring', 90],
    ]);
  });

  it('two sweeps at once send every alert once', async () => {
    const grant = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'TWICE', reportingPeriods: [], endDate: '2027-12-31' }),
      caller,
    );
    for (let i = 0; i < 12; i++) {
      await grants.addDeadline(
        env.ports,
        grant.grantId,
        { kind: 'MILESTONE', title: `M${i}`, dueOn: addDays('2027-01-10', i) },
        caller,
      );
    }
    const [a, b] = await Promise.all([
      sweepDeadlines(ports(), '2027-01-05'),
      sweepDeadlines(ports(), '2027-01-05'),
    ]);
    const rows = await alertRows(env);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(12);
    expect(a.alertsSent.DeadlineApproaching + b.alertsSent.DeadlineApproaching).toBe(12);
  });

  it('reads no more than two items per due deadline, however many grants exist', async () => {
    for (let i = 0; i < 20; i++) {
      const g = await grants.registerGrant(
        env.ports,
        atelierInput({ acronym: `G${i}`, reportingPeriods: [], endDate: '2030-12-31' }),
        caller,
      );
      // Only the first four grants have something due in the window.
      await grants.addDeadline(
        env.ports,
        g.grantId,
        { kind: 'OTHER', title: 'x', dueOn: i < 4 ? '2027-02-01' : '2029-06-01' },
        caller,
      );
    }
    const summary = await sweepDeadlines(ports(), '2027-01-20');
    expect(summary.itemsDue).toBe(4);
    expect(summary.itemsDue + summary.grantsRead).toBeLessThanOrEqual(2 * 4);
    expect(summary.alertsSent.DeadlineApproaching).toBe(4);
  });

  it('stops alerting for deadlines marked done and for grants that close', async () => {
    const grant = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'QUIET', reportingPeriods: [], endDate: '2027-12-31' }),
      caller,
    );
    const done = await grants.addDeadline(
      env.ports,
      grant.grantId,
      { kind: 'OTHER', title: 'done', dueOn: '2027-02-01' },
      caller,
    );
    await grants.addDeadline(
      env.ports,
      grant.grantId,
      { kind: 'OTHER', title: 'open', dueOn: '2027-02-01' },
      caller,
    );
    await grants.setDeadlineStatus(env.ports, grant.grantId, done.deadlineId, 'DONE', caller);
    const first = await sweepDeadlines(ports(), '2027-01-15');
    expect(first.alertsSent.DeadlineApproaching).toBe(1);
    expect((await alertRows(env)).map((r) => r.title)).toEqual(['open']);
    await grants.updateGrant(env.ports, grant.grantId, { status: 'CLOSED' }, 1, caller);
    const later = await sweepDeadlines(ports(), '2027-02-05');
    expect(later.alertsSent).toEqual({
      DeadlineApproaching: 0,
      DeadlineMissed: 0,
      GrantExpiring: 0,
      GrantExpired: 0,
      PaymentOverdue: 0,
    });
  });
});
