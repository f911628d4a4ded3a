import type { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler } from '../../lib/api/app';
import { type ApiEvent, type ApiResult, header, queryOf, SECURITY_HEADERS } from '../../lib/api/http';
import { UnsubscribeQuerySchema } from '../../lib/api/queries';
import { ForbiddenError } from '../../lib/domain/errors';
import { contentSecurityPolicy } from '../../lib/shared/security-headers';
import {
  UNSUBSCRIBE_PATH,
  type UnsubscribePorts,
  unsubscribeFromDigest,
  unsubscribeStatus,
} from '../../lib/use-cases/digest';

export interface DigestApiDeps extends UnsubscribePorts {
  readonly logger: Logger;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small page in Danish with English below: no script, no style, nothing loaded from elsewhere. */
const page = (title: string, body: string, statusCode = 200): ApiResult => ({
  statusCode,
  headers: {
    'Content-Type': 'text/html; charset=utf-8',
    ...SECURITY_HEADERS,
    'Content-Security-Policy': contentSecurityPolicy(),
    // The page's URL carries the token: no other site may see it in a Referer.
    'Referrer-Policy': 'no-referrer',
  },
  body: `<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`,
});

const confirmPage = (address: string, token: string): ApiResult => {
  const who = `<strong>${escapeHtml(address)}</strong>`;
  const action = `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
  return page(
    'Afmeld ugeoversigten / Unsubscribe from the weekly digest',
    `<h1>Afmeld ugeoversigten</h1>
<p>Vil du stoppe den ugentlige oversigt over frister og forventede betalinger til ${who}? Varsler om enkelte frister og om finansieringens udløb fortsætter.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Afmeld ugeoversigten / Unsubscribe</button>
</form>
<section lang="en">
<h2>Unsubscribe from the weekly digest</h2>
<p>Stop the weekly digest of deadlines and expected payments to ${who}? Alerts about single deadlines and funding ends continue.</p>
</section>`,
  );
};

const donePage = (address: string): ApiResult => {
  const who = `<strong>${escapeHtml(address)}</strong>`;
  return page(
    'Ugeoversigten er afmeldt / Unsubscribed from the weekly digest',
    `<h1>Ugeoversigten er afmeldt</h1>
<p>${who} får ikke længere den ugentlige oversigt. Varsler om enkelte frister og om finansieringens udløb fortsætter.</p>
<section lang="en">
<h2>Unsubscribed from the weekly digest</h2>
<p>${who} no longer receives the weekly digest. Alerts about single deadlines and funding ends continue.</p>
</section>`,
  );
};

const refusedPage = (): ApiResult =>
  page(
    'Linket virker ikke / The link does not work',
    `<h1>Linket virker ikke</h1>
<p>Dette afmeldingslink er ændret, eller det kommer ikke fra en ugeoversigt. Brug linket nederst i den seneste ugeoversigt, du har fået.</p>
<section lang="en">
<h2>The link does not work</h2>
<p>This unsubscribe link was changed, or it did not come from a weekly digest. Use the link at the bottom of the latest weekly digest you received.</p>
</section>`,
    403,
  );

/** A person following the link in a browser asks for HTML; a mail client or script gets the problem document. */
const wantsHtml = (event: ApiEvent): boolean => /\btext\/html\b/i.test(header(event, 'accept') ?? '');

/**
 * The weekly digest's one-click unsubscribe (RFC 8058). GET shows a page that asks to confirm, so a
 * mail scanner that follows links changes nothing; POST, from a mail client's one-click or the page's
 * button, stops the digest. The token signed for the address is the only authority: a changed token,
 * or one made for another address, gets a 403. The address is never logged.
 */
export const createDigestApi = (deps: DigestApiDeps) =>
  createApiHandler(
    'digest-api',
    {
      unsubscribePage: async ({ event }) => {
        const { token } = queryOf(event, UnsubscribeQuerySchema);
        try {
          const status = await unsubscribeStatus(deps, token);
          return status.unsubscribed ? donePage(status.address) : confirmPage(status.address, token);
        } catch (error) {
          if (error instanceof ForbiddenError && wantsHtml(event)) return refusedPage();
          throw error;
        }
      },
      unsubscribe: async ({ event }) => {
        const { token } = queryOf(event, UnsubscribeQuerySchema);
        const { address } = await unsubscribeFromDigest(deps, token);
        deps.logger.info('Unsubscribed from the weekly digest');
        return donePage(address);
      },
    },
    deps.logger,
  );
