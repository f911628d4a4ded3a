/**
 * The weekly digest (PRODUCT.md 3), pure: what one address's digest lists for a Copenhagen date,
 * grouped by grant, and the week it belongs to.
 *
 * Each project lead and watcher gets one e-mail a week listing everything OPEN of their grants that is
 * overdue or due within the next 30 days: deadlines, funding ends and expected payments. Nothing to
 * list, no e-mail. The same rules decide what the sweeper alerts for, so a digest never lists what
 * the alerts consider finished.
 *
 * Decisions the spec leaves open:
 * - A deadline is listed while OPEN on a grant that still gets deadline alerts (not CLOSED, REJECTED
 *   or TERMINATED), however long overdue: it stays on the list until someone marks it done or waived.
 * - A funding end is listed from 30 days before it up to the day itself, for grants AWARDED or ACTIVE.
 *   Once it has passed, the GrantExpired alert has said so; the grant then needs closing, which is
 *   not a dated item to repeat every Monday.
 * - An expected payment is listed while OPEN on an awarded grant (AWARDED, ACTIVE, CLOSED or
 *   TERMINATED: EU balances and retention arrive after a project closes), however long overdue.
 * - Within a grant, deadlines and the funding end come first, by date; expected payments follow, by
 *   date. Grants are ordered by their most pressing item, then by acronym.
 * - The week is the ISO 8601 week of the date the digest runs for; a digest is sent at most once per
 *   address and week, whatever day of the week it runs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Programme } from '../config/catalogues';
import { deadlineGetsAlerts, fundingGetsAlerts } from './alerts';
import { addDays, daysBetween, type IsoDate } from './dates';
import type { Money } from './money';
import type { DeadlineStatus, GrantStatus } from './schemas';

/** Listed when due within this many days of the digest's date (or overdue). */
export const DIGEST_HORIZON_DAYS = 30;

// ---- The week ----

export interface DigestWeek {
  /** ISO 8601 week, e.g. "2027-W05" (the year is the ISO week-numbering year). */
  readonly week: string;
  /** Its Monday and Sunday. */
  readonly from: IsoDate;
  readonly to: IsoDate;
}

/** Monday = 0 … Sunday = 6. */
const weekdayOf = (date: IsoDate): number => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

/** The ISO week of a date: 2027-01-01 (a Friday) belongs to 2026-W53. */
export const isoWeekOf = (date: IsoDate): DigestWeek => {
  const monday = addDays(date, -weekdayOf(date));
  // The week belongs to the year its Thursday falls in.
  const thursday = addDays(monday, 3);
  const year = thursday.slice(0, 4);
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return { week: `${year}-W${String(week).padStart(2, '0')}`, from: monday, to: addDays(monday, 6) };
};

// ---- What the digest reads ----

/** What the digest needs of a grant. */
export interface DigestGrant {
  readonly grantId: string;
  readonly acronym: string;
  readonly title: string;
  readonly forvaltning: string;
  readonly programme: Programme;
  readonly status: GrantStatus;
  readonly endDate: IsoDate;
  readonly fundingEndsOn?: IsoDate | undefined;
  readonly projectLead: { readonly email: string };
  readonly watchers: readonly string[];
}

export interface DigestDeadline {
  readonly grantId: string;
  readonly deadlineId: string;
  readonly kind: string;
  readonly title: string;
  readonly dueOn: IsoDate;
  readonly status: DeadlineStatus;
}

export interface DigestExpectedPayment {
  readonly grantId: string;
  readonly expectedPaymentId: string;
  readonly kind: string;
  readonly expectedOn: IsoDate;
  readonly amount: Money;
  readonly status: string;
  readonly note?: string | undefined;
}

// ---- What it lists ----

interface Dated {
  readonly on: IsoDate;
  /** Calendar days from the digest's date to `on`; negative when overdue. */
  readonly daysLeft: number;
}

