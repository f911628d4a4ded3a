/** The API's codes the app offers as choices, and the status changes it allows: the domain's own lists. */

export {
  DEADLINE_KINDS,
  GRANT_ROLES,
  GRANT_SORTS as GRANT_LIST_SORTS,
  GRANT_STATUSES,
  GRANT_TRANSITIONS as NEXT_STATUSES,
  type GrantStatus,
  PAYMENT_KINDS,
  PAYMENT_STATUSES,
  TOTALS_GROUP_BY as TOTALS_DIMENSIONS,
} from '../../../lib/domain/codes';
