import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn, unique, webStack } from './support/browser';
import { daysFromToday, registerGrant, today } from './support/data';

const run = promisify(execFile);

/** The alert e-mail in the stack's outbox that names this acronym, once the pipeline has written it. */
const alertMail = async (outbox: string, acronym: string): Promise<string> => {
  for (let attempt = 0; attempt < 150; attempt++) {
    const files = await readdir(outbox).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.eml'))) {
      const text = await readFile(join(outbox, file), 'utf8');
      if (text.includes(acronym)) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No alert e-mail for ${acronym} in ${outbox}`);
};

describe("the alert e-mails' links", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('open the deadline on its grant page in the app', async () => {
    // arrange: a report due in 7 days, and today's sweep, which alerts its project lead
    const acronym = unique('MAIL');
    const lead = `${acronym.toLowerCase()}@kk.dk`;
    const grant = await registerGrant(acronym, {
      reportingPeriods: [{ endsOn: daysFromToday(-53) }],
      projectLead: { name: 'Mail Lead', email: lead },
    });
    const { dataDir, baseUrl } = webStack();
    await run(process.execPath, [
      '--import',
      'tsx',
      'lib/local/cli/sweep.ts',
      '--today',
      today(),
      '--data-dir',
      dataDir,
    ]);
    // act
    const mail = (await alertMail(join(dataDir, 'outbox'), acronym))
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    const link = new RegExp(
      `${baseUrl.replace(/[.:/]/g, '\\$&')}/app/grants/${grant.grantId}#deadline-[\\w-]+`,
    ).exec(mail)?.[0];
    expect(link, mail.slice(0, 2000)).toBeDefined();
    const tracked = await openPage(browser);
    await signIn(tracked, 'project-lead', lead, '/app/deadlines');
    await tracked.page.goto(link ?? '');
    // assert
    await tracked.page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    const deadlineId = (link ?? '').split('#deadline-')[1] ?? '';
    expect(grant.deadlines.map((d) => d.deadlineId)).toContain(decodeURIComponent(deadlineId));
    await tracked.page
      .locator(`[id="deadline-${decodeURIComponent(deadlineId)}"].anchor-row--target`)
      .waitFor();
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