export type DigestItem =
  | (Dated & {
      readonly kind: 'deadline';
      readonly deadlineId: string;
      readonly deadlineKind: string;
      readonly title: string;
    })
  | (Dated & { readonly kind: 'funding-end' })
  | (Dated & {
      readonly kind: 'expected-payment';
      readonly expectedPaymentId: string;
      readonly paymentKind: string;
      readonly amount: Money;
      readonly note?: string | undefined;
    });

export interface DigestGrantSection {
  readonly grant: Pick<DigestGrant, 'grantId' | 'acronym' | 'title' | 'forvaltning' | 'programme'>;
  readonly items: readonly DigestItem[];
}

export interface Digest {
  /** Lower-case e-mail address. */
  readonly recipient: string;
  readonly today: IsoDate;
  readonly week: DigestWeek;
  readonly grants: readonly DigestGrantSection[];
  readonly itemCount: number;
}

const GRANTS_WITH_EXPECTED_PAYMENTS: ReadonlySet<GrantStatus> = new Set([
  'AWARDED',
  'ACTIVE',
  'CLOSED',
  'TERMINATED',
]);

/** The last date a digest on `today` lists: everything due on or before it (overdue included). */
export const digestHorizon = (today: IsoDate): IsoDate => addDays(today, DIGEST_HORIZON_DAYS);

export const fundingEndOf = (grant: Pick<DigestGrant, 'fundingEndsOn' | 'endDate'>): IsoDate =>
  grant.fundingEndsOn ?? grant.endDate;

/** Everything one grant has to list on `today`, deadlines and its funding end first, each part by date. */
export const itemsOfGrant = (
  grant: DigestGrant,
  deadlines: readonly DigestDeadline[],
  expectedPayments: readonly DigestExpectedPayment[],
  today: IsoDate,
): DigestItem[] => {
  const horizon = digestHorizon(today);
  const dated = (on: IsoDate): Dated => ({ on, daysLeft: daysBetween(today, on) });
  const byDate = (a: DigestItem, b: DigestItem) => a.on.localeCompare(b.on);
  const first: DigestItem[] = [];
  for (const d of deadlines) {
    if (d.grantId !== grant.grantId || !deadlineGetsAlerts(grant, d) || d.dueOn > horizon) continue;
    first.push({
      kind: 'deadline',
      ...dated(d.dueOn),
      deadlineId: d.deadlineId,
      deadlineKind: d.kind,
      title: d.title,
    });
  }
  const fundingEnd = fundingEndOf(grant);
  if (fundingGetsAlerts(grant) && fundingEnd >= today && fundingEnd <= horizon) {
    first.push({ kind: 'funding-end', ...dated(fundingEnd) });
  }
  const payments: DigestItem[] = [];
  if (GRANTS_WITH_EXPECTED_PAYMENTS.has(grant.status)) {
    for (const p of expectedPayments) {
      if (p.grantId !== grant.grantId || p.status !== 'OPEN' || p.expectedOn > horizon) continue;
      payments.push({
        kind: 'expected-payment',
        ...dated(p.expectedOn),
        expectedPaymentId: p.expectedPaymentId,
        paymentKind: p.kind,
        amount: p.amount,
        ...(p.note ? { note: p.note } : {}),
      });
    }
  }
  // Same date: a deadline before the funding end, then by id, so the order never depends on the read.
  const stable = (a: DigestItem, b: DigestItem) =>
    byDate(a, b) || a.kind.localeCompare(b.kind) || idOf(a).localeCompare(idOf(b));
  return [...first.sort(stable), ...payments.sort(stable)];
};

const idOf = (item: DigestItem): string =>
  item.kind === 'deadline' ? item.deadlineId : item.kind === 'expected-payment' ? item.expectedPaymentId : '';

/** The project lead and watchers of a grant, lower-case, each once. */
export const digestRecipientsOf = (grant: Pick<DigestGrant, 'projectLead' | 'watchers'>): string[] => [
  ...new Set([grant.projectLead.email, ...grant.watchers].map((address) => address.trim().toLowerCase())),
];

/**
 * Every digest to send on `today`: one per address with something to list, its grants ordered by
 * their most pressing item. Addresses in `optedOut` get none. Deadlines and expected payments of
 * grants not in `grants` are ignored (the grant is gone).
 */
