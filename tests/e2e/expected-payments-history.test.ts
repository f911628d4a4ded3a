import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

const run = promisify(execFile);

/** Expected payments, the overdue alert and history on the local stack, driven over HTTP and the npm scripts' entry points. */
describe('expected payments and history on the local stack', () => {
  let stack: SpawnedStack;
  let admin: string;
  let finance: string;

  const api = async (method: string, path: string, body?: unknown, token = admin) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers, json: () => JSON.parse(text) };
  };

  const cli = async (script: string, ...args: string[]) => {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      `lib/local/cli/${script}`,
      ...args,
      '--data-dir',
      stack.dataDir,
    ]);
    return JSON.parse(stdout.trim().split('\n').at(-1) as string);
  };

  /** The outbox's PaymentOverdue e-mails about one grant, once the pipeline has had time to write `atLeast` of them. */
  const overdueMailsAbout = async (acronym: string, atLeast: number) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const mails: string[] = [];
      for (const name of await readdir(join(stack.dataDir, 'outbox')).catch(() => [])) {
        const text = await readFile(join(stack.dataDir, 'outbox', name), 'utf8');
        if (text.includes(`[${acronym}]`) && text.includes('· PaymentOverdue ·')) mails.push(text);
      }
      if (mails.length >= atLeast || Date.now() > until) return mails;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: true });
    admin = await stack.token('lear-admin');
    finance = await stack.token('finance', 'oekonomi@tmf.kk.dk');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("starts each seeded grant's history with its registration", async () => {
    const page = (await api('GET', '/grants?limit=5')).json();
    expect(page.items.length).toBe(5);
    for (const grant of page.items as { grantId: string }[]) {
      const history = await api('GET', `/grants/${grant.grantId}/history?limit=100`, undefined, finance);
      expect(history.status).toBe(200);
      const entries = history.json().items as { action: string; by: string; changes: { field: string }[] }[];
      const oldest = entries.at(-1);
      expect(oldest).toMatchObject({ action: 'GRANT_REGISTERED', by: 'lear@kk.dk' });
      expect(oldest?.changes.map((c) => c.field)).toContain('awarded');
    }
  });

  it('registers, plans an expected payment, and alerts once when it is 31 days overdue', async () => {
    // arrange: a grant and the balance expected 2027-01-15
    const created = await api(
      'POST',
      '/grants',
      atelierInput({ acronym: 'OVERDUE', watchers: ['okonomi@kk.dk'], endDate: '2027-10-31' }),
    );
    expect(created.status).toBe(201);
    const { grantId } = created.json();
    const planned = await api(
      'POST',
      `/grants/${grantId}/expected-payments`,
      { expectedOn: '2027-01-15', amount: { amount: '99819.38', currency: 'EUR' }, kind: 'BALANCE' },
      finance,
    );
    expect(planned.status).toBe(201);
    const expected = planned.json();
    expect(planned.headers.get('location')).toBe(
      `/grants/${grantId}/expected-payments/${expected.expectedPaymentId}`,
    );
    expect(expected).toMatchObject({ status: 'OPEN', amountDkk: { amount: '745650.77', currency: 'DKK' } });
    const grant = (await api('GET', `/grants/${grantId}`)).json();
    expect(grant.expectedDkk).toEqual({ amount: '745650.77', currency: 'DKK' });
    expect(grant.expectedPayments).toEqual([expected]);

    // act: the sweep 30 days after is the first; 31 days after, again, nothing more
    const thirtyDays = await cli('sweep.ts', '--today', '2027-02-14');
    const again = await cli('sweep.ts', '--today', '2027-02-15');
    // assert
    expect(thirtyDays.alertsSent.PaymentOverdue).toBe(1);
    expect(again.alertsSent.PaymentOverdue).toBe(0);
    const mails = await overdueMailsAbout('OVERDUE', 1);
    expect(mails).toHaveLength(1);
    const mail = mails[0] as string;
    expect(mail).toContain('atelier@kk.dk');
    expect(mail).toContain('okonomi@kk.dk');
    expect(mail).toContain('99.819,38 EUR');
    expect(mail).toContain('99,819.38 EUR');
    expect(mail).toMatch(/Slutbetaling er 30 dage forsinket/);
    expect(mail).toMatch(/Balance 30 days overdue/);
    expect(mail).toContain(`/app/grants/${grantId}`);
    // and a later sweep sends nothing: still one e-mail
    expect((await cli('sweep.ts', '--today', '2027-03-20')).alertsSent.PaymentOverdue).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await overdueMailsAbout('OVERDUE', 2)).toHaveLength(1);
  });

  it('settles it with one of two racing payments (the other 409), counts expected in the totals and keeps the history', async () => {
    // arrange
    const { grantId } = (await api('POST', '/grants', atelierInput({ acronym: 'SETTLE' }))).json();
    const expected = (
      await api(
        'POST',
        `/grants/${grantId}/expected-payments`,
        {
          expectedOn: '2031-06-30',
          amount: { amount: '1000.00', currency: 'EUR' },
          kind: 'RETENTION_RELEASE',
        },
        finance,
      )
    ).json();
    const byYear = (await api('GET', '/totals?groupBy=year&from=2031&to=2031', undefined, finance)).json();
    expect(byYear.groups).toEqual([
      {
        key: { year: 2031 },
        awarded: '0.00',
        received: '0.00',
        outstanding: '0.00',
        expected: '7470.00',
        grantCount: 0,
      },
    ]);
    const csv = await fetch(`${stack.apiUrl}/totals?groupBy=year&from=2031&to=2031&format=csv`, {
      headers: { authorization: `Bearer ${finance}` },
    });
    const rows = parse(await csv.text(), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        year: '2031',
        awarded_dkk: '0.00',
        received_dkk: '0.00',
        outstanding_dkk: '0.00',
        expected_dkk: '7470.00',
        grant_count: '0',
      },
    ]);
    // act: two payments settling it at once
    const payment = {
      receivedOn: '2031-07-02',
      amount: { amount: '1000.00', currency: 'EUR' },
      kind: 'OTHER',
      settles: expected.expectedPaymentId,
    };
    const [a, b] = await Promise.all([
      api('POST', `/grants/${grantId}/payments`, payment, finance),
      api('POST', `/grants/${grantId}/payments`, payment, admin),
    ]);
    // assert
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const lost = a.status === 409 ? a : b;
    expect(lost.headers.get('content-type')).toContain('application/problem+json');
    // Refused as it read the expected payment (already received), or as it wrote (settled meanwhile).
    expect(lost.json().detail).toMatch(/was received|settled or cancelled/);
    const won = (a.status === 201 ? a : b).json();
    const grant = (await api('GET', `/grants/${grantId}`)).json();
    expect(grant.payments.map((p: { paymentId: string }) => p.paymentId)).toEqual([won.paymentId]);
    expect(grant.expectedPayments).toMatchObject([{ status: 'RECEIVED', paymentId: won.paymentId }]);
    expect(grant.expectedDkk.amount).toBe('0.00');
    const after = (await api('GET', '/totals?groupBy=year&from=2031&to=2031', undefined, finance)).json();
    expect(after.total).toMatchObject({ expected: '0.00', received: '7470.00' });

    // the history, newest first, paged one by one, as a project lead reads it
    const lead = await stack.token('project-lead', 'atelier@kk.dk');
    const actions: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&cursor=${encodeURIComponent(cursor)}` : '?limit=1';
      const page = (await api('GET', `/grants/${grantId}/history${query}`, undefined, lead)).json();
      actions.push(...page.items.map((e: { action: string }) => e.action));
      cursor = page.nextCursor;
    } while (cursor);
    expect(actions.slice(0, 2).sort()).toEqual(['EXPECTED_PAYMENT_SETTLED', 'PAYMENT_RECORDED']);
    expect(actions.slice(2, 3)).toEqual(['EXPECTED_PAYMENT_ADDED']);
    expect(actions.at(-1)).toBe('GRANT_REGISTERED');
    expect((await api('GET', '/grants/01JZZZZZZZZZZZZZZZZZZZZZZZ/history', undefined, lead)).status).toBe(
      404,
    );
    // a project lead may read, not plan
    expect(
      (
        await api(
          'POST',
          `/grants/${grantId}/expected-payments`,
          { expectedOn: '2031-06-30', amount: { amount: '1.00', currency: 'EUR' }, kind: 'OTHER' },
          lead,
        )
      ).status,
    ).toBe(403);

    // npm run totals:verify: expected included, no drift
    const verified = await cli('totals-verify.ts');
    expect(verified).toMatchObject({ drift: 0, cellDrift: [], apiDrift: [] });
    expect(verified.expectedPayments).toBeGreaterThanOrEqual(2);
  });
});
