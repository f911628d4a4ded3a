import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { matchRoute } from '../../../lib/api/routes';
import { issueDevToken } from '../../../lib/local/dev-tokens';
import type { Role } from '../../../lib/shared/names';

/**
 * Browser tests drive Debian's Chromium through playwright-core against the real local stack
 * (started once by global-setup.ts). One browser per test file, one context per test; each page
 * records its console errors and the API calls it makes.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const webStack = () => inject('webStack');

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });

export interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly operation: string;
}

export interface TrackedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions, as text. */
  readonly errors: string[];
  /** Every request the page made to an API route (not the app's files or /config.json). */
  readonly apiCalls: ApiCall[];
  /** API calls from now on: `const calls = tracked.callsFrom(); …; calls()`. */
  callsFrom(): () => ApiCall[];
  close(): Promise<void>;
}

export const openPage = async (
  browser: Browser,
  options: { locale?: string; viewport?: { width: number; height: number }; baseUrl?: string } = {},
): Promise<TrackedPage> => {
  const baseUrl = options.baseUrl ?? webStack().baseUrl;
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: options.locale ?? 'da-DK',
    timezoneId: 'Europe/Copenhagen',
    viewport: options.viewport ?? { width: 1280, height: 900 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  const apiCalls: ApiCall[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== new URL(baseUrl).origin) return;
    const match = matchRoute(request.method(), url.pathname);
    if (match.route)
      apiCalls.push({ method: request.method(), path: url.pathname, operation: match.route.operationId });
  });
  return {
    page,
    context,
    errors,
    apiCalls,
    callsFrom: () => {
      const start = apiCalls.length;
      return () => apiCalls.slice(start);
    },
    close: () => context.close(),
  };
};

/** Signs in through the local stack's /dev/login, as the dev sign-in page does, and lands on `to`. */
export const signIn = async (
  tracked: TrackedPage,
  role: Role,
  email: string,
  to = '/app/',
): Promise<void> => {
  const returnTo = encodeURIComponent(to);
  await tracked.page.goto(`/dev/login?role=${role}&email=${encodeURIComponent(email)}&returnTo=${returnTo}`);
  await tracked.page.getByTestId('signed-in-email').waitFor();
};

/** A dev token for calling the API directly from a test (arranging data, checking results). */
export const apiToken = (role: Role, email = `${role}@kk.dk`) =>
  issueDevToken(webStack().dataDir, { email, roles: [role] });

export const apiFetch = async (role: Role, path: string, init: RequestInit = {}, email?: string) => {
  const token = await apiToken(role, email);
  return fetch(`${webStack().baseUrl}${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
};

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { target: readonly string[] }[];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is now; serious and critical violations only. */
export const seriousViolations = async (page: Page): Promise<AxeViolation[]> => {
  // Evaluated over the DevTools protocol: the page's CSP (no inline script) stays in force for the app.
  await page.evaluate(AXE_SOURCE);
  // A string, so this file needs no DOM types: it runs in the page.
  const violations = await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)",
  );
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
};

export const describeViolations = (violations: readonly AxeViolation[]) =>
  violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );

const SCREENSHOTS = fileURLToPath(new URL('../../../web/screenshots', import.meta.url));
const SCRATCH_SCREENSHOTS = fileURLToPath(new URL('../../../.tmp/screenshots', import.meta.url));

/** Saves a screenshot for people to read (the README's, in web/screenshots/); never compared pixel by pixel. */
export const screenshot = async (page: Page, name: string, fullPage = true): Promise<string> => {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
};

/** A screenshot of a page along a journey, to look at after a run (`.tmp/screenshots/`, not committed). */
export const journeyScreenshot = async (page: Page, name: string): Promise<string> => {
  await mkdir(SCRATCH_SCREENSHOTS, { recursive: true });
  const path = join(SCRATCH_SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/** A name no other test (or earlier run on the same stack) uses. */
export const unique = (prefix: string) =>
  `${prefix}${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1e4)}`.toUpperCase();
