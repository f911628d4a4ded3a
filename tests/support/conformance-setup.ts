import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, inject, vi } from 'vitest';
import { matchRoute } from '../../lib/api/routes';
import { recordResponse, takeDepartures, validatedCount } from './conformance-recorder';

/**
 * Every response the integration and e2e suites receive is checked against the OpenAPI document
 * (tests/support/conformance.ts): handler results where the suites call handlers (every API
 * function is built by createApiHandler), and HTTP responses where they fetch a local stack. A
 * test whose responses depart from the document fails; the count is reported per run.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    conformanceDir: string;
  }
}

vi.mock(import('../../lib/api/app'), async (importOriginal) => {
  const actual = await importOriginal();
  const { recordApiResult: record } = await import('./conformance-recorder');
  return {
    ...actual,
    createApiHandler: (...args: Parameters<typeof actual.createApiHandler>) => {
      const handler = actual.createApiHandler(...args);
      const checked = async (...call: Parameters<typeof handler>) => {
        const result = await handler(...call);
        if (result) record(call[0], result);
        return result;
      };
      return Object.assign(checked, handler) as unknown as typeof handler;
    },
  };
});

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const realFetch = globalThis.fetch;

globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const url = new URL(input instanceof Request ? input.url : String(input));
  const response = await realFetch(input, init);
  if (!LOOPBACK.has(url.hostname)) return response;
  const contentType = response.headers.get('content-type') ?? '';
  // The web application's files and the local bus share the loopback; only API answers count.
  const isApi = matchRoute(method, url.pathname).route || contentType.startsWith('application/problem+json');
  if (!isApi) return response;
  const body = method === 'HEAD' ? undefined : await response.clone().text();
  recordResponse({
    method,
    path: url.pathname,
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body,
  });
  return response;
};

afterEach(() => {
  const departures = takeDepartures();
  expect(departures, 'responses that depart from the OpenAPI document').toEqual([]);
});

afterAll(() => {
  const dir = inject('conformanceDir');
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = expect.getState().testPath ?? `unknown-${process.pid}`;
  writeFileSync(
    join(dir, `${file.replace(/[^\w.-]+/g, '_')}.json`),
    JSON.stringify({ file, validated: validatedCount() }),
  );
});
