import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmailSchema } from '../domain/schemas';
import { securityHeaders } from '../shared/security-headers';
import { isRole, issueDevToken } from './dev-tokens';

/**
 * The web application in local mode, on the API's own origin: the built files from web/dist,
 * index.html for every /app/... route, `/` → `/app/`, the API reference at /docs, the runtime
 * configuration at /config.json, and the dev sign-in /dev/login (local mode only; the AWS stack has
 * no such route). Anything else is not ours and falls through to the API's 404.
 */

export const WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type WebHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface WebHandlerOptions {
  readonly dataDir: string;
  readonly distDir?: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The policy CloudFront sends in AWS (lib/shared/security-headers.ts), so a page that breaks it
 * breaks locally too. Over plain http there is no HSTS and nothing to upgrade.
 */
const { 'Strict-Transport-Security': _hsts, ...SECURITY_HEADERS } = securityHeaders();

const NO_CACHE = 'no-cache, no-store, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const problem = (res: ServerResponse, status: number, title: string, detail: string) => {
  res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Cache-Control': NO_CACHE });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
};

/** Only app paths: never an open redirect to another site. */
const appPath = (value: string | null): string =>
  value && /^\/app(\/|$)/.test(value) && !value.startsWith('//') ? value : '/';

export const createWebHandler = (options: WebHandlerOptions): WebHandler => {
  const distDir = resolve(options.distDir ?? WEB_DIST_DIR);

  const sendFile = async (
    req: IncomingMessage,
    res: ServerResponse,
    relative: string,
    cacheControl: string,
  ): Promise<boolean> => {
    const file = normalize(join(distDir, relative));
    if (file !== distDir && !file.startsWith(distDir + sep)) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': cacheControl,
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };

  const sendPage = async (req: IncomingMessage, res: ServerResponse, page: string) => {
    if (await sendFile(req, res, page, NO_CACHE)) return true;
    problem(
      res,
      503,
      'The web application is not built',
      `There is no ${join('web', 'dist', page)}. npm start builds it; or run: npm run web:build`,
    );
    return true;
  };

  return async (req, res, url) => {
    const path = url.pathname;
    if (path === '/') {
      res.writeHead(302, { Location: '/app/', 'Cache-Control': NO_CACHE });
      res.end();
      return true;
    }
    if (path === '/app' || path.startsWith('/app/')) return sendPage(req, res, 'index.html');
    if (path === '/docs' || path === '/docs/') return sendPage(req, res, join('docs', 'index.html'));
    if (path === '/config.json') {
      // Same origin as the page, whichever name the browser used for this machine.
      const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': NO_CACHE });
      res.end(JSON.stringify({ apiBaseUrl: origin, signIn: { mode: 'dev' }, defaultLanguage: 'da' }));
      return true;
    }
    if (path === '/dev/login') {
      const role = url.searchParams.get('role') ?? '';
      const email = EmailSchema.safeParse(url.searchParams.get('email') ?? '');
      if (!isRole(role)) {
        problem(res, 400, 'Unknown role', 'role must be lear-admin, project-lead or finance.');
        return true;
      }
      if (!email.success) {
        problem(res, 400, 'Not an e-mail address', 'email must be an e-mail address, e.g. lear@kk.dk.');
        return true;
      }
      const token = await issueDevToken(options.dataDir, { email: email.data, roles: [role] });
      // The token travels in the fragment: the browser keeps it through redirects and sends it to no server.
      res.writeHead(302, {
        Location: `${appPath(url.searchParams.get('returnTo'))}#id_token=${encodeURIComponent(token)}`,
        'Cache-Control': NO_CACHE,
        'Referrer-Policy': 'no-referrer',
      });
      res.end();
      return true;
    }
    if (path.startsWith('/assets/')) return sendFile(req, res, path.slice(1), IMMUTABLE);
    // Files at the root of the build (the icon); never directories or dotfiles.
    if (/^\/[\w-]+\.(svg|png|ico|txt)$/.test(path)) return sendFile(req, res, path.slice(1), NO_CACHE);
    return false;
  };
};
