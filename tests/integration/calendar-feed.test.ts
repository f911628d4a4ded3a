import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createCalendarApi } from '../../functions/calendar-api/app';
import type { ApiEvent, ApiResult } from '../../lib/api/http';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/domain/alerts';
import { deadlineUid, fundingUid } from '../../lib/domain/calendar';
import type { GrantDto } from '../../lib/domain/schemas';
import { FeedTokens } from '../../lib/storage/feed-tokens';
import { keys } from '../../lib/storage/items';
import * as grants from '../../lib/use-cases/grants';
import { ADMIN, apiEvent, type Claims, claimsOf, FINANCE, LEAD, lambdaContext } from '../support/api-events';
import { atelierInput, caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

const OTHER_LEAD = claimsOf('project-lead', 'other@kk.dk');

/** A well-formed ULID that names nothing. */
const NO_SUCH_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
/** Where this deployment is reached; feed URLs are built from it alone. */
const PUBLIC_BASE_URL = 'https://tilskud.kk.dk';

interface IssuedToken {
  readonly tokenId: string;
  readonly token: string;
  readonly url: string;
  readonly scope: Record<string, string>;
  readonly label?: string;
  readonly createdAt: string;
}

const parseEvents = (text: string) =>
  new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));

describe('the calendar feed on DynamoDB Local', () => {
  let env: Awaited<ReturnType<typeof freshLedger>>;
  let call: (event: ApiEvent) => Promise<ApiResult>;
  let atelier: GrantDto;
  let culture: GrantDto;
  let applied: GrantDto;
  let manualDeadlineId: string;
  let doneDeadlineId: string;
  const logged: string[] = [];

  const issue = async (claims: Claims, body: Record<string, unknown>): Promise<IssuedToken> => {
    const result = await call(apiEvent('POST', '/calendar/feed-tokens', { claims, body }));
    expect(result.statusCode, String(result.body)).toBe(201);
    return JSON.parse(String(result.body)) as IssuedToken;
  };

  const feed = (query: Record<string, string>) =>
    call(apiEvent('GET', '/calendar.ics', { query, claims: null }));

  const feedOf = async (query: Record<string, string>) => {
    const result = await feed(query);
    expect(result.statusCode, String(result.body)).toBe(200);
    return { result, events: parseEvents(String(result.body)) };
  };

  const problemOf = (result: ApiResult) =>
    JSON.parse(String(result.body)) as { status: number; detail: string };

  beforeAll(async () => {
    env = await freshLedger(inject('dynamoEndpoint'));
    // What the function logs, to show the token never appears in it.
    const logger = new Logger({ serviceName: 'calendar-api', logLevel: 'INFO' });
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes('"service":"calendar-api"')) {
        logged.push(text);
        return true;
      }
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    const handler = createCalendarApi({
      ...env.ports,
      feedTokens: new FeedTokens(env.db, env.tableName),
      thresholds: DEFAULT_ALERT_THRESHOLDS,
      logger,
      publicBaseUrl: PUBLIC_BASE_URL,
    });
    call = (event) => handler(event, lambdaContext('calendar-api')) as Promise<ApiResult>;

    // The clock says 2026-11-22: reports of ATELIER fall due 2026-08-29 (before the 30-day window of
    // forvaltning feeds), 2027-08-29 and 2028-08-29 (the final report).
    atelier = await grants.registerGrant(
      env.ports,
      atelierInput({
        startDate: '2025-07-01',
        endDate: '2028-06-30',
        reportingPeriods: [{ endsOn: '2026-06-30' }, { endsOn: '2027-06-30' }, { endsOn: '2028-06-30' }],
      }),
      caller,
    );
    manualDeadlineId = (
      await grants.addDeadline(
        env.ports,
        atelier.grantId,
        { kind: 'DELIVERABLE', title: 'D2.1 Positive energy district; design, v2', dueOn: '2027-01-15' },
        caller,
      )
    ).deadlineId;
    doneDeadlineId = (
      await grants.addDeadline(
        env.ports,
        atelier.grantId,
        { kind: 'MILESTONE', title: 'MS3 Pilot live', dueOn: '2026-12-15' },
        caller,
      )
    ).deadlineId;
    await grants.setDeadlineStatus(env.ports, atelier.grantId, doneDeadlineId, 'DONE', caller);
    culture = await grants.registerGrant(
      env.ports,
      atelierInput({
        acronym: 'CULTURE',
        forvaltning: 'KFF',
        programme: 'FOUNDATION',
        grantAgreementNumber: undefined,
        awarded: { amount: '500000.00', currency: 'DKK' },
        exchangeRateToDkk: undefined,
        startDate: '2026-01-01',
        endDate: '2027-12-31',
        reportingPeriods: [],
      }),
      caller,
    );
    await grants.addDeadline(
      env.ports,
      culture.grantId,
      { kind: 'OTHER', title: 'Årsrapport til fonden', dueOn: '2027-02-01' },
      caller,
    );
    applied = await grants.registerGrant(
      env.ports,
      atelierInput({ acronym: 'HOPEFUL', status: 'APPLIED', startDate: '2026-01-01', endDate: '2027-06-30' }),
      caller,
    );
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('issues a token to a signed-in user: 201 with the subscription URL, and stores only a hash of its secret', async () => {
    // act
    const issued = await issue(LEAD, { forvaltning: 'TMF', label: 'My TMF calendar' });
    // assert
    expect(issued.tokenId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(issued.token).toMatch(new RegExp(`^${issued.tokenId}\\.[A-Za-z0-9_-]{43}$`));
    expect(issued.url).toBe(`${PUBLIC_BASE_URL}/calendar.ics?token=${issued.token}`);
    expect(issued).toMatchObject({
      scope: { kind: 'forvaltning', forvaltning: 'TMF' },
      label: 'My TMF calendar',
      createdAt: '2026-11-22T09:00:00.000Z',
    });
    const { Item } = await env.db.send(
      new GetCommand({ TableName: env.tableName, Key: keys.feedToken(issued.tokenId) }),
    );
    const secret = issued.token.split('.')[1] as string;
    expect(Item).toMatchObject({
      pk: `FEEDTOKEN#${issued.tokenId}`,
      sk: 'FEEDTOKEN',
      ownerEmail: 'lead@kk.dk',
      scope: { kind: 'forvaltning', forvaltning: 'TMF' },
      secretHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(JSON.stringify(Item)).not.toContain(secret);
  });

  it('builds the subscription URL from the configured public URL, never from the host a request names', async () => {
    // arrange
    const spoofed = apiEvent('POST', '/calendar/feed-tokens', { claims: LEAD, body: {} });
    spoofed.requestContext.domainName = 'calendar.attacker.example';
    spoofed.headers = {
      ...spoofed.headers,
      host: 'calendar.attacker.example',
      'x-forwarded-host': 'x.example',
    };
    // act
    const result = await call(spoofed);
    // assert
    const { url, token } = JSON.parse(String(result.body)) as IssuedToken & { token: string };
    expect(url).toBe(`${PUBLIC_BASE_URL}/calendar.ics?token=${encodeURIComponent(token)}`);
    expect(result.headers.Location).toMatch(/^\/calendar\/feed-tokens\/[0-9A-Z]{26}$/);
  });

  it("serves a forvaltning's feed: OPEN deadlines in the window and funding ends, parsed back with ical.js", async () => {
    // arrange
    const { token } = await issue(LEAD, { forvaltning: 'TMF' });
    // act
    const { result, events } = await feedOf({ token });
    // assert
    expect(result.headers['Content-Type']).toBe('text/calendar; charset=utf-8');
    expect(result.headers['Content-Disposition']).toBe('inline; filename="funding-tracker.ics"');
    expect(result.headers['Cache-Control']).toBe('no-store');
    const calendar = new ICAL.Component(ICAL.parse(String(result.body)));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Funding tracker – TMF');
    expect(events.map((e) => [e.startDate.toString(), e.summary, e.uid])).toEqual([
      [
        '2027-01-15',
        '[ATELIER] D2.1 Positive energy district; design, v2',
        deadlineUid(atelier.grantId, manualDeadlineId),
      ],
      ['2027-08-29', '[ATELIER] Periodic report 2', deadlineUid(atelier.grantId, 'report-2027-06-30')],
      ['2028-06-30', '[ATELIER] Funding ends', fundingUid(atelier.grantId)],
      ['2028-08-29', '[ATELIER] Final report', deadlineUid(atelier.grantId, 'report-2028-06-30')],
    ]);
    // The DONE milestone, the report before the window, KFF's grant and the APPLIED grant's funding end are absent.
    const uids = events.map((e) => e.uid);
    expect(uids).not.toContain(deadlineUid(atelier.grantId, doneDeadlineId));
    expect(uids).not.toContain(fundingUid(applied.grantId));
    expect(uids.some((uid) => uid.includes(culture.grantId))).toBe(false);
    const report = events.find((e) => e.uid === deadlineUid(atelier.grantId, 'report-2027-06-30'));
    expect(report?.startDate.isDate).toBe(true);
    expect(report?.description).toContain('AmsTErdam BiLbao cItizen drivEn smaRt cities');
    expect(report?.description).toContain(`Grant id: ${atelier.grantId}`);
    expect(report?.description).toContain('Periodic report 2 is due on 2027-08-29.');
    const triggers = report?.component
      .getAllSubcomponents('valarm')
      .map((a) => (a.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds() / 86_400);
    expect(triggers).toEqual([-30, -14, -7, -1]);
  });

  it("serves one grant's feed with all its OPEN deadlines, to a grant token and to a narrower query", async () => {
    // arrange
    const grantToken = await issue(FINANCE, { grantId: atelier.grantId });
    const tmfToken = await issue(LEAD, { forvaltning: 'TMF' });
    // act
    const own = await feedOf({ token: grantToken.token });
    const narrowed = await feedOf({ token: tmfToken.token, grantId: atelier.grantId });
    // assert
    const expected = [
      deadlineUid(atelier.grantId, 'report-2026-06-30'),
      deadlineUid(atelier.grantId, manualDeadlineId),
      deadlineUid(atelier.grantId, 'report-2027-06-30'),
      fundingUid(atelier.grantId),
      deadlineUid(atelier.grantId, 'report-2028-06-30'),
    ];
    expect(own.events.map((e) => e.uid)).toEqual(expected);
    expect(narrowed.events.map((e) => e.uid)).toEqual(expected);
    expect(own.result.body).toContain('X-WR-CALNAME:Funding tracker – ATELIER');
  });

  it('serves every forvaltning to a token for all, and a narrower forvaltning on request', async () => {
    const { token } = await issue(ADMIN, {});
    const everything = await feedOf({ token });
    const kff = await feedOf({ token, forvaltning: 'KFF' });
    const summaries = everything.events.map((e) => e.summary);
    expect(summaries).toContain('[CULTURE] Årsrapport til fonden');
    expect(summaries).toContain('[CULTURE] Funding ends');
    expect(summaries).toContain('[ATELIER] Periodic report 2');
    expect(kff.events.map((e) => e.summary)).toEqual([
      '[CULTURE] Årsrapport til fonden',
      '[CULTURE] Funding ends',
    ]);
  });

  it('refuses with 403 a query for more than the token shows', async () => {
    const tmf = await issue(LEAD, { forvaltning: 'TMF' });
    const one = await issue(LEAD, { grantId: atelier.grantId });
    const beyondScope: Record<string, string>[] = [
      { token: tmf.token, forvaltning: 'KFF' },
      { token: tmf.token, grantId: culture.grantId },
      { token: one.token, grantId: culture.grantId },
      { token: one.token, forvaltning: 'TMF' },
    ];
    for (const query of beyondScope) {
      const result = await feed(query);
      expect(result.statusCode).toBe(403);
      expect(result.headers['Content-Type']).toBe('application/problem+json');
    }
  });

  it('answers 401 without a token, with a malformed one, with a wrong secret or an unknown id', async () => {
    const { token, tokenId } = await issue(LEAD, { forvaltning: 'TMF' });
    const wrongSecret = `${tokenId}.${'A'.repeat(43)}`;
    const unknownId = `${NO_SUCH_ID}.${token.split('.')[1]}`;
    const refused: Record<string, string>[] = [
      {},
      { token: 'nonsense' },
      { token: wrongSecret },
      { token: unknownId },
    ];
    for (const query of refused) {
      const result = await feed(query);
      expect(result.statusCode).toBe(401);
      expect(String(result.body)).not.toContain(token.split('.')[1]);
    }
  });

  it('answers 404 for an unknown grant, and 400 for a malformed query', async () => {
    const { token } = await issue(ADMIN, {});
    expect((await feed({ token, grantId: NO_SUCH_ID })).statusCode).toBe(404);
    expect((await feed({ token, grantId: 'not-a-grant' })).statusCode).toBe(400);
    expect((await feed({ token, forvaltning: 'XYZ' })).statusCode).toBe(400);
    expect((await feed({ token, forvaltning: 'TMF', grantId: atelier.grantId })).statusCode).toBe(400);
    const unknown = await call(
      apiEvent('POST', '/calendar/feed-tokens', { claims: LEAD, body: { grantId: NO_SUCH_ID } }),
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('revokes a token for its owner or a LEAR administrator; a revoked token gets 401', async () => {
    // arrange
    const mine = await issue(LEAD, { forvaltning: 'TMF' });
    const another = await issue(LEAD, { grantId: atelier.grantId });
    const revoke = (tokenId: string, claims: Claims) =>
      call(apiEvent('DELETE', `/calendar/feed-tokens/${tokenId}`, { claims }));
    // act
    const byStranger = await revoke(mine.tokenId, OTHER_LEAD);
    const unknown = await revoke(NO_SUCH_ID, LEAD);
    const beforeRevocation = await feed({ token: mine.token });
    const byOwner = await revoke(mine.tokenId, LEAD);
    const again = await revoke(mine.tokenId, LEAD);
    const byAdmin = await revoke(another.tokenId, ADMIN);
    // assert
    expect(byStranger.statusCode).toBe(403);
    expect(unknown.statusCode).toBe(404);
    expect(beforeRevocation.statusCode).toBe(200);
    expect(byOwner.statusCode).toBe(204);
    expect(again.statusCode).toBe(204);
    expect(byAdmin.statusCode).toBe(204);
    const afterOwner = await feed({ token: mine.token });
    expect(afterOwner.statusCode).toBe(401);
    expect(problemOf(afterOwner).detail).toMatch(/revoked/);
    expect((await feed({ token: another.token })).statusCode).toBe(401);
    const { Item } = await env.db.send(
      new GetCommand({ TableName: env.tableName, Key: keys.feedToken(mine.tokenId) }),
    );
    expect(Item).toMatchObject({ revokedAt: '2026-11-22T09:00:00.000Z', revokedBy: 'lead@kk.dk' });
  });

  it('never writes a token to the log, only its id', async () => {
    const { token, tokenId } = await issue(LEAD, { forvaltning: 'TMF' });
    await feedOf({ token });
    await feed({ token: `${tokenId}.${'B'.repeat(43)}` });
    const secret = token.split('.')[1] as string;
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(secret);
    expect(logged.join('\n')).not.toContain('B'.repeat(43));
    expect(logged.some((line) => line.includes(tokenId))).toBe(true);
  });
});