export const composeDigests = (input: {
  readonly today: IsoDate;
  readonly grants: readonly DigestGrant[];
  readonly deadlines: readonly DigestDeadline[];
  readonly expectedPayments: readonly DigestExpectedPayment[];
  readonly optedOut?: ReadonlySet<string>;
}): Digest[] => {
  const { today } = input;
  const week = isoWeekOf(today);
  const deadlinesByGrant = groupBy(input.deadlines, (d) => d.grantId);
  const paymentsByGrant = groupBy(input.expectedPayments, (p) => p.grantId);
  const sectionsByRecipient = new Map<string, DigestGrantSection[]>();
  const seen = new Set<string>();
  for (const grant of input.grants) {
    if (seen.has(grant.grantId)) continue;
    seen.add(grant.grantId);
    const items = itemsOfGrant(
      grant,
      deadlinesByGrant.get(grant.grantId) ?? [],
      paymentsByGrant.get(grant.grantId) ?? [],
      today,
    );
    if (items.length === 0) continue;
    const { grantId, acronym, title, forvaltning, programme } = grant;
    const section: DigestGrantSection = { grant: { grantId, acronym, title, forvaltning, programme }, items };
    for (const recipient of digestRecipientsOf(grant)) {
      if (input.optedOut?.has(recipient)) continue;
      sectionsByRecipient.set(recipient, [...(sectionsByRecipient.get(recipient) ?? []), section]);
    }
  }
  const earliest = (section: DigestGrantSection) =>
    section.items.reduce((min, item) => (item.on < min ? item.on : min), section.items[0]?.on ?? '');
  return [...sectionsByRecipient]
    .map(([recipient, sections]) => {
      const grants = [...sections].sort(
        (a, b) =>
          earliest(a).localeCompare(earliest(b)) ||
          a.grant.acronym.localeCompare(b.grant.acronym, 'da') ||
          a.grant.grantId.localeCompare(b.grant.grantId),
      );
      return {
        recipient,
        today,
        week,
        grants,
        itemCount: grants.reduce((sum, section) => sum + section.items.length, 0),
      };
    })
    .sort((a, b) => a.recipient.localeCompare(b.recipient));
};

const groupBy = <T>(values: readonly T[], keyOf: (value: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key);
    if (group) group.push(value);
    else groups.set(key, [value]);
  }
  return groups;
};

// ---- The one-click unsubscribe link (RFC 8058) ----

/**
 * A digest's unsubscribe link carries a token signed for its address: `v1.<address>.<mac>`, the
 * address and an HMAC-SHA256 of it (under a key only the system holds) in base64url. Changing a
 * single character of either part, or pasting another address next to the mac, breaks it.
 */
const TOKEN_VERSION = 'v1';
const PURPOSE = 'funding-tracker/digest-unsubscribe';
const MAX_ADDRESS_LENGTH = 254;

const macOf = (key: Uint8Array, address: string): Buffer =>
  createHmac('sha256', key).update(`${PURPOSE}\n${address}`, 'utf8').digest();

export const signUnsubscribeToken = (key: Uint8Array, address: string): string => {
  const normalised = address.trim().toLowerCase();
  return [
    TOKEN_VERSION,
    Buffer.from(normalised, 'utf8').toString('base64url'),
    macOf(key, normalised).toString('base64url'),
  ].join('.');
};

/** The address a token was signed for, or undefined when it is malformed or its signature does not hold. */
export const verifyUnsubscribeToken = (key: Uint8Array, token: string): string | undefined => {
  const match = /^v1\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  const address = Buffer.from(match[1], 'base64url').toString('utf8');
  // base64url decoding ignores stray bits: re-encoding must give the same text, or it was altered.
  if (Buffer.from(address, 'utf8').toString('base64url') !== match[1]) return undefined;
  if (address.length > MAX_ADDRESS_LENGTH || address !== address.trim().toLowerCase()) return undefined;
  const expected = macOf(key, address);
  const given = Buffer.from(match[2], 'base64url');
  if (given.toString('base64url') !== match[2]) return undefined;
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : undefined;
};
