import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedStack, spawnStack } from '../support/local-stack';
import { launchBrowser, openPage, screenshot } from './support/browser';

/**
 * The README's two screenshots, from a stack of its own holding only the demo portfolio (the
 * shared one fills up with the other tests' grants). For reading, not for comparing pixels.
 */
describe('screenshots of the main pages on the demo portfolio', () => {
  let browser: Browser;
  let stack: SpawnedStack;
  beforeAll(async () => {
    [browser, stack] = await Promise.all([launchBrowser(), spawnStack()]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), stack?.stop()]);
  });

  it('takes the grants list and a grant page as a LEAR administrator sees them', async () => {
    const tracked = await openPage(browser, {
      baseUrl: stack.apiUrl,
      viewport: { width: 1280, height: 860 },
    });
    const { page } = tracked;
    await page.goto('/dev/login?role=lear-admin&email=lear@kk.dk&returnTo=%2Fapp%2Fgrants');
    await page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
    await page.getByRole('table').getByRole('link').first().waitFor();
    await screenshot(page, 'grants-list', false);
    // The seeded grant that has brought home the most, with its payments and deadlines.
    const token = await stack.token('lear-admin');
    const list = (await (
      await fetch(`${stack.apiUrl}/grants?sort=-awarded&status=CLOSED&limit=100`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as {
      items: { grantId: string; acronym: string; title: string; receivedDkk: { amount: string } }[];
    };
    const grant = list.items.find((g) => Number(g.receivedDkk.amount) > 0 && !/aggregate/i.test(g.title));
    expect(grant).toBeDefined();
    await page.goto(`/app/grants/${grant?.grantId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(grant?.acronym ?? '') }).waitFor();
    await page.getByRole('region', { name: 'Økonomi (DKK)' }).waitFor();
    await screenshot(page, 'grant-page');
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });
});
