import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeViolations,
  journeyScreenshot,
  launchBrowser,
  openPage,
  seriousViolations,
  webStack,
} from './support/browser';

describe('the app on the stack origin', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('sends / to the dev sign-in page, which signs a LEAR administrator in to the seeded grants', async () => {
    // arrange
    const tracked = await openPage(browser);
    const { page } = tracked;
    // act
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Log ind' }).waitFor();
    const signInViolations = await seriousViolations(page);
    await page.getByLabel('Rolle').selectOption('lear-admin');
    await page.getByLabel('E-mail').fill('lear@kk.dk');
    const calls = tracked.callsFrom();
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tilskud' }).waitFor();
    await page.getByRole('table').getByRole('link').first().waitFor();
    // assert
    expect(new URL(page.url()).pathname).toBe('/app/grants');
    expect(await page.title()).toBe('Tilskud · Funding tracker');
    expect(await page.getByTestId('signed-in-email').textContent()).toBe('lear@kk.dk');
    expect(await page.getByRole('link', { name: 'Registrér tilskud' }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('table').getByRole('row').count()).toBeGreaterThan(5);
    expect(calls().map((c) => c.operation)).toEqual(['listGrants']);
    expect(describeViolations(signInViolations)).toEqual([]);
    expect(describeViolations(await seriousViolations(page))).toEqual([]);
    expect(await page.locator('h1').count()).toBe(1);
    await journeyScreenshot(page, 'sign-in-grants-list');
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it('serves the API reference at /docs from the same build', async () => {
    const tracked = await openPage(browser);
    await tracked.page.goto('/docs');
    await tracked.page.getByText('Register a grant').first().waitFor();
    expect(await tracked.page.title()).toContain('API reference');
    expect(tracked.errors).toEqual([]);
    await tracked.close();
  });

  it('keeps the API paths for API clients: GET /grants is JSON, not the app', async () => {
    const response = await fetch(`${webStack().baseUrl}/grants`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
