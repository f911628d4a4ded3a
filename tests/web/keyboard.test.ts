import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn, unique } from './support/browser';
import { daysFromToday, grantsMatching } from './support/data';

/**
 * A date as typed into Chromium's date control, whose field order follows the browser's own
 * language (here Debian's Chromium in the C locale: mm dd yyyy); the separators come by themselves.
 */
const typedDate = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${m}${d}${y}`;
};

describe('keyboard only', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('reaches every control of the register form with Tab and registers a grant with Enter', async () => {
    // arrange
    const acronym = unique('KBD');
    const tracked = await openPage(browser);
    const { page } = tracked;
    await signIn(tracked, 'lear-admin', 'lear@kk.dk', '/app/grants/new');
    await page.getByRole('heading', { level: 1, name: 'Registrér tilskud' }).waitFor();
    const typing: Record<string, string> = {
      acronym,
      title: `${acronym} keyboard grant`,
      programme: 'Horizon 2020',
      role: 'Partner',
      forvaltning: 'TMF',
      'projectLead.name': 'Keyboard Lead',
      'projectLead.email': 'keyboard.lead@kk.dk',
      startDate: typedDate(daysFromToday(-100)),
      endDate: typedDate(daysFromToday(600)),
      'reportingPeriods.0.endsOn': typedDate(daysFromToday(100)),
      'awarded.amount': '120000',
    };
    const reached: string[] = [];
    let addedPeriod = false;
    let tab = true;
    // act: Tab from the top of the page; type where a control is focused; Enter on the one button used.
    for (let step = 0; step < 80; step++) {
      if (tab) await page.keyboard.press('Tab');
      tab = true;
      const focused = (await page.evaluate(
        "({ name: document.activeElement?.getAttribute('name') ?? '', tag: document.activeElement?.tagName ?? '', text: document.activeElement?.textContent ?? '', type: document.activeElement?.getAttribute('type') ?? '' })",
      )) as { name: string; tag: string; text: string; type: string };
      if (focused.name) reached.push(focused.name);
      const value = typing[focused.name];
      if (value !== undefined) {
        await page.keyboard.type(value);
        if (focused.type === 'date') {
          expect(await page.evaluate('document.activeElement.value'), focused.name).toMatch(
            /^\d{4}-\d\d-\d\d$/,
          );
        }
      }
      if (focused.tag === 'BUTTON' && focused.text === 'Tilføj rapporteringsperiode' && !addedPeriod) {
        addedPeriod = true;
        await page.keyboard.press('Enter');
        // The new row's date takes the focus.
        tab = false;
      }
      if (focused.type === 'submit') break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: new RegExp(acronym) }).waitFor();
    // assert: every field of the grant was reached, in reading order, and the grant exists
    for (const name of [
      'acronym',
      'title',
      'programme',
      'callId',
      'grantAgreementNumber',
      'pic',
      'role',
      'status',
      'forvaltning',
      'unit',
      'projectLead.name',
      'projectLead.email',
      'partners',
      'startDate',
      'endDate',
      'fundingEndsOn',
      'reportingPeriods.0.endsOn',
      'alertLeadDays',
      'awarded.amount',
      'awarded.currency',
      'exchangeRateToDkk',
      'notes',
    ]) {
      expect(reached, name).toContain(name);
    }
    expect(reached.indexOf('acronym')).toBeLessThan(reached.indexOf('awarded.amount'));
    expect(await grantsMatching(acronym)).toHaveLength(1);
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
