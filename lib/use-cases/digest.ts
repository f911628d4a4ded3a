import { buildEvent, digestEventId } from '../../events/contracts';
import type { Mailer } from '../adapters/mailer';
import { type Clock, copenhagenDateOf, type IsoDate } from '../domain/dates';
import {
  composeDigests,
  type Digest,
  type DigestGrant,
  digestHorizon,
  isoWeekOf,
  signUnsubscribeToken,
  verifyUnsubscribeToken,
} from '../domain/digest';
import { ForbiddenError, ValidationError } from '../domain/errors';
import { type GrantRecord, grantRef } from '../domain/grant';
import { DETAIL_TYPES } from '../shared/names';
import * as store from '../storage/digest';
import { openExpectedPaymentsDueBy } from '../storage/expected-payments';
import type { OutboxEvent } from '../storage/items';
import type { Ledger } from '../storage/ledger';

/**
 * The weekly digest's use cases: send one week's digests, and unsubscribe an address by its signed
 * link. What a digest lists is the domain's (lib/domain/digest.ts); what is read, claimed and
 * committed is the storage's (lib/storage/digest.ts); the words are the digest function's.
 */

/** The web application's links a digest carries. */
export interface DigestLinks {
  readonly grant: (grantId: string) => string;
  readonly deadline: (grantId: string, deadlineId: string) => string;
  readonly unsubscribe: string;
}

export interface DigestMessage {
  readonly subject: string;
  readonly text: string;
}

export interface DigestPorts {
  readonly ledger: Ledger;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly newId: () => string;
  /** Where the web application and the API are reached, e.g. "https://tilskud.kk.dk" (no trailing slash). */
  readonly publicBaseUrl: string;
  readonly compose: (digest: Digest, links: DigestLinks) => DigestMessage;
}

/** Overdue deadlines are listed however old, back to this many years (the register holds nothing older). */
export const OVERDUE_LOOKBACK_YEARS = 20;
/** Digests sent at once. */
const SEND_CONCURRENCY = 4;

/** The path of the one-click unsubscribe route; the link adds `?token=…`. */
export const UNSUBSCRIBE_PATH = '/digest/unsubscribe';

export const digestLinks = (publicBaseUrl: string, token: string): DigestLinks => {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return {
    grant: (grantId) => `${base}/app/grants/${encodeURIComponent(grantId)}`,
    deadline: (grantId, deadlineId) =>
      `${base}/app/grants/${encodeURIComponent(grantId)}#deadline-${encodeURIComponent(deadlineId)}`,
    unsubscribe: `${base}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`,
  };
};

export interface DigestRunSummary {
  readonly today: IsoDate;
  readonly week: string;
  /** Addresses with something to list (those who unsubscribed not counted). */
  readonly recipients: number;
  readonly sent: number;
  /** Sent earlier this week, by this or another run. */
  readonly alreadySent: number;
  /** Another run is sending them right now. */
  readonly inProgress: number;
  readonly unsubscribed: number;
  readonly failed: number;
  readonly itemsListed: number;
  /** Items the run read (deadlines, grants, expected payments) and the read capacity consumed. */
  readonly itemsRead: number;
  readonly readCapacityUnits: number;
}

export class DigestRunFailed extends Error {
  constructor(
    readonly summary: DigestRunSummary,
    readonly failures: readonly { readonly recipient: string; readonly error: string }[],
  ) {
    super(
      `${failures.length} of ${summary.recipients} digests could not be sent; a new run this week sends them: ${failures
        .map((f) => f.error)
        .join('; ')}`,
    );
    this.name = 'DigestRunFailed';
  }
}

const digestEvent = (digest: Digest, grants: ReadonlyMap<string, GrantRecord>, at: Date): OutboxEvent => {
  const eventId = digestEventId(digest.week.week, digest.recipient);
  const occurredAt = at.toISOString();
  const detail = buildEvent(
    DETAIL_TYPES.digestSent,
    {
      grants: digest.grants.map((section) => grantRef(grants.get(section.grant.grantId) as GrantRecord)),
      recipient: digest.recipient,
      period: { from: digest.week.from, to: digest.week.to },
      itemCount: digest.itemCount,
    },
    { eventId, occurredAt },
  );
  return { eventId, detailType: DETAIL_TYPES.digestSent, detail, occurredAt };
};

/**
 * One week's digests, for a Copenhagen date (today by default): each address with something to list
 * gets one e-mail, at most once per ISO week however often this runs, and never after unsubscribing.
 * A failed send is given back for the next run; the run then throws DigestRunFailed, after sending
 * the others.
 */
