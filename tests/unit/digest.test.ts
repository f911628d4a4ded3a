import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeDigestMessage } from '../../functions/digest/message';
import { createSesMailer, type Mail, renderEml } from '../../lib/adapters/mailer';
import {
  composeDigests,
  type DigestDeadline,
  type DigestExpectedPayment,
  type DigestGrant,
  isoWeekOf,
  signUnsubscribeToken,
  verifyUnsubscribeToken,
} from '../../lib/domain/digest';
import { nextDigestAt, startWeeklyDigests } from '../../lib/local/schedule';
import { digestLinks } from '../../lib/use-cases/digest';

const TODAY = '2027-02-01'; // a Monday

const grant = (overrides: Partial<DigestGrant> = {}): DigestGrant => ({
  grantId: '01HQ8ZK4V6N3T2RXW5M7B9C1DE',
  acronym: 'ATELIER',
  title: 'Positive energy districts',
  forvaltning: 'TMF',
  programme: 'H2020',
  status: 'ACTIVE',
  endDate: '2028-10-31',
  projectLead: { email: 'lead@kk.dk' },
  watchers: [],
  ...overrides,
});

const deadline = (overrides: Partial<DigestDeadline> = {}): DigestDeadline => ({
  grantId: '01HQ8ZK4V6N3T2RXW5M7B9C1DE',
  deadlineId: 'report-2026-11-30',
  kind: 'PERIODIC_REPORT',
  title: 'Periodic report RP2',
  dueOn: '2027-02-10',
  status: 'OPEN',
  ...overrides,
});

const expected = (overrides: Partial<DigestExpectedPayment> = {}): DigestExpectedPayment => ({
  grantId: '01HQ8ZK4V6N3T2RXW5M7B9C1DE',
  expectedPaymentId: '01J0Q3M8S6V1Y4Z7B2C5D9E3FG',
  kind: 'INTERIM',
  expectedOn: '2027-02-20',
  amount: { minor: 19_963_875, currency: 'EUR' },
  status: 'OPEN',
  ...overrides,
});

describe('the ISO week of a digest', () => {
  it.each([
    ['a Monday', '2027-02-01', '2027-W05', '2027-02-01', '2027-02-07'],
    ['a Sunday belongs to the week before', '2027-02-07', '2027-W05', '2027-02-01', '2027-02-07'],
    [
      '1 January on a Friday is the last week of the year before',
      '2027-01-01',
      '2026-W53',
      '2026-12-28',
      '2027-01-03',
    ],
    [
      '29 December on a Monday is week 1 of the next year',
      '2025-12-29',
      '2026-W01',
      '2025-12-29',
      '2026-01-04',
    ],
    ['a leap day', '2028-02-29', '2028-W09', '2028-02-28', '2028-03-05'],
  ])('%s', (_what, date, week, from, to) => {
    expect(isoWeekOf(date)).toEqual({ week, from, to });
  });
});

