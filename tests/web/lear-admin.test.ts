import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFetch,
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

describe('LEAR administrator', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('filters, searches and sorts the grants list on the server, with the view in a shareable URL', async () => {
    // arrange
    const tag = unique('FLT');
    await registerGrant(`${tag} Alpha`, { forvaltning: 'KFF', programme: 'ERASMUS_PLUS' });
    await registerGrant(`${tag} Beta`, { forvaltning: 'KFF', programme: 'SSC' });
    await registerGrant(`${tag} Gamma`, { forvaltning: 'TMF', programme: 'SSC' });
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants');
    // act
    await page.getByLabel('Søg i akronym og titel').fill(tag);
    await page.getByLabel('Søg i akronym og titel').press('Enter');
    await page.waitForURL(/q=/);
    await page.getByLabel('Forvaltning').selectOption('KFF');
    await page.waitForURL(/forvaltning=KFF/);
    await page.getByLabel('Sortér efter').selectOption('acronym');
    await page.waitForURL(/sort=acronym/);
    await page.getByRole('row', { name: new RegExp(`${tag} Beta`) }).waitFor();
    const rows = async (p: Page) => p.locator('tbody th').allTextContents();
    // assert
    // The previous page stays on screen while the sorted one loads: wait for the API's answer.
    await expect.poll(() => rows(page)).toEqual([`${tag} Alpha`, `${tag} Beta`]);
    const link = page.url();
    expect(new URL(link).searchParams.get('forvaltning')).toBe('KFF');
    // The same link in another browser shows the same screen, with one API call.
    const other = await openPage(browser);
    await signIn(other, 'lear-admin', 'other@kk.dk', '/app/grants');
    const calls = other.callsFrom();
    await other.page.goto(link);
    await other.page.getByRole('row', { name: new RegExp(`${tag} Beta`) }).waitFor();
    await expect.poll(() => rows(other.page)).toEqual([`${tag} Alpha`, `${tag} Beta`]);
    expect(calls().map((c) => c.operation)).toEqual(['listGrants']);
    expect(await other.page.getByLabel('Forvaltning').inputValue()).toBe('KFF');
    // Funder type: only the SSC grant is Danish state money.
    await other.page.getByLabel('Finansieringskilde').selectOption('DK_STATE');
    await other.page.waitForURL(/funderType=DK_STATE/);
    await other.page.getByRole('row', { name: new RegExp(`${tag} Alpha`) }).waitFor({ state: 'detached' });
    await expect.poll(() => rows(other.page)).toEqual([`${tag} Beta`]);
    expect(describeViolations(await seriousViolations(other.page))).toEqual([]);
    expect([...tracked.errors, ...other.errors]).toEqual([]);
    await tracked.close();
    await other.close();
  });

  it('writes the forvaltning as people do (ØKF, not the API code OKF) on the list and the grant page', async () => {
    // arrange
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants?forvaltning=OKF');
    // act
    await page.locator('tbody abbr').first().waitFor();
    const cells = await page.locator('tbody abbr').allTextContents();
    await page.locator('tbody th a').first().click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    // assert
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells)).toEqual(new Set(['ØKF']));
    expect(await page.getByText('ØKF – Økonomiforvaltningen').count()).toBe(1);
    expect(await page.getByText(/\bOKF\b/).count()).toBe(0);
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it('registers a grant through the form: its report deadlines appear on its page, every control named by its API field', async () => {
    // arrange
    const acronym = unique('REG');
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants');
    // act
    await page.getByRole('link', { name: 'Registrér tilskud' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Registrér tilskud' }).waitFor();
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await fillGrantForm(page, acronym, 'line.leder@kk.dk');
    await journeyScreenshot(page, 'register-grant');
    await page.getByRole('button', { name: 'Registrér tilskud', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    // assert
    expect(await page.title()).toBe(`${acronym} · Funding tracker`);
    expect(await page.getByRole('status').first().textContent()).toContain('Tilskuddet er registreret');
    const deadlines = page.getByRole('region', { name: 'Frister' });
    expect(await deadlines.getByRole('row').count()).toBe(3);
    expect(await deadlines.getByText('Periodisk rapport').count()).toBe(1);
    expect(await deadlines.getByText('Slutrapport').count()).toBe(1);
    expect(await page.getByText('665.462,50 €').count()).toBeGreaterThan(0);
    const [stored] = await grantsMatching(acronym);
    const grant = await getGrant(stored?.grantId ?? '');
    expect(grant.deadlines.map((d) => d.kind).sort()).toEqual(['FINAL_REPORT', 'PERIODIC_REPORT']);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    expect(await page.locator('h1').count()).toBe(1);
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it("marks each control the API refuses, with the API's message linked by aria-describedby", async () => {
    // arrange
    const acronym = unique('BAD');
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants/new');
    await page.getByRole('heading', { level: 1, name: 'Registrér tilskud' }).waitFor();
    await fillGrantForm(page, acronym, 'lead@kk.dk');
    await page.locator('[name="pic"]').fill('12');
    await page.locator('[name="endDate"]').fill(daysFromToday(-500));
    await page.locator('[name="projectLead.email"]').fill('not-an-address');
    // act
    await page.getByRole('button', { name: 'Registrér tilskud', exact: true }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    // assert
    const invalid: { name: string | null; message: string }[] = [];
    for (const control of await page.locator('[aria-invalid="true"]').all()) {
      const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
      const messages = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
      invalid.push({ name: await control.getAttribute('name'), message: messages.join(' ') });
    }
    const byName = Object.fromEntries(invalid.map((i) => [i.name, i.message]));
    expect(Object.keys(byName).sort()).toEqual(['endDate', 'pic', 'projectLead.email']);
    expect(byName.pic).toContain('must be exactly 9 digits');
    expect(byName.endDate).toContain('must be on or after startDate');
    expect(byName['projectLead.email']).toContain('must be an e-mail address');
    // the focus moves to the first refused control in the frame after the problems render
    // (a locator, not waitForFunction: a string predicate is eval'd in the page, which the CSP refuses)
    await page.locator('[aria-invalid="true"]:focus').waitFor();
    expect(await grantsMatching(acronym)).toEqual([]);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await journeyScreenshot(page, 'register-grant-problems');
    await tracked.close();
  });

  it('registers one grant however fast the submit button is clicked twice', async () => {
    // arrange
    const acronym = unique('DBL');
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants/new');
    await page.getByRole('heading', { level: 1, name: 'Registrér tilskud' }).waitFor();
    await fillGrantForm(page, acronym, 'lead@kk.dk');
    const calls = tracked.callsFrom();
    // act
    await page.getByRole('button', { name: 'Registrér tilskud', exact: true }).dblclick();
    await page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    // assert
    expect(await grantsMatching(acronym)).toHaveLength(1);
    expect(calls().filter((c) => c.operation === 'registerGrant').length).toBeLessThanOrEqual(2);
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it('sends the same Idempotency-Key for the same form twice, so even two requests register once', async () => {
    // arrange: two submissions of one unchanged form, as a retry after a lost answer would be.
    const acronym = unique('KEY');
    const tracked = await openPage(browser);
    const { page } = tracked;
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/grants') {
        keys.push(request.headers()['idempotency-key'] ?? '');
      }
    });
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants/new');
    await page.getByRole('heading', { level: 1, name: 'Registrér tilskud' }).waitFor();
    await fillGrantForm(page, acronym, 'lead@kk.dk');
    // act: submit, and again before the first answer has been handled.
    // React has not re-rendered in between: the in-flight guard and the key are what stop a second grant.
    await page.evaluate(
      "{ const form = document.querySelector('form.form'); form.requestSubmit(); form.requestSubmit(); }",
    );
    await page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    // assert
    expect(await grantsMatching(acronym)).toHaveLength(1);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    await tracked.close();
  });

  it('refuses a stale edit with who and what changed, offers to reload, and never overwrites', async () => {
    // arrange
    const acronym = unique('STL');
    const grant = await registerGrant(acronym, { title: 'Original title' });
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants');
    const calls = tracked.callsFrom();
    await page.goto(`/app/grants/${grant.grantId}/edit`);
    await page.getByRole('heading', { level: 1, name: `Redigér ${acronym}` }).waitFor();
    expect(calls().map((c) => c.operation)).toEqual(['getGrant']);
    // Someone else changes the title meanwhile.
    const theirs = await apiFetch(
      'lear-admin',
      `/grants/${grant.grantId}`,
      {
        method: 'PATCH',
        headers: { 'If-Match': `"${grant.version}"` },
        body: JSON.stringify({ title: 'Their title' }),
      },
      'colleague@kk.dk',
    );
    expect(theirs.status).toBe(200);
    // act
    await page.locator('[name="title"]').fill('My title');
    await page.getByRole('button', { name: 'Gem ændringer' }).click();
    const stale = page.getByTestId('stale-edit');
    await stale.waitFor();
    // assert
    const text = await stale.textContent();
    expect(text).toContain('En anden har ændret tilskuddet');
    expect(text).toContain('colleague@kk.dk');
    expect(text).toContain('Original title');
    expect(text).toContain('Their title');
    expect((await getGrant(grant.grantId)).title).toBe('Their title');
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await journeyScreenshot(page, 'stale-edit');
    await page.getByRole('button', { name: 'Hent den nye version' }).click();
    expect(await page.locator('[name="title"]').inputValue()).toBe('Their title');
    await page.locator('[name="title"]').fill('Agreed title');
    await page.getByRole('button', { name: 'Gem ændringer' }).click();
    await page.waitForURL((url) => url.pathname === `/app/grants/${grant.grantId}`);
    await page.getByText('Agreed title').first().waitFor();
    const after = await getGrant(grant.grantId);
    expect(after.title).toBe('Agreed title');
    expect(after.version).toBe(grant.version + 2);
    expect(tracked.errors.filter((e) => !e.includes('412'))).toEqual([]);
    await tracked.close();
  });

  it('works a grant from its page: status change, a payment, a deadline added, done and waived', async () => {
    // arrange
    const acronym = unique('WRK');
    const grant = await registerGrant(acronym, {
      status: 'AWARDED',
      awarded: { amount: '1988400.00', currency: 'DKK' },
    });
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants');
    const calls = tracked.callsFrom();
    await page.goto(`/app/grants/${grant.grantId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    expect(calls().map((c) => c.operation)).toEqual(['getGrant']);
    // Only the changes PRODUCT.md 2.4 allows from AWARDED are offered.
    const statusButtons = await page
      .getByRole('group', { name: 'Skift status' })
      .getByRole('button')
      .allTextContents();
    expect(statusButtons).toEqual(['Skift til Aktiv', 'Skift til Ophævet']);
    expect(await page.getByText('1.988.400,00 kr.').count()).toBeGreaterThan(0);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    // act: status
    await page.getByRole('button', { name: 'Skift til Aktiv' }).click();
    await page.getByRole('button', { name: 'Skift til Afsluttet' }).waitFor();
    // act: payment
    await page.getByRole('button', { name: 'Registrér betaling' }).click();
    await page.locator('[name="amount.amount"]').fill('500.000,00');
    await page.locator('[name="reference"]').fill('Bilag 4711');
    await page.getByRole('button', { name: 'Gem betaling' }).click();
    await page.getByText('Betalingen er registreret.').waitFor();
    await page.getByText('Hjemtaget: 25 % af bevillingen').waitFor();
    // act: deadlines
    await page.getByRole('button', { name: 'Tilføj frist' }).click();
    await page.locator('[name="title"]').fill('Midtvejsevaluering');
    await page.locator('[name="dueOn"]').fill(daysFromToday(20));
    await page.getByRole('button', { name: 'Gem frist' }).click();
    await page.getByRole('cell', { name: 'Midtvejsevaluering', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Tilføj frist' }).click();
    await page.locator('[name="title"]').fill('Ekstra leverance');
    await page.locator('[name="dueOn"]').fill(daysFromToday(40));
    await page.getByRole('button', { name: 'Gem frist' }).click();
    await page.getByRole('cell', { name: 'Ekstra leverance', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Markér som udført – Midtvejsevaluering' }).click();
    await page.getByRole('button', { name: 'Genåbn – Midtvejsevaluering' }).waitFor();
    await page.getByRole('button', { name: 'Frafald – Ekstra leverance' }).click();
    await page.getByRole('button', { name: 'Genåbn – Ekstra leverance' }).waitFor();
    // assert
    const stored = await getGrant(grant.grantId);
    expect(stored.status).toBe('ACTIVE');
    expect(stored.payments.map((p) => p.amount.amount)).toEqual(['500000.00']);
    const status = Object.fromEntries(stored.deadlines.map((d) => [d.title, d.status]));
    expect(status).toMatchObject({ Midtvejsevaluering: 'DONE', 'Ekstra leverance': 'WAIVED' });
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await journeyScreenshot(page, 'grant-page-worked');
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