export const sendWeeklyDigests = async (ports: DigestPorts, today?: IsoDate): Promise<DigestRunSummary> => {
  const now = ports.clock.now();
  const date = today ?? copenhagenDateOf(now);
  const week = isoWeekOf(date);
  const horizon = digestHorizon(date);
  const { table } = ports.ledger;

  const key = await store.signingKey(table, { create: true, now });
  if (!key) throw new Error('The digest signing key could not be read back after it was made.');
  const since = `${Number(date.slice(0, 4)) - OVERDUE_LOOKBACK_YEARS}-01-01`;
  const [deadlines, fundingEnds, expected] = await Promise.all([
    store.openDeadlinesDue(table, { since, to: horizon }),
    store.fundingEndsDue(table, horizon),
    openExpectedPaymentsDueBy(table, horizon),
  ]);
  const grants = new Map(fundingEnds.items.map((grant) => [grant.grantId, grant]));
  const missing = [...deadlines.items, ...expected.items]
    .map((item) => item.grantId)
    .filter((grantId) => !grants.has(grantId));
  const read = await ports.ledger.grantsById(missing);
  for (const [grantId, grant] of read.grants) grants.set(grantId, grant);

  const all = composeDigests({
    today: date,
    grants: [...grants.values()] satisfies DigestGrant[],
    deadlines: deadlines.items,
    expectedPayments: expected.items,
  });
  const { optedOut, readUnits: optOutUnits } = await store.optedOutAmong(
    table,
    all.map((digest) => digest.recipient),
  );
  const digests = all.filter((digest) => !optedOut.has(digest.recipient));

  let sent = 0;
  let alreadySent = 0;
  let inProgress = 0;
  const failures: { recipient: string; error: string }[] = [];
  const sendOne = async (digest: Digest) => {
    const claim = await store.claimDigest(table, {
      week: week.week,
      address: digest.recipient,
      claimId: ports.newId(),
      now: ports.clock.now(),
    });
    if (claim.outcome === 'already-sent') return void alreadySent++;
    if (claim.outcome === 'in-progress') return void inProgress++;
    const event = digestEvent(digest, grants, now);
    const links = digestLinks(ports.publicBaseUrl, signUnsubscribeToken(key, digest.recipient));
    const message = ports.compose(digest, links);
    try {
      await ports.mailer.send({
        to: [digest.recipient],
        subject: message.subject,
        text: message.text,
        idempotencyKey: event.eventId,
        occurredAt: event.occurredAt,
        headers: {
          'List-Unsubscribe': `<${links.unsubscribe}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    } catch (error) {
      await store.releaseDigest(table, {
        week: week.week,
        address: digest.recipient,
        claimId: claim.claimId,
      });
      failures.push({ recipient: digest.recipient, error: (error as Error).message });
      return;
    }
    // Sent: the record and its event are committed together. Were the claim taken over meanwhile
    // (this run stalled past its lease), the other run commits them instead.
    sent++;
    try {
      await store.completeDigest(table, {
        week: week.week,
        address: digest.recipient,
        claimId: claim.claimId,
        sentAt: ports.clock.now(),
        itemCount: digest.itemCount,
        event,
      });
    } catch (error) {
      // Sent but not recorded: the claim holds for its lease, so a retry right away sends nothing.
      failures.push({
        recipient: digest.recipient,
        error: `sent, not recorded: ${(error as Error).message}`,
      });
    }
  };
  const queue = [...digests];
  await Promise.all(
    Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, async () => {
      for (let digest = queue.shift(); digest; digest = queue.shift()) await sendOne(digest);
    }),
  );

  const summary: DigestRunSummary = {
    today: date,
    week: week.week,
    recipients: digests.length,
    sent,
    alreadySent,
    inProgress,
    unsubscribed: all.length - digests.length,
    failed: failures.length,
    itemsListed: digests.reduce((sum, digest) => sum + digest.itemCount, 0),
    itemsRead: deadlines.itemsRead + fundingEnds.itemsRead + expected.itemsRead + read.grants.size,
    readCapacityUnits:
      deadlines.readUnits + fundingEnds.readUnits + expected.readUnits + read.readUnits + optOutUnits,
  };
  if (failures.length) throw new DigestRunFailed(summary, failures);
  return summary;
};

// ---- Unsubscribing ----

export interface UnsubscribePorts {
  readonly ledger: Ledger;
  readonly clock: Clock;
}

/** The address a link was signed for; 400 for no token, 403 for one that was altered or not ours. */
export const addressOfUnsubscribeLink = async (
  ports: UnsubscribePorts,
  token: string | undefined,
): Promise<string> => {
  if (!token) {
    throw new ValidationError('Open the unsubscribe link from a weekly digest: it carries a token.', [
      { path: 'token', message: 'is required' },
    ]);
  }
  const key = await store.signingKey(ports.ledger.table, { create: false });
  const address = key ? verifyUnsubscribeToken(key, token) : undefined;
  if (!address) {
    throw new ForbiddenError(
      'This unsubscribe link is not valid: it was changed, or it is not one a weekly digest sent.',
    );
  }
  return address;
};

export const unsubscribeStatus = async (
  ports: UnsubscribePorts,
  token: string | undefined,
): Promise<{ readonly address: string; readonly unsubscribed: boolean }> => {
  const address = await addressOfUnsubscribeLink(ports, token);
  return { address, unsubscribed: await store.isOptedOut(ports.ledger.table, address) };
};

/** Stops weekly digests to the link's address; alerts still reach it. Unsubscribing twice is harmless. */
export const unsubscribeFromDigest = async (
  ports: UnsubscribePorts,
  token: string | undefined,
): Promise<{ readonly address: string }> => {
  const address = await addressOfUnsubscribeLink(ports, token);
  await store.optOut(ports.ledger.table, { address, at: ports.clock.now() });
  return { address };
};
