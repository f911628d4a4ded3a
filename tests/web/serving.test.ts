import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api/routes';
import { webStack } from './support/browser';

const DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const FIRST_PAGE_BUDGET = 200 * 1024;

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
}

/** Every JS file a page loads before it shows anything: its chunk and what it imports, transitively. */
const closure = (manifest: Record<string, ManifestChunk>, keys: readonly string[]): Set<string> => {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const next of chunk.imports ?? []) visit(next);
  };
  for (const key of keys) visit(key);
  return files;
};

describe('serving the app and the API on one origin', () => {
  const get = (path: string, init?: RequestInit) =>
    fetch(`${webStack().baseUrl}${path}`, { redirect: 'manual', ...init });

  it('ships the first page (the app and the grants list) in at most 200 KB of gzipped JavaScript', async () => {
    const manifest = JSON.parse(await readFile(join(DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
      string,
      ManifestChunk
    >;
    const files = closure(manifest, ['index.html', 'src/pages/grants/GrantsPage.tsx']);
    let gzipped = 0;
    for (const file of files) gzipped += gzipSync(await readFile(join(DIST, file))).length;
    process.stdout.write(
      `first page: ${files.size} JS files, ${(gzipped / 1024).toFixed(1)} KB gzip (budget ${FIRST_PAGE_BUDGET / 1024} KB)\n`,
    );
    expect(gzipped).toBeLessThanOrEqual(FIRST_PAGE_BUDGET);
    // Sign-in through Cognito, the charts and the API reference are loaded only where they are used.
    const first = [...files].join(' ');
    expect(first).not.toMatch(/oidc-client|echarts|exceljs|docs-/);
  });

  it('answers / and app routes with the app, never cached, with the security headers CloudFront sends', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/app/');
    for (const path of ['/app/', '/app/grants', '/app/grants/01HZZZZZZZZZZZZZZZZZZZZZZZ', '/app/deadlines']) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toContain('no-cache');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await page.text()).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets for a year, and nothing outside the build', async () => {
    const html = await (await get('/app/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    const asset = await get(script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect((await get('/assets/missing-0000.js')).status).toBe(404);
    expect((await get('/assets/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('/.vite/manifest.json')).status).toBe(404);
  });

  it('keeps every documented API path for API clients; the app takes none of them', async () => {
    const grants = await get('/grants');
    expect(grants.status).toBe(401);
    expect(grants.headers.get('content-type')).toContain('application/problem+json');
    expect((await get('/openapi.json')).headers.get('content-type')).toContain('application/json');
    for (const route of ROUTES) {
      expect(route.path.startsWith('/app'), route.path).toBe(false);
      expect(['/docs', '/config.json', '/dev/login'], route.path).not.toContain(route.path);
    }
    const unknown = await get('/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });

  it('writes the runtime configuration at /config.json, for one build in every stage', async () => {
    const response = await get('/config.json');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    expect(await response.json()).toEqual({
      apiBaseUrl: webStack().baseUrl,
      signIn: { mode: 'dev' },
      defaultLanguage: 'da',
    });
  });

  it('signs in at /dev/login with a dev token in the fragment, and only to app paths', async () => {
    const login = await get('/dev/login?role=project-lead&email=Line@KK.dk');
    expect(login.status).toBe(302);
    const location = login.headers.get('location') ?? '';
    expect(location).toMatch(/^\/#id_token=[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = decodeURIComponent(location.split('id_token=')[1] ?? '');
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ email: 'line@kk.dk', 'cognito:groups': ['project-lead'] });
    const deadlines = await get('/deadlines?mine=true', { headers: { Authorization: `Bearer ${token}` } });
    expect(deadlines.status).toBe(200);
    const back = await get(
      '/dev/login?role=finance&email=f@kk.dk&returnTo=%2Fapp%2Fgrants%3Fstatus%3DACTIVE',
    );
    expect(back.headers.get('location')).toMatch(/^\/app\/grants\?status=ACTIVE#id_token=/);
    const away = await get('/dev/login?role=finance&email=f@kk.dk&returnTo=https%3A%2F%2Fevil.example%2F');
    expect(away.headers.get('location')).toMatch(/^\/#id_token=/);
    const badRole = await get('/dev/login?role=admin&email=f@kk.dk');
    expect(badRole.status).toBe(400);
    expect(badRole.headers.get('content-type')).toContain('application/problem+json');
    expect((await get('/dev/login?role=finance&email=nobody')).status).toBe(400);
  });
});
