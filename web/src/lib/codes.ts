/** The API's codes the app offers as choices (PRODUCT.md 2.4–2.6), and the status changes it allows. */

export const GRANT_STATUSES = ['APPLIED', 'AWARDED', 'ACTIVE', 'CLOSED', 'REJECTED', 'TERMINATED'] as const;
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

/** PRODUCT.md 2.4: the status changes a grant allows; any other is refused by the API (409). */
export const NEXT_STATUSES: Readonly<Record<string, readonly string[]>> = {
  APPLIED: ['AWARDED', 'REJECTED'],
  AWARDED: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['CLOSED', 'TERMINATED'],
};
