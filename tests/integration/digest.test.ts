import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { parseDetail } from '../../events/contracts';
import { composeDigestMessage } from '../../functions/digest/message';
import type { Mail, Mailer } from '../../lib/adapters/mailer';
import { fixedClock } from '../../lib/domain/dates';
import { ForbiddenError } from '../../lib/domain/errors';
import type { GrantInput } from '../../lib/domain/schemas';
import {
  DigestRunFailed,
  sendWeeklyDigests,
  unsubscribeFromDigest,
  unsubscribeStatus,
} from '../../lib/use-cases/digest';
import * as grants from '../../lib/use-cases/grants';
import { atelierInput, caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

type Env = Awaited<ReturnType<typeof freshLedger>>;

const MONDAY = '2027-02-01';
const WEDNESDAY = '2027-02-03';
const NEXT_MONDAY = '2027-02-08';

/** A mailer that keeps what it was asked to send; `failFor` makes sending to those addresses fail. */
const recordingMailer = (failFor: Set<string> = new Set()) => {
  const sent: Mail[] = [];
  const mailer: Mailer = {
    send: async (mail) => {
      if (mail.to.some((to) => failFor.has(to))) throw new Error('SES: Throttling');
      sent.push(mail);
    },
  };
  return { sent, mailer };
};

const tokenOf = (mail: Mail): string => {
  const header = mail.headers?.['List-Unsubscribe'] ?? '';
  return new URL(header.replace(/^<|>$/g, '')).searchParams.get('token') ?? '';
};

// Generous: the machine running the suite may be busy; nothing here is timed.
describe('the weekly digest on DynamoDB Local', { timeout: 120_000 }, () => {
  let env: Env;
  const ports = (mailer: Mailer, at = `${MONDAY}T06:00:00Z`) => ({
    ledger: env.ledger,
    mailer,
    clock: fixedClock(at),
    newId: ulid,
    publicBaseUrl: 'https://tilskud.kk.dk',
    compose: composeDigestMessage,
  });

  const register = async (overrides: Partial<GrantInput>, deadlines: { title: string; dueOn: string }[]) => {
    const grant = await grants.registerGrant(
      env.ports,
      atelierInput({
        programme: 'INTERREG',
        grantAgreementNumber: undefined,
        reportingPeriods: [],
        startDate: '2025-01-01',
        endDate: '2029-12-31',
        ...overrides,
      }),
      caller,
    );
    for (const d of deadlines) {
      await grants.addDeadline(env.ports, grant.grantId, { kind: 'DELIVERABLE', ...d }, caller);
    }
    return grant;
  };

  const digestEvents = async () => {
    const { Items = [] } = await env.db.send(new ScanCommand({ TableName: env.tableName }));
    return Items.filter((i) => i.type === 'OUTBOX' && i.detailType === 'DigestSent').map((i) =>
      parseDetail('DigestSent', JSON.parse(String(i.detail))),
    );
  };

  beforeEach(async () => {
    env = await freshLedger(inject('dynamoEndpoint'));
    const alpha = await register(
      { acronym: 'ALPHA', projectLead: { name: 'A', email: 'alpha@kk.dk' }, watchers: ['shared@kk.dk'] },
      [
        { title: 'D1.1 overdue', dueOn: '2027-01-20' },
        { title: 'D1.2 soon', dueOn: '2027-02-15' },
        { title: 'D1.3 later', dueOn: '2027-05-01' },
      ],
    );
    // One expected payment within 30 days, one beyond.
    await grants.addExpectedPayment(
      env.ports,
      alpha.grantId,
      { expectedOn: '2027-02-20', amount: { amount: '100000.00', currency: 'EUR' }, kind: 'INTERIM' },
      caller,
    );
    await grants.addExpectedPayment(
      env.ports,
      alpha.grantId,
      { expectedOn: '2027-06-01', amount: { amount: '50000.00', currency: 'EUR' }, kind: 'BALANCE' },
      caller,
    );
    await register(
      {
        acronym: 'BETA',
        projectLead: { name: 'B', email: 'beta@kk.dk' },
        watchers: ['shared@kk.dk'],
        endDate: '2027-02-20',
      },
      [{ title: 'D2.1 next week', dueOn: '2027-02-09' }],
    );
    // Nothing due: no digest for its lead.
    await register({ acronym: 'GAMMA', projectLead: { name: 'C', email: 'gamma@kk.dk' } }, [
      { title: 'D3.1 far off', dueOn: '2028-01-10' },
    ]);
  });

  it('run twice in one week sends one e-mail per address, each with its DigestSent event', async () => {
    // Act: Monday's run, then another on Wednesday of the same ISO week
    const first = recordingMailer();
    const monday = await sendWeeklyDigests(ports(first.mailer), MONDAY);
    const again = recordingMailer();
    const wednesday = await sendWeeklyDigests(ports(again.mailer, `${WEDNESDAY}T10:00:00Z`), WEDNESDAY);

    // Assert
    expect(first.sent.map((mail) => mail.to)).toEqual(
      expect.arrayContaining([['alpha@kk.dk'], ['beta@kk.dk'], ['shared@kk.dk']]),
    );
    expect(first.sent).toHaveLength(3);
    expect(again.sent).toEqual([]);
    expect(monday).toMatchObject({
      week: '2027-W05',
      recipients: 3,
      sent: 3,
      alreadySent: 0,
      itemsListed: 3 + 2 + 5,
    });
    expect(wednesday).toMatchObject({ week: '2027-W05', recipients: 3, sent: 0, alreadySent: 3 });
    const shared = first.sent.find((mail) => mail.to[0] === 'shared@kk.dk');
    expect(shared?.text).toContain('D1.1 overdue');
    expect(shared?.text).toContain('D2.1 next week');
    expect(shared?.text).toContain('Finansieringen slutter');
    expect(shared?.text).not.toContain('D1.3 later');
    expect(shared?.text).toContain('Forventet betaling: Mellemliggende betaling, 100.000,00 EUR');
    expect(shared?.text).not.toContain('Slutbetaling');
    expect(shared?.headers).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(shared?.headers?.['List-Unsubscribe']).toMatch(
      /^<https:\/\/tilskud\.kk\.dk\/digest\/unsubscribe\?token=v1\./,
    );

    const events = await digestEvents();
    expect(events.map((e) => [e.recipient, e.itemCount, e.grants.map((g) => g.acronym)]).sort()).toEqual([
      ['alpha@kk.dk', 3, ['ALPHA']],
      ['beta@kk.dk', 2, ['BETA']],
      ['shared@kk.dk', 5, ['ALPHA', 'BETA']],
    ]);
    expect(events.every((e) => e.period.from === MONDAY && e.period.to === '2027-02-07')).toBe(true);
  });

  it('two runs at once send each address once', async () => {
    const a = recordingMailer();
    const b = recordingMailer();
    const [one, two] = await Promise.all([
      sendWeeklyDigests(ports(a.mailer), MONDAY),
      sendWeeklyDigests(ports(b.mailer), MONDAY),
    ]);
    const addresses = [...a.sent, ...b.sent].map((mail) => mail.to[0]).sort();
    expect(addresses).toEqual(['alpha@kk.dk', 'beta@kk.dk', 'shared@kk.dk']);
    expect(one.sent + two.sent).toBe(3);
    expect((await digestEvents()).length).toBe(3);
  });

  it('gives a failed send back: the run reports it, and the next run of the week sends only that one', async () => {
    const failing = recordingMailer(new Set(['beta@kk.dk']));
    const error = await sendWeeklyDigests(ports(failing.mailer), MONDAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestRunFailed);
    expect((error as DigestRunFailed).summary).toMatchObject({ sent: 2, failed: 1 });
    expect(failing.sent.map((mail) => mail.to[0]).sort()).toEqual(['alpha@kk.dk', 'shared@kk.dk']);

    const retry = recordingMailer();
    const summary = await sendWeeklyDigests(ports(retry.mailer, `${MONDAY}T06:05:00Z`), MONDAY);
    expect(retry.sent.map((mail) => mail.to[0])).toEqual(['beta@kk.dk']);
    expect(summary).toMatchObject({ sent: 1, alreadySent: 2, failed: 0 });
  });

  it('the unsubscribe link stops next week’s digest for that address only; an altered link is refused', async () => {
    // Arrange: this week's digests, and the link from shared@kk.dk's
    const week5 = recordingMailer();
    await sendWeeklyDigests(ports(week5.mailer), MONDAY);
    const token = tokenOf(week5.sent.find((mail) => mail.to[0] === 'shared@kk.dk') as Mail);
    const unsubscribe = { ledger: env.ledger, clock: fixedClock(`${MONDAY}T08:00:00Z`) };

    // Act: an altered link first, then the real one (twice, as mail clients may)
    const [version, address, mac] = token.split('.');
    const otherAddress = [version, Buffer.from('alpha@kk.dk').toString('base64url'), mac].join('.');
    await expect(unsubscribeFromDigest(unsubscribe, otherAddress)).rejects.toBeInstanceOf(ForbiddenError);
    // The MAC's first character carries six whole bits (its last one partly padding): change that one.
    const alteredMac = `${mac?.startsWith('A') ? 'B' : 'A'}${mac?.slice(1)}`;
    await expect(
      unsubscribeFromDigest(unsubscribe, `${version}.${address}.${alteredMac}`),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await unsubscribeStatus(unsubscribe, token)).toEqual({
      address: 'shared@kk.dk',
      unsubscribed: false,
    });
    await unsubscribeFromDigest(unsubscribe, token);
    await unsubscribeFromDigest(unsubscribe, token);
    expect(await unsubscribeStatus(unsubscribe, token)).toEqual({
      address: 'shared@kk.dk',
      unsubscribed: true,
    });

    // Assert: next week the others still get theirs
    const week6 = recordingMailer();
    const summary = await sendWeeklyDigests(ports(week6.mailer, `${NEXT_MONDAY}T06:00:00Z`), NEXT_MONDAY);
    expect(week6.sent.map((mail) => mail.to[0]).sort()).toEqual(['alpha@kk.dk', 'beta@kk.dk']);
    expect(summary).toMatchObject({ week: '2027-W06', sent: 2, unsubscribed: 1 });
  });

  it('reads grow with what it lists, not with the register', async () => {
    // Arrange: the run on the three grants above, then 40 more grants with nothing due
    const before = await sendWeeklyDigests(ports(recordingMailer().mailer), MONDAY);
    for (let i = 0; i < 40; i++) {
      await register({ acronym: `QUIET${i}`, projectLead: { name: 'Q', email: `quiet${i}@kk.dk` } }, [
        { title: 'Far off', dueOn: '2028-06-01' },
      ]);
    }
    // Act
    const after = await sendWeeklyDigests(
      ports(recordingMailer().mailer, `${NEXT_MONDAY}T06:00:00Z`),
      NEXT_MONDAY,
    );
    // Assert: the same items read: 3 open deadlines and 1 expected payment due by the horizon, BETA
    // from the sweeper's index for its funding end, ALPHA by key; nothing of the 40
    console.log(
      `weekly digest reads: 3 grants → ${before.itemsRead} items, ${before.readCapacityUnits} RCU; 43 grants → ${after.itemsRead} items, ${after.readCapacityUnits} RCU`,
    );
    expect(after.itemsRead).toBe(before.itemsRead);
    expect(after.readCapacityUnits).toBe(before.readCapacityUnits);
    expect(after.itemsRead).toBe(6);
    expect(after.recipients).toBe(3);
  });
});
