import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeViolations, launchBrowser, openPage, seriousViolations, signIn } from './support/browser';

describe('every role', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('is offered only what the role may do; a page for another role says so', async () => {
    const navOf = async (role: 'lear-admin' | 'project-lead' | 'finance') => {
      const tracked = await openPage(browser);
      await signIn(tracked, role, `${role}.nav@kk.dk`, '/app/grants');
      await tracked.page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
      const items = await tracked.page
        .getByRole('navigation', { name: 'Hovedmenu' })
        .getByRole('link')
        .allTextContents();
      const register = await tracked.page.getByRole('link', { name: 'Registrér tilskud' }).count();
      return { tracked, items, register };
    };
    const admin = await navOf('lear-admin');
    const lead = await navOf('project-lead');
    const finance = await navOf('finance');
    expect(admin.items).toEqual(expect.arrayContaining(['Tilskud', 'Mine frister', 'Registrér tilskud']));
    expect(lead.items).toEqual(expect.arrayContaining(['Mine frister', 'Tilskud']));
    expect(lead.items).not.toContain('Registrér tilskud');
    expect(lead.register).toBe(0);
    expect(finance.items).not.toContain('Registrér tilskud');
    expect(finance.items).not.toContain('Mine frister');
    expect(finance.register).toBe(0);
    // The page exists, but not for a project lead; the API would refuse the call anyway.
    await lead.tracked.page.goto('/app/grants/new');
    await lead.tracked.page.getByRole('heading', { level: 1, name: 'Ikke for din rolle' }).waitFor();
    expect(await lead.tracked.page.locator('form').count()).toBe(0);
    for (const t of [admin, lead, finance]) {
      expect(t.tracked.errors).toEqual([]);
      await t.tracked.close();
    }
  });

  it('switches to English and back, formats money and dates for the language, and remembers the choice', async () => {
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants');
    await page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('da');
    expect(await page.locator('tbody td.num').first().textContent()).toMatch(/^[\d.]+,\d\d\s(kr\.|€)$/);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Grants' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.title()).toBe('Grants · Funding tracker');
    expect(await page.locator('tbody td.num').first().textContent()).toMatch(/^(DKK\s|€)[\d,]+\.\d\d$/);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Grants' }).waitFor();
    await page.getByRole('button', { name: 'Dansk' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it('signs out: the app then offers sign-in, and nothing is kept in localStorage', async () => {
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'finance', 'finance@kk.dk', '/app/grants');
    await page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
    expect(await page.evaluate('JSON.stringify(Object.keys(localStorage))')).not.toContain('token');
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByRole('heading', { level: 1, name: 'Log ind' }).waitFor();
    await page.goto('/app/grants');
    await page.getByRole('heading', { level: 1, name: 'Log ind' }).waitFor();
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/app/grants');
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
