import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeViolations,
  journeyScreenshot,
  launchBrowser,
  openPage,
  seriousViolations,
  signIn,
  unique,
} from './support/browser';
import { daysFromToday, getGrant, grantsMatching, registerGrant } from './support/data';
import { fillGrantForm } from './support/forms';

describe('project lead', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('finds the report deadline of a grant registered through the form in "Mine frister" and marks it done there', async () => {
    // arrange: a LEAR administrator registers the grant, naming the project lead.
    const acronym = unique('PL');
    const lead = `${acronym.toLowerCase()}@kk.dk`;
    const admin = await openPage(browser);
    await signIn(admin, 'lear-admin', 'lear@kk.dk', '/app/grants/new');
    await admin.page.getByRole('heading', { level: 1, name: 'Registrér tilskud' }).waitFor();
    await fillGrantForm(admin.page, acronym, lead);
    await admin.page.getByRole('button', { name: 'Registrér tilskud', exact: true }).click();
    await admin.page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    await admin.close();
    // Someone else's grant, whose deadline must not show.
    await registerGrant(unique('NOTMINE'), {
      reportingPeriods: [{ endsOn: daysFromToday(-45) }],
      projectLead: { name: 'Other', email: 'other.lead@kk.dk' },
    });
    const tracked = await openPage(browser);
    const { page } = tracked;
    // act
    await signIn(tracked, 'project-lead', lead, '/app/');
    await page.getByRole('heading', { level: 1, name: 'Mine frister' }).waitFor();
    const next30 = page.getByRole('region', { name: /De næste 30 dage/ });
    await next30.getByRole('link', { name: acronym }).waitFor();
    // assert: the page, its one data call, what the role is offered
    expect(new URL(page.url()).pathname).toBe('/app/deadlines');
    expect(tracked.apiCalls.map((c) => c.operation)).toEqual(['listDeadlines']);
    expect(await page.getByRole('link', { name: 'Registrér tilskud' }).count()).toBe(0);
    expect(await page.getByText('NOTMINE').count()).toBe(0);
    expect(await next30.getByRole('row').count()).toBe(2);
    expect(await next30.getByText('10 dage').count()).toBe(1);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await journeyScreenshot(page, 'my-deadlines');
    // The link leads to the deadline on its grant's page, as the links in e-mails do.
    const href = (await next30.getByRole('link', { name: acronym }).getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/app\/grants\/[0-9A-Z]{26}#deadline-[\w-]+$/);
    await next30.getByRole('link', { name: acronym }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    await page.locator(`[id="${href.split('#')[1]}"].anchor-row--target`).waitFor();
    await page.goBack();
    await next30.getByRole('button', { name: new RegExp(`Markér som udført – ${acronym}`) }).click();
    await next30.getByRole('link', { name: acronym }).waitFor({ state: 'detached' });
    const [registered] = await grantsMatching(acronym);
    const grant = await getGrant(registered?.grantId ?? '');
    const report = grant.deadlines.find((d) => d.kind === 'PERIODIC_REPORT');
    expect(report?.status).toBe('DONE');
    expect(report?.dueOn).toBe(daysFromToday(10));
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it('creates a calendar subscription, copies its link, and revokes it', async () => {
    // arrange
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'project-lead', 'calendar.lead@kk.dk', '/app/deadlines');
    await page.getByRole('heading', { level: 1, name: 'Mine frister' }).waitFor();
    // act
    await page.getByRole('button', { name: 'Opret kalenderlink' }).click();
    const link = page.getByLabel('Link til kalenderabonnement');
    await link.waitFor();
    const url = await link.inputValue();
    await page.getByRole('button', { name: 'Kopiér link' }).click();
    await page.getByText('Linket er kopieret.').waitFor();
    // assert: the link is a working feed, and the clipboard holds it
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);
    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');
    await page.getByRole('button', { name: 'Tilbagekald link' }).click();
    await page.getByText('Linket er tilbagekaldt').waitFor();
    expect((await fetch(url)).status).toBe(401);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
