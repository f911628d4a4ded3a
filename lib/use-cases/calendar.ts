import type { AlertThresholds } from '../domain/alerts';
import {
  buildCalendar,
  type CalendarDeadline,
  type CalendarEntry,
  type FeedScope,
  scopeOf,
  selectFeed,
} from '../domain/calendar';
import { addDays, type Clock, copenhagenDateOf, type IsoDate, isValidIsoDate } from '../domain/dates';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../domain/errors';
import type { GrantRecord } from '../domain/grant';
import {
  type FeedTokenRecord,
  type FeedTokens,
  mintFeedToken,
  parseFeedToken,
  secretMatches,
} from '../storage/feed-tokens';
import type { Ledger } from '../storage/ledger';
import type { Caller } from './ports';

/**
 * The calendar's use cases: issue and revoke feed tokens, and assemble the feed a token may see.
 * Reads are key lookups and Queries only: one grant's partition, or the due-date index by month
 * plus the grants index for funding ends.
 */

export interface CalendarPorts {
  readonly ledger: Ledger;
  readonly feedTokens: FeedTokens;
  readonly clock: Clock;
  readonly newId: () => string;
  /** The same thresholds the sweeper alerts at, so reminders and e-mails agree. */
  readonly thresholds: AlertThresholds;
}

/** Feeds of a forvaltning or of everything show this window around today; a grant's feed shows all it has open. */
export const FEED_WINDOW = { daysBack: 30, yearsAhead: 3 } as const;