describe('what a digest lists', () => {
  it('lists OPEN deadlines overdue or due within 30 days, and nothing further out or finished', () => {
    // Arrange
    const deadlines = [
      deadline({ deadlineId: 'overdue', dueOn: '2026-12-01' }),
      deadline({ deadlineId: 'today', dueOn: TODAY }),
      deadline({ deadlineId: 'day-30', dueOn: '2027-03-03' }),
      deadline({ deadlineId: 'day-31', dueOn: '2027-03-04' }),
      deadline({ deadlineId: 'done', dueOn: '2027-02-05', status: 'DONE' }),
      deadline({ deadlineId: 'waived', dueOn: '2027-02-05', status: 'WAIVED' }),
    ];
    // Act
    const [digest] = composeDigests({ today: TODAY, grants: [grant()], deadlines, expectedPayments: [] });
    // Assert
    expect(digest?.grants[0]?.items.map((item) => [item.kind, item.on, item.daysLeft])).toEqual([
      ['deadline', '2026-12-01', -62],
      ['deadline', TODAY, 0],
      ['deadline', '2027-03-03', 30],
    ]);
    expect(digest?.itemCount).toBe(3);
  });

  it('lists a funding end from 30 days before it to the day, only for awarded or active grants', () => {
    const lists = (g: DigestGrant) =>
      composeDigests({ today: TODAY, grants: [g], deadlines: [], expectedPayments: [] })[0]?.grants[0]?.items;
    expect(lists(grant({ endDate: '2027-03-03' }))).toEqual([
      { kind: 'funding-end', on: '2027-03-03', daysLeft: 30 },
    ]);
    expect(lists(grant({ endDate: '2028-01-01', fundingEndsOn: TODAY }))).toEqual([
      { kind: 'funding-end', on: TODAY, daysLeft: 0 },
    ]);
    expect(lists(grant({ status: 'AWARDED', endDate: '2027-02-14' }))?.length).toBe(1);
    expect(lists(grant({ endDate: '2027-03-04' }))).toBeUndefined();
    expect(lists(grant({ endDate: '2027-01-31' }))).toBeUndefined();
    expect(lists(grant({ status: 'CLOSED', endDate: '2027-02-14' }))).toBeUndefined();
  });

  it('lists OPEN expected payments overdue or due within 30 days, also of closed grants, after the deadlines', () => {
    const [digest] = composeDigests({
      today: TODAY,
      grants: [grant({ status: 'ACTIVE' })],
      deadlines: [deadline({ dueOn: '2027-02-25' })],
      expectedPayments: [
        expected({ expectedPaymentId: 'late', expectedOn: '2026-10-01' }),
        expected({ expectedPaymentId: 'soon', expectedOn: '2027-02-02' }),
        expected({ expectedPaymentId: 'later', expectedOn: '2027-04-01' }),
        expected({ expectedPaymentId: 'received', expectedOn: '2027-02-02', status: 'RECEIVED' }),
        expected({ expectedPaymentId: 'cancelled', expectedOn: '2027-02-02', status: 'CANCELLED' }),
      ],
    });
    expect(
      digest?.grants[0]?.items.map((item) =>
        item.kind === 'expected-payment' ? item.expectedPaymentId : item.kind,
      ),
    ).toEqual(['deadline', 'late', 'soon']);
    const closed = composeDigests({
      today: TODAY,
      grants: [grant({ status: 'CLOSED' })],
      deadlines: [deadline()],
      expectedPayments: [expected({ kind: 'BALANCE' })],
    });
    expect(closed[0]?.grants[0]?.items.map((item) => item.kind)).toEqual(['expected-payment']);
    const rejected = composeDigests({
      today: TODAY,
      grants: [grant({ status: 'REJECTED' })],
      deadlines: [deadline()],
      expectedPayments: [expected()],
    });
    expect(rejected).toEqual([]);
  });

  it('gives each project lead and watcher one digest, grouped by grant, most pressing grant first', () => {
    const other = '01HQ8ZK5B2W7Q4XN8D3F6G0HJA';
    const digests = composeDigests({
      today: TODAY,
      grants: [
        grant({ watchers: ['Shared@KK.dk'] }),
        grant({
          grantId: other,
          acronym: 'CLEVER',
          projectLead: { email: 'other@kk.dk' },
          watchers: ['shared@kk.dk'],
        }),
      ],
      deadlines: [
        deadline({ dueOn: '2027-02-20' }),
        deadline({ grantId: other, deadlineId: 'd2', dueOn: '2027-02-03' }),
      ],
      expectedPayments: [],
    });
    expect(digests.map((d) => [d.recipient, d.grants.map((s) => s.grant.acronym), d.itemCount])).toEqual([
      ['lead@kk.dk', ['ATELIER'], 1],
      ['other@kk.dk', ['CLEVER'], 1],
      ['shared@kk.dk', ['CLEVER', 'ATELIER'], 2],
    ]);
    expect(digests[0]?.week).toEqual({ week: '2027-W05', from: '2027-02-01', to: '2027-02-07' });
  });

  it('sends nothing to an address with nothing to list, or that unsubscribed', () => {
    expect(
      composeDigests({
        today: TODAY,
        grants: [grant()],
        deadlines: [deadline({ dueOn: '2027-06-01' })],
        expectedPayments: [],
      }),
    ).toEqual([]);
    const digests = composeDigests({
      today: TODAY,
      grants: [grant({ watchers: ['watcher@kk.dk'] })],
      deadlines: [deadline()],
      expectedPayments: [],
      optedOut: new Set(['lead@kk.dk']),
    });
    expect(digests.map((d) => d.recipient)).toEqual(['watcher@kk.dk']);
  });

  it('ignores deadlines of grants it was not given and lists a grant once if given twice', () => {
    const digests = composeDigests({
      today: TODAY,
      grants: [grant(), grant()],
      deadlines: [deadline(), deadline({ grantId: '01HQ8ZK5B2W7Q4XN8D3F6G0HJA' })],
      expectedPayments: [],
    });
    expect(digests).toHaveLength(1);
    expect(digests[0]?.grants).toHaveLength(1);
    expect(digests[0]?.itemCount).toBe(1);
  });
});

