import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

const run = promisify(execFile);

interface Line {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time: string;
}

/** Sweeps, events and totals on the local stack, driven as a user drives it: HTTP and the npm scripts' entry points. */
describe('events, alerts and totals on the local stack', () => {
  let stack: SpawnedStack;
  let admin: string;

  const api = async (
    method: string,
    path: string,
    body?: unknown,
    token = admin,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };

  const events = async (): Promise<Line[]> =>
    (await readFile(join(stack.dataDir, 'events.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);

  /** Waits until the pipeline has carried what was committed to events.jsonl. */
  const eventsWhere = async (predicate: (lines: Line[]) => boolean): Promise<Line[]> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const lines = await events();
      if (predicate(lines) || Date.now() > deadline) return lines;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const sweep = async (today: string) => {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'lib/local/cli/sweep.ts',
      '--today',
      today,
      '--data-dir',
      stack.dataDir,
    ]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0] as string);
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: true });
    admin = await stack.token('lear-admin');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("reproduces the 2020 survey's section 7: what each forvaltning brought home", async () => {
    const finance = await stack.token('finance');
    const response = await api('GET', '/totals?groupBy=forvaltning', undefined, finance);
    expect(response.status).toBe(200);
    const totals = JSON.parse(response.text);
    const received = Object.fromEntries(
      totals.groups.map((g: { key: { forvaltning: string }; received: string }) => [
        g.key.forvaltning,
        g.received,
      ]),
    );
    // Afdækning 2020 afsnit 7: ØKF ~20 mio. (SSC), KFF ~3,55 mio. (VIA + CREMA), TMF ~70 mio., BIF 0,725 mio.
    expect(received).toMatchObject({
      OKF: '20000000.00',
      KFF: '3550000.00',
      TMF: '70000000.00',
      BIF: '725000.00',
    });

    const csv = await api('GET', '/totals?groupBy=forvaltning', undefined, finance, { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.forvaltning === 'TMF')?.received_dkk).toBe('70000000.00');
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'forvaltning',
      'awarded_dkk',
      'received_dkk',
      'outstanding_dkk',
      'expected_dkk',
      'grant_count',
    ]);

    // npm run totals:verify: every stored total equals a recomputation from the grants.
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'lib/local/cli/totals-verify.ts',
      '--data-dir',
      stack.dataDir,
    ]);
    const verified = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(verified).toMatchObject({ drift: 0, cellDrift: [], apiDrift: [] });
    expect(verified.grants).toBeGreaterThanOrEqual(17);

    const projectLead = await stack.token('project-lead');
    expect((await api('GET', '/totals', undefined, projectLead)).status).toBe(403);
    expect((await api('GET', '/totals?groupBy=colour', undefined, finance)).status).toBe(400);
  });

  it('turns every change into an event, and sweeps into alerts and e-mails exactly once', async () => {
    // arrange: a grant with a deadline due 2027-03-01 and funding ending 2027-06-30
    const created = JSON.parse(
      (
        await api(
          'POST',
          '/grants',
          atelierInput({
            acronym: 'ALERTS',
            programme: 'INTERREG',
            grantAgreementNumber: undefined,
            reportingPeriods: [],
            startDate: '2025-01-01',
            endDate: '2027-06-30',
            watchers: ['okonomi@kk.dk'],
          }),
        )
      ).text,
    );
    const deadline = JSON.parse(
      (
        await api('POST', `/grants/${created.grantId}/deadlines`, {
          kind: 'DELIVERABLE',
          title: 'D3.1 Atelier report',
          dueOn: '2027-03-01',
        })
      ).text,
    );
    const mine = (lines: Line[]) =>
      lines.filter((l) => JSON.parse(l.Detail).grant.grantId === created.grantId);
    const changes = mine(await eventsWhere((lines) => mine(lines).length >= 2));
    expect(changes.map((l) => l.DetailType)).toEqual(['GrantRegistered', 'DeadlineAdded']);
    expect(changes.every((l) => l.Source === 'funding-tracker')).toBe(true);

    // act: sweep at the 30-day mark twice, then after a gap of downtime 5 days before, then after the date
    const first = await sweep('2027-01-30');
    const repeat = await sweep('2027-01-30');
    await sweep('2027-02-24');
    await sweep('2027-03-02');
    await sweep('2027-04-01');
    expect(first.alertsSent.DeadlineApproaching).toBe(1);
    expect(repeat.alertsSent.DeadlineApproaching).toBe(0);

    // assert: exactly these alerts reached the bus, once each
    const alerts = mine(await eventsWhere((lines) => mine(lines).length >= 6)).filter((l) =>
      ['DeadlineApproaching', 'DeadlineMissed', 'GrantExpiring', 'GrantExpired'].includes(l.DetailType),
    );
    expect(alerts.map((l) => [l.DetailType, JSON.parse(l.Detail).threshold ?? null])).toEqual([
      ['DeadlineApproaching', 30],
      ['DeadlineApproaching', 7],
      ['DeadlineMissed', null],
      ['GrantExpiring', 90],
    ]);
    const missed = JSON.parse(alerts[2]?.Detail as string);
    expect(missed).toMatchObject({ deadline: { deadlineId: deadline.deadlineId }, daysOverdue: 1 });
    expect(missed.recipients).toEqual(['atelier@kk.dk', 'okonomi@kk.dk']);

    // and one e-mail per alert in the outbox, in Danish and English
    const deadlineMail = Date.now() + 20_000;
    let mails: string[] = [];
    while (Date.now() < deadlineMail) {
      mails = [];
      for (const name of await readdir(join(stack.dataDir, 'outbox'))) {
        const text = await readFile(join(stack.dataDir, 'outbox', name), 'utf8');
        if (text.includes('ALERTS')) mails.push(text);
      }
      if (mails.length >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(mails).toHaveLength(4);
    expect(
      mails.every((m) => m.includes('To: atelier@kk.dk, okonomi@kk.dk') || m.includes('atelier@kk.dk')),
    ).toBe(true);
    expect(mails.some((m) => /dage/.test(m) && /days/.test(m))).toBe(true);
  });
});
