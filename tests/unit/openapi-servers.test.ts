import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createMetaApi } from '../../functions/meta-api/app';
import type { ApiResult } from '../../lib/api/http';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { apiEvent, lambdaContext } from '../support/api-events';

/** The public base URL: where feed URLs, e-mail links and the document's server point. */
describe('PUBLIC_BASE_URL', () => {
  const read = (value: string | undefined) => readConfig([ENV.publicBaseUrl], { [ENV.publicBaseUrl]: value });

  it('takes an http(s) origin, with or without a base path, and drops a trailing slash', () => {
    expect(read('http://127.0.0.1:3000')[ENV.publicBaseUrl]).toBe('http://127.0.0.1:3000');
    expect(read('https://tilskud.kk.dk/')[ENV.publicBaseUrl]).toBe('https://tilskud.kk.dk');
    expect(read('https://kk.dk/tilskud/')[ENV.publicBaseUrl]).toBe('https://kk.dk/tilskud');
  });

  it('fails at cold start, naming the variable, for anything a link could not be built on', () => {
    expect(() => read(undefined)).toThrow('PUBLIC_BASE_URL: is not set');
    expect(() => read('tilskud.kk.dk')).toThrow(/PUBLIC_BASE_URL: must be an http\(s\) URL/);
    expect(() => read('ftp://tilskud.kk.dk')).toThrow(/PUBLIC_BASE_URL: must be an http\(s\) URL/);
    expect(() => read('https://tilskud.kk.dk/?a=b')).toThrow(/PUBLIC_BASE_URL: must be an origin/);
    expect(() => read('https://tilskud.kk.dk/#x')).toThrow(/PUBLIC_BASE_URL: must be an origin/);
  });
});

describe('GET /openapi.json', () => {
  const logger = new Logger({ serviceName: 'meta-api', logLevel: 'SILENT' });
  const documentOf = async (serverUrl: string | undefined) => {
    const handler = createMetaApi({
      logger,
      ping: async () => undefined,
      ...(serverUrl ? { serverUrl } : {}),
    });
    const result = (await handler(
      apiEvent('GET', '/openapi.json', { claims: null }),
      lambdaContext(),
    )) as ApiResult;
    return JSON.parse(String(result.body)) as { servers: { url: string }[] };
  };

  it('names the deployment it is served by as its server', async () => {
    expect((await documentOf('https://tilskud.kk.dk')).servers).toEqual([
      { url: 'https://tilskud.kk.dk', description: 'This deployment' },
    ]);
  });

  it('names the serving origin when no public URL is configured', async () => {
    expect((await documentOf(undefined)).servers).toEqual([
      { url: '/', description: 'The origin this document is served from' },
    ]);
  });
});