describe('the signed unsubscribe link', () => {
  const key = Buffer.alloc(32, 7);

  it('gives back the address it was signed for, lower case', () => {
    expect(verifyUnsubscribeToken(key, signUnsubscribeToken(key, ' Lead@KK.dk '))).toBe('lead@kk.dk');
  });

  it('refuses a token with any character changed, another address pasted in, or another key', () => {
    const token = signUnsubscribeToken(key, 'lead@kk.dk');
    for (let i = 0; i < token.length; i++) {
      const altered = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(verifyUnsubscribeToken(key, altered), `character ${i}`).toBeUndefined();
    }
    const [version, , mac] = token.split('.');
    const forged = [version, Buffer.from('other@kk.dk').toString('base64url'), mac].join('.');
    expect(verifyUnsubscribeToken(key, forged)).toBeUndefined();
    expect(verifyUnsubscribeToken(Buffer.alloc(32, 8), token)).toBeUndefined();
    expect(verifyUnsubscribeToken(key, '')).toBeUndefined();
    expect(verifyUnsubscribeToken(key, `${token}.x`)).toBeUndefined();
  });
});

describe('the digest e-mail', () => {
  const links = digestLinks('https://tilskud.kk.dk/', 'v1.abc.def');
  const [digest] = composeDigests({
    today: TODAY,
    grants: [grant({ endDate: '2027-02-15' })],
    deadlines: [deadline({ dueOn: '2027-01-29' })],
    expectedPayments: [expected()],
  });
  const message = composeDigestMessage(digest as NonNullable<typeof digest>, links);

  it('names the week and what it lists in Danish and English', () => {
    expect(message.subject).toBe(
      'Ugeoversigt uge 5: 3 punkter i 1 bevilling / Weekly digest, week 5: 3 items in 1 grant',
    );
    expect(message.text).toContain('Overskredet med 3 dage: Periodisk rapport – Periodic report RP2');
    expect(message.text).toContain('3 days overdue: Periodic report – Periodic report RP2');
    expect(message.text).toContain('Om 14 dage: Finansieringen slutter');
    expect(message.text).toContain('In 14 days: Funding ends');
    expect(message.text).toContain('Forventet betaling: Mellemliggende betaling, 199.638,75 EUR');
    expect(message.text).toContain('Expected payment: Interim payment, 199,638.75 EUR');
    expect(message.text).toContain('TMF – Teknik- og Miljøforvaltningen · Horizon 2020 (H2020)');
    expect(message.text.indexOf('Periodisk rapport')).toBeLessThan(
      message.text.indexOf('Finansieringen slutter'),
    );
    expect(message.text.indexOf('Finansieringen slutter')).toBeLessThan(
      message.text.indexOf('Forventet betaling'),
    );
    expect(message.text.indexOf('Hej,')).toBeLessThan(message.text.indexOf('Hello,'));
  });

  it('links into the web application and to the one-click unsubscribe', () => {
    expect(message.text).toContain('https://tilskud.kk.dk/app/grants/01HQ8ZK4V6N3T2RXW5M7B9C1DE\n');
    expect(message.text).toContain(
      'https://tilskud.kk.dk/app/grants/01HQ8ZK4V6N3T2RXW5M7B9C1DE#deadline-report-2026-11-30',
    );
    expect(message.text).toContain('https://tilskud.kk.dk/digest/unsubscribe?token=v1.abc.def');
  });
});

