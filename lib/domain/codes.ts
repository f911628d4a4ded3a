/**
 * The API's codes as plain lists (PRODUCT.md 2.4–2.6) and the status changes a grant allows. Free of
 * zod, so that the web app can offer the same choices without carrying the schemas to the browser.
 */

export const GRANT_STATUSES = ['APPLIED', 'AWARDED', 'ACTIVE', 'CLOSED', 'REJECTED', 'TERMINATED'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
export const GRANT_ROLES = ['COORDINATOR', 'PARTNER', 'ASSOCIATED'] as const;
export const PAYMENT_KINDS = ['PREFINANCING', 'INTERIM', 'BALANCE', 'OTHER'] as const;
export const DEADLINE_KINDS = [
  'PERIODIC_REPORT',
  'FINAL_REPORT',
  'DELIVERABLE',
  'MILESTONE',
  'PAYMENT_REQUEST',
  'AUDIT',
  'AMENDMENT',
  'OTHER',
] as const;

/** PRODUCT.md 2.4: the status changes a grant allows; any other is refused (409). */
export const GRANT_TRANSITIONS: Readonly<Record<GrantStatus, readonly GrantStatus[]>> = {
  APPLIED: ['AWARDED', 'REJECTED'],
  AWARDED: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['CLOSED', 'TERMINATED'],
  CLOSED: [],
  REJECTED: [],
  TERMINATED: [],
};

/** Statuses that take payments. */
export const PAYMENT_STATUSES: readonly GrantStatus[] = ['AWARDED', 'ACTIVE', 'CLOSED', 'TERMINATED'];

/** Orders of the grants list; a leading - reverses one. */
export const GRANT_SORTS = [
  'acronym',
  '-acronym',
  'startDate',
  '-startDate',
  'endDate',
  '-endDate',
  'awarded',
  '-awarded',
] as const;

/** Dimensions totals can be grouped by (PRODUCT.md 2.7). */
export const TOTALS_GROUP_BY = ['forvaltning', 'programme', 'funderType', 'year', 'quarter'] as const;
