import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

const run = promisify(execFile);

interface Eml {
  readonly name: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An .eml file's headers (unfolded, names in lower case) and body. */
const parseEml = (name: string, text: string): Eml => {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { name, headers, body: rest.join('\r\n\r\n').replace(/\r\n/g, '\n') };
};

/** The weekly digest on the local stack, driven as a user drives it: HTTP, `npm run digest`, the outbox. */
describe('the weekly digest on the local stack', () => {
  let stack: SpawnedStack;
  let admin: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return JSON.parse(await response.text()) as Record<string, string>;
  };

  const digest = async (today: string) => {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'lib/local/cli/digest.ts',
      '--today',
      today,
      '--data-dir',
      stack.dataDir,
    ]);
    return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  };

  const digests = async (): Promise<Eml[]> => {
    const dir = join(stack.dataDir, 'outbox');
    const mails = await Promise.all(
      (await readdir(dir)).map(async (name) => parseEml(name, await readFile(join(dir, name), 'utf8'))),
    );
    return mails.filter((mail) => mail.headers['list-unsubscribe'] !== undefined);
  };

  const digestTo = async (address: string) => (await digests()).filter((mail) => mail.headers.to === address);

  const digestSentEvents = async (count: number) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const lines = (await readFile(join(stack.dataDir, 'events.jsonl'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { DetailType: string; Detail: string })
        .filter((line) => line.DetailType === 'DigestSent')
        .map((line) => JSON.parse(line.Detail) as { recipient: string; itemCount: number });
      if (lines.length >= count || Date.now() > deadline) return lines;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const grant = async (acronym: string, lead: string, watchers: string[], endDate = '2029-12-31') =>
    (
      await api(
        'POST',
        '/grants',
        atelierInput({
          acronym,
          programme: 'INTERREG',
          grantAgreementNumber: undefined,
          reportingPeriods: [],
          startDate: '2025-01-01',
          endDate,
          projectLead: { name: acronym, email: lead },
          watchers,
        }),
      )
    ).grantId as string;

  beforeAll(async () => {
    stack = await spawnStack({ seed: false });
    admin = await stack.token('lear-admin');
    const nordhavn = await grant('NORDHAVN', 'nordhavn@kk.dk', ['energi@kk.dk']);
    const sluse = await grant('SLUSE', 'sluse@kk.dk', ['energi@kk.dk'], '2027-02-26');
    const quiet = await grant('ROLIG', 'rolig@kk.dk', []);
    const deadline = (grantId: string, title: string, dueOn: string) =>
      api('POST', `/grants/${grantId}/deadlines`, { kind: 'DELIVERABLE', title, dueOn });
    await deadline(nordhavn, 'D2.3 overdue report', '2027-01-25');
    await deadline(nordhavn, 'D3.1 due next week', '2027-02-10');
    await deadline(nordhavn, 'D4.1 due in the summer', '2027-07-01');
    const done = await deadline(nordhavn, 'D1.9 already done', '2027-02-05');
    await fetch(`${stack.apiUrl}/grants/${nordhavn}/deadlines/${done.deadlineId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'DONE' }),
    });
    await deadline(sluse, 'Final payment request', '2027-02-20');
    await deadline(quiet, 'Nothing soon', '2028-03-01');
    await api('POST', `/grants/${nordhavn}/expected-payments`, {
      expectedOn: '2027-02-15',
      amount: { amount: '120000.00', currency: 'EUR' },
      kind: 'INTERIM',
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('sends each address one digest listing exactly the open items of its grants, once a week', async () => {
    // Act: the digest for the ISO week of Monday 1 February 2027, twice
    const first = await digest('2027-02-01');
    const again = await digest('2027-02-03');

    // Assert: lead, lead and the shared watcher; nothing for the grant with nothing due
    expect(first).toMatchObject({ week: '2027-W05', recipients: 3, sent: 3, itemsListed: 3 + 2 + 5 });
    expect(again).toMatchObject({ week: '2027-W05', sent: 0, alreadySent: 3 });
    const mails = await digests();
    expect(mails.map((mail) => mail.headers.to).sort()).toEqual([
      'energi@kk.dk',
      'nordhavn@kk.dk',
      'sluse@kk.dk',
    ]);

    const [nordhavn] = await digestTo('nordhavn@kk.dk');
    const listed = (mail: Eml | undefined) =>
      (mail?.body.split('-------------------- English')[0] ?? '')
        .split('\n')
        .filter((line) => line.startsWith('  • '))
        .map((line) => line.slice(4));
    expect(listed(nordhavn)).toEqual([
      'Overskredet med 7 dage: Leverance – D2.3 overdue report',
      'Om 9 dage: Leverance – D3.1 due next week',
      'Om 14 dage: Forventet betaling: Mellemliggende betaling, 120.000,00 EUR',
    ]);
    const [shared] = await digestTo('energi@kk.dk');
    expect(listed(shared)).toEqual([
      'Overskredet med 7 dage: Leverance – D2.3 overdue report',
      'Om 9 dage: Leverance – D3.1 due next week',
      'Om 14 dage: Forventet betaling: Mellemliggende betaling, 120.000,00 EUR',
      'Om 19 dage: Leverance – Final payment request',
      'Om 25 dage: Finansieringen slutter',
    ]);
    expect(shared?.headers.subject).toBe(
      'Ugeoversigt uge 5: 5 punkter i 2 bevillinger / Weekly digest, week 5: 5 items in 2 grants',
    );
    expect(shared?.body).toContain('7 days overdue: Deliverable – D2.3 overdue report');
    expect(shared?.body).toContain(`Se bevillingen: ${stack.apiUrl}/app/grants/`);
    expect(shared?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(shared?.headers['list-unsubscribe']).toMatch(
      new RegExp(`^<${stack.apiUrl.replace(/[.]/g, '\\.')}/digest/unsubscribe\\?token=v1\\.`),
    );

    const events = await digestSentEvents(3);
    expect(events.map((e) => [e.recipient, e.itemCount]).sort()).toEqual([
      ['energi@kk.dk', 5],
      ['nordhavn@kk.dk', 3],
      ['sluse@kk.dk', 2],
    ]);
  });

  it('unsubscribes with the link: next week’s digest skips that address only, and an altered link is refused', async () => {
    // Arrange: the link from the shared watcher's digest
    const [shared] = await digestTo('energi@kk.dk');
    const link = (shared?.headers['list-unsubscribe'] ?? '').replace(/^<|>$/g, '');
    const token = new URL(link).searchParams.get('token') ?? '';
    const [version, address, mac = ''] = token.split('.');
    const altered = `${stack.apiUrl}/digest/unsubscribe?token=${version}.${address}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherAddress = `${stack.apiUrl}/digest/unsubscribe?token=${version}.${Buffer.from('nordhavn@kk.dk').toString('base64url')}.${mac}`;

    // Act and assert: the page asks first and changes nothing
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('energi@kk.dk');
    expect(html).toContain('<form method="post"');
    // Altered, or moved to another address: refused, as a problem document
    for (const url of [altered, otherAddress]) {
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    // A person opening an altered link in a browser gets a page that says so, not JSON
    const inBrowser = await fetch(altered, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(inBrowser.status).toBe(403);
    expect(inBrowser.headers.get('content-type')).toContain('text/html');
    expect(await inBrowser.text()).toContain('The link does not work');
    // The mail client's one-click POST (RFC 8058)
    const oneClick = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('no longer receives the weekly digest');
    expect(await (await fetch(link)).text()).toContain('får ikke længere den ugentlige oversigt');

    // Next week: both leads, not the watcher who unsubscribed
    const week6 = await digest('2027-02-08');
    expect(week6).toMatchObject({ week: '2027-W06', sent: 2, unsubscribed: 1 });
    expect((await digestTo('energi@kk.dk')).length).toBe(1);
    expect((await digestTo('nordhavn@kk.dk')).length).toBe(2);
    expect((await digestTo('sluse@kk.dk')).length).toBe(2);
    expect(await digestSentEvents(5)).toHaveLength(5);

    // Alerts still reach the address that unsubscribed from the digest
    await run(process.execPath, [
      '--import',
      'tsx',
      'lib/local/cli/sweep.ts',
      '--today',
      '2027-02-09',
      '--data-dir',
      stack.dataDir,
    ]);
    const alertTo = async () => {
      const dir = join(stack.dataDir, 'outbox');
      const mails = await Promise.all(
        (await readdir(dir)).map(async (name) => parseEml(name, await readFile(join(dir, name), 'utf8'))),
      );
      return mails.filter(
        (mail) => mail.headers['list-unsubscribe'] === undefined && mail.headers.to?.includes('energi@kk.dk'),
      );
    };
    const deadline = Date.now() + 20_000;
    while ((await alertTo()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect((await alertTo()).length).toBeGreaterThan(0);
  });
});