describe('the local digest schedule', () => {
  it.each([
    ['winter: Monday 07:00 CET is 06:00 UTC', '2027-01-27T12:00:00Z', '2027-02-01T06:00:00.000Z'],
    ['summer: Monday 07:00 CEST is 05:00 UTC', '2027-06-01T12:00:00Z', '2027-06-07T05:00:00.000Z'],
    [
      'exactly at 07:00 on a Monday the next one is a week later',
      '2027-02-01T06:00:00Z',
      '2027-02-08T06:00:00.000Z',
    ],
    ['early on a Monday it is the same morning', '2027-02-01T05:59:00Z', '2027-02-01T06:00:00.000Z'],
    ['the week the clocks go forward', '2027-03-24T12:00:00Z', '2027-03-29T05:00:00.000Z'],
  ])('%s', (_what, from, expected) => {
    expect(nextDigestAt(new Date(from)).toISOString()).toBe(expected);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the digest on Mondays at 07:00 only, not at start', async () => {
    // Arrange: a stack started on Sunday afternoon
    vi.useFakeTimers({ now: new Date('2027-01-31T14:00:00Z') });
    const runs: string[] = [];
    const schedule = startWeeklyDigests(
      async () => {
        runs.push(new Date().toISOString());
      },
      () => undefined,
    );
    // Act and assert
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(Date.parse('2027-02-01T06:00:00Z') - Date.now());
    expect(runs).toEqual(['2027-02-01T06:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(7 * 86_400_000);
    expect(runs).toEqual(['2027-02-01T06:00:00.000Z', '2027-02-08T06:00:00.000Z']);
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(7 * 86_400_000);
    expect(runs).toHaveLength(2);
  });
});

describe('the one-click unsubscribe headers on the way out', () => {
  const mail: Mail = {
    to: ['lead@kk.dk'],
    subject: 'Ugeoversigt uge 5 / Weekly digest, week 5',
    text: 'Hej,\n',
    idempotencyKey: '4b3c2a10-0000-8000-8000-000000000000',
    headers: {
      'List-Unsubscribe': '<https://tilskud.kk.dk/digest/unsubscribe?token=v1.abc.def>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };

  it('are in the local outbox file', () => {
    const eml = renderEml(mail, { from: 'tilskud@kk.dk', date: new Date('2027-02-01T06:00:00Z') });
    expect(eml).toContain(
      '\r\nList-Unsubscribe: <https://tilskud.kk.dk/digest/unsubscribe?token=v1.abc.def>\r\n',
    );
    expect(eml).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
  });

  it('are sent to Amazon SES with the message', async () => {
    const client = new SESv2Client({ region: 'eu-central-1' });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await createSesMailer({ from: 'tilskud@kk.dk', client }).send(mail);
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input as SendEmailCommandInput;
    expect(input.Content?.Simple?.Headers).toEqual(
      expect.arrayContaining([
        { Name: 'List-Unsubscribe', Value: '<https://tilskud.kk.dk/digest/unsubscribe?token=v1.abc.def>' },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    ses.restore();
  });
});