const addYears = (date: IsoDate, years: number): IsoDate => {
  const moved = `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;
  // 29 February in a year that has none becomes the 28th.
  return isValidIsoDate(moved) ? moved : addDays(moved.replace(/-29$/, '-28'), 0);
};

export const feedWindow = (today: IsoDate) => ({
  from: addDays(today, -FEED_WINDOW.daysBack),
  to: addYears(today, FEED_WINDOW.yearsAhead),
});

const describeScope = (scope: FeedScope): string => {
  switch (scope.kind) {
    case 'all':
      return 'every forvaltning';
    case 'forvaltning':
      return `forvaltning ${scope.forvaltning}`;
    case 'grant':
      return `grant ${scope.grantId}`;
  }
};

// ---- Tokens ----

export interface IssuedFeedToken {
  readonly tokenId: string;
  /** Shown once: only its hash is kept. */
  readonly token: string;
  readonly url: string;
  readonly scope: FeedScope;
  readonly label?: string | undefined;
  readonly createdAt: string;
}

/**
 * Issues a token for the caller. Every role may read every grant (PRODUCT.md 4), so every role may
 * subscribe to any scope, everything included; a grant scope must name a grant that exists.
 */
export const issueFeedToken = async (
  ports: CalendarPorts,
  request: {
    readonly forvaltning?: string | undefined;
    readonly grantId?: string | undefined;
    readonly label?: string | undefined;
  },
  caller: Caller,
  feedUrl: string,
): Promise<IssuedFeedToken> => {
  if (request.grantId && !(await ports.ledger.findGrant(request.grantId))) {
    throw new NotFoundError(`No grant has the id ${request.grantId}.`);
  }
  const tokenId = ports.newId();
  const { token, secretHash } = mintFeedToken(tokenId);
  const record: FeedTokenRecord = {
    tokenId,
    secretHash,
    ownerEmail: caller.email,
    scope: scopeOf(request),
    ...(request.label ? { label: request.label } : {}),
    createdAt: ports.clock.now().toISOString(),
  };
  await ports.feedTokens.create(record);
  return {
    tokenId,
    token,
    url: `${feedUrl}?token=${encodeURIComponent(token)}`,
    scope: record.scope,
    ...(record.label ? { label: record.label } : {}),
    createdAt: record.createdAt,
  };
};

/** Revokes a token: its owner or a LEAR administrator may; revoking twice is harmless. */
export const revokeFeedToken = async (
  ports: CalendarPorts,
  tokenId: string,
  caller: Caller,
): Promise<void> => {
  const record = await ports.feedTokens.find(tokenId);
  if (!record) throw new NotFoundError(`No feed token has the id ${tokenId}.`);
  if (record.ownerEmail !== caller.email && !caller.roles.includes('lear-admin')) {
    throw new ForbiddenError('Only the owner of a feed token or a LEAR administrator may revoke it.');
  }
  const revoked = await ports.feedTokens.revoke(tokenId, {
    at: ports.clock.now().toISOString(),
    by: caller.email,
  });
  if (!revoked) throw new NotFoundError(`No feed token has the id ${tokenId}.`);
};

/** The token's record when the token is well-formed, known, its secret right and not revoked; else 401. */
export const authenticateFeedToken = async (
  ports: Pick<CalendarPorts, 'feedTokens'>,
  token: string | undefined,
): Promise<FeedTokenRecord> => {
  const parsed = token ? parseFeedToken(token) : undefined;
  if (!parsed) {
    throw new UnauthorizedError(
      'Subscribe with the URL that POST /calendar/feed-tokens returns: it carries a feed token (?token=…).',
    );
  }
  const record = await ports.feedTokens.find(parsed.tokenId);
  if (!record || !secretMatches(record, parsed.secret)) {
    throw new UnauthorizedError('The feed token is not valid.');
  }
  if (record.revokedAt) throw new UnauthorizedError('The feed token has been revoked; issue a new one.');
  return record;
};

// ---- The feed ----

/** Every grant in the grants index (one forvaltning's, or all), page by page. */
const allGrants = async (ledger: Ledger, forvaltning: string | undefined): Promise<GrantRecord[]> => {
  const grants: GrantRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listGrants({ forvaltning, limit: 100, cursor });
    grants.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return grants;
};

const forvaltningEntries = async (
  ports: CalendarPorts,
  forvaltning: string | undefined,
  window: { readonly from: IsoDate; readonly to: IsoDate },
): Promise<CalendarEntry[]> => {
  const [deadlines, grants] = await Promise.all([
    ports.ledger.listDeadlines({ ...window, status: 'OPEN', forvaltning }),
    allGrants(ports.ledger, forvaltning),
  ]);
  const grantById = new Map(grants.map((grant) => [grant.grantId, grant]));
  // The indexes are updated apart: a deadline may arrive before its grant shows in the grants index.
  for (const grantId of new Set(deadlines.map((d) => d.grantId))) {
    if (grantById.has(grantId)) continue;
    const grant = await ports.ledger.findGrant(grantId);
    if (grant && (!forvaltning || grant.forvaltning === forvaltning)) grantById.set(grantId, grant);
  }
  const deadlinesByGrant = new Map<string, CalendarDeadline[]>();
  for (const deadline of deadlines) {
    const list = deadlinesByGrant.get(deadline.grantId) ?? [];
    list.push(deadline);
    deadlinesByGrant.set(deadline.grantId, list);
  }
  return [...grantById.values()].map((grant) => ({
    grant,
    deadlines: deadlinesByGrant.get(grant.grantId) ?? [],
  }));
};

/**
 * The iCalendar feed a token shows for a query: the token's whole scope, or a narrower part of it
 * the query names (403 for more than the scope, 404 for an unknown grant).
 */
export const readFeed = async (
  ports: CalendarPorts,
  scope: FeedScope,
  query: { readonly forvaltning?: string | undefined; readonly grantId?: string | undefined },
): Promise<string> => {
  const selection = selectFeed(scope, query);
  if (!selection) {
    throw new ForbiddenError(
      `This feed token shows ${describeScope(scope)}; it cannot show ${describeScope(scopeOf(query))}.`,
    );
  }
  const now = ports.clock.now();
  const { thresholds } = ports;
  if (selection.kind === 'grant') {
    const { grant, deadlines } = await ports.ledger.getGrant(selection.grantId);
    if (selection.mustBeIn && grant.forvaltning !== selection.mustBeIn) {
      throw new ForbiddenError(
        `This feed token shows forvaltning ${selection.mustBeIn}; grant ${grant.grantId} belongs to ${grant.forvaltning}.`,
      );
    }
    return buildCalendar({
      scopeName: grant.acronym,
      entries: [{ grant, deadlines }],
      thresholds,
      stamp: now,
    });
  }
  const forvaltning = selection.kind === 'forvaltning' ? selection.forvaltning : undefined;
  const window = feedWindow(copenhagenDateOf(now));
  const entries = await forvaltningEntries(ports, forvaltning, window);
  return buildCalendar({ scopeName: forvaltning, entries, window, thresholds, stamp: now });
};
